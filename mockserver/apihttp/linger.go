package apihttp

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The bounds of a lingering close unless Drain says otherwise.
const (
	DefaultDrainBytes   = 4 << 20
	DefaultDrainTimeout = 5 * time.Second
)

// lingerAbove is the body size Linger looks after: a smaller body is on the wire whole by the time
// it is answered (the client is no longer blocked sending it, and what it has received it can still
// read after a reset), and net/http reads up to 256 KiB of an unread body itself after the response.
const lingerAbove = 64 << 10

// Drain bounds the lingering close of a request whose body was left unread.
type Drain struct {
	// Bytes is how much of the unread body is read and discarded after the response; a body with
	// more left (by its Content-Length, or once this much has been read) has its connection closed.
	// Zero means DefaultDrainBytes; negative turns lingering off (net/http's own behaviour).
	Bytes int64
	// Timeout is how long the rest of the body may take to arrive; zero means DefaultDrainTimeout.
	Timeout time.Duration
}

// Linger wraps next so that a request answered before its body was read (a 413 over the size limit,
// a 401, 404 or 405 that never needed the body, or any answer of an operation that takes none) gets
// its answer across to a client that sends its whole body before reading anything, as Python's
// urllib does. net/http would close the connection with the body unread, and the reset that closing
// causes reaches such a client while it is still sending, before it has read a byte: it sees a broken
// pipe or a reset, never the answer.
//
// For a body over 64 KiB (or of unknown length) next's response is held until next returns. If next
// read the body to its end, the response goes out as it would have. If not, it goes out at once,
// complete, with Content-Length and Connection: close, and then the rest of the body is read and
// discarded, up to d.Bytes and for at most d.Timeout (nginx's lingering close), before net/http closes
// the connection: a client that reads while it sends (curl, Go's Transport) sees the answer and can
// stop at once, and one that writes everything first finds it waiting. A body with more left than
// d.Bytes by its Content-Length is not read at all, and a longer one is read no further than that:
// its connection is closed. A client that sent Expect: 100-continue and was answered without the body
// being read never sends it, so nothing is drained.
func Linger(next http.Handler, d Drain) http.Handler {
	if d.Bytes == 0 {
		d.Bytes = DefaultDrainBytes
	}
	if d.Timeout <= 0 {
		d.Timeout = DefaultDrainTimeout
	}
	return &linger{next: next, drain: d}
}

type linger struct {
	next  http.Handler
	drain Drain
}

func (l *linger) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if l.drain.Bytes < 0 || r.ProtoMajor != 1 || r.Body == nil || r.Body == http.NoBody ||
		(r.ContentLength >= 0 && r.ContentLength <= lingerAbove) {
		l.next.ServeHTTP(w, r)
		return
	}
	body := &trackedBody{ReadCloser: r.Body}
	held := &heldResponse{w: w, method: r.Method}
	r2 := r.WithContext(r.Context()) // a shallow copy: handlers must not change the request they are given
	r2.Body = body
	l.next.ServeHTTP(held, r2)

	left := r.ContentLength - body.n // meaningless for an unknown length
	unread := !body.eof && !body.failed && (r.ContentLength < 0 || left > 0)
	expectedContinue := body.n == 0 && !body.eof && r.Header.Get("Expect") != ""
	if !unread || expectedContinue {
		held.commit()
		return
	}
	if !held.committed {
		held.Header().Set("Connection", "close")
		held.commit()
	}
	rc := http.NewResponseController(w)
	if rc.Flush() != nil || (r.ContentLength >= 0 && left > l.drain.Bytes) {
		return
	}
	_ = rc.SetReadDeadline(time.Now().Add(l.drain.Timeout))
	_, _ = io.CopyN(io.Discard, body, l.drain.Bytes)
}

// trackedBody is a request body that knows how far it has been read.
type trackedBody struct {
	io.ReadCloser
	n           int64
	eof, failed bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil:
		b.failed = true // a broken body, or one the handler closed: nothing more can be read
	}
	return n, err
}

// heldResponse holds a response until commit, so that it can go out complete (with Content-Length)
// before the rest of the body is read. A handler that flushes has what it wrote so far sent, and
// writes straight through from then on.
type heldResponse struct {
	w         http.ResponseWriter
	method    string
	status    int
	body      bytes.Buffer
	committed bool
}

func (h *heldResponse) Header() http.Header { return h.w.Header() }

func (h *heldResponse) WriteHeader(status int) {
	switch {
	case h.committed:
		h.w.WriteHeader(status)
	case h.status == 0 || status < 200: // 1xx responses are net/http's or the handler's to send
		if status >= 200 {
			h.status = status
		} else {
			h.w.WriteHeader(status)
		}
	}
}

func (h *heldResponse) Write(p []byte) (int, error) {
	if h.committed {
		return h.w.Write(p)
	}
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(p)
}

// Flush sends what has been written so far and writes straight through from then on.
func (h *heldResponse) Flush() {
	_ = h.FlushError()
}

// FlushError is Flush for http.ResponseController.
func (h *heldResponse) FlushError() error {
	h.send(false)
	return http.NewResponseController(h.w).Flush()
}

// Unwrap lets http.ResponseController reach the connection (deadlines, full duplex).
func (h *heldResponse) Unwrap() http.ResponseWriter { return h.w }

// commit sends the whole response, with its Content-Length when it may have one.
func (h *heldResponse) commit() { h.send(true) }

func (h *heldResponse) send(complete bool) {
	if h.committed {
		return
	}
	h.committed = true
	status := h.status
	if status == 0 {
		status = http.StatusOK
	}
	hdr := h.w.Header()
	if complete && h.method != http.MethodHead && bodyAllowed(status) && hdr.Get("Content-Length") == "" && hdr.Get("Transfer-Encoding") == "" {
		hdr.Set("Content-Length", strconv.Itoa(h.body.Len()))
	}
	h.w.WriteHeader(status)
	if h.body.Len() > 0 {
		_, _ = h.w.Write(h.body.Bytes())
	}
}

// bodyAllowed reports whether a response of this status may carry a body (RFC 9110 §6.4.1).
func bodyAllowed(status int) bool {
	return (status < 100 || status >= 200) && status != http.StatusNoContent && status != http.StatusNotModified
}
