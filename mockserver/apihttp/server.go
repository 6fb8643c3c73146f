package apihttp

import (
	"log"
	"net/http"
	"time"
)

// Timeouts are an http.Server's.
type Timeouts struct {
	ReadHeader time.Duration // to read a request's line and headers
	Read       time.Duration // to read a whole request, from its first byte
	Write      time.Duration // to write a response, from its first byte
	Idle       time.Duration // between requests on a connection
}

// ServeTimeouts are idvkit serve's.
var ServeTimeouts = Timeouts{ReadHeader: 5 * time.Second, Read: 30 * time.Second, Write: 30 * time.Second, Idle: 2 * time.Minute}

// NewServer is the http.Server in front of the mock (and of the benchmark's bare server, so the two
// are served alike). net/http's own header limit is its default,
// 1 MiB, above the mock's 64 KiB (apihttp.MaxHeaderBytes): a request between the two reaches
// the mock and gets the API's 431, and only one beyond 1 MiB gets net/http's plain-text one.
func NewServer(h http.Handler, t Timeouts, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           writeDeadline(h, t.Write),
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    http.DefaultMaxHeaderBytes,
		ErrorLog:          errorLog,
	}
}

// writeDeadline gives each response d to be written from its first byte. http.Server's WriteTimeout
// runs from the end of the request's headers, so it counted the time a handler waited for a CPU: in a
// burst of bcrypt logins, every response that took longer than the timeout to be computed was lost,
// its connection closed with nothing written.
func writeDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dw := &deadlineWriter{ResponseWriter: w, d: d}
		h.ServeHTTP(dw, r)
		dw.arm() // for what net/http writes once the handler has returned
	})
}

type deadlineWriter struct {
	http.ResponseWriter
	d     time.Duration
	armed bool
}

func (w *deadlineWriter) arm() {
	if !w.armed {
		w.armed = true
		_ = http.NewResponseController(w.ResponseWriter).SetWriteDeadline(time.Now().Add(w.d))
	}
}

func (w *deadlineWriter) WriteHeader(status int) {
	w.arm()
	w.ResponseWriter.WriteHeader(status)
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.arm()
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
