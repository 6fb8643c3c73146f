package rambase

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
)

// A login's access token is sealed (token.Seal): it carries the session itself, so a login stores
// nothing, however many logins a partner's load test makes. A session is stored only when it first
// changes, by minting its ID verification token or by ending; from then on its record wins over
// what the token says. That record holds the session and its verification token together, so the
// two live and die together (RB-11). The sealing key is made with each fixture seed, so a reset
// refuses every access token issued before it.

// sessionFormat is the first byte of a sealed session, so a later layout cannot be misread.
const sessionFormat = 1

// sealSession returns the access token that carries s.
func sealSession(sealer *token.Sealer, s *session) string {
	b := make([]byte, 0, 96)
	b = append(b, sessionFormat)
	b = appendString(b, s.Key)
	b = binary.AppendVarint(b, s.UserID)
	b = appendString(b, s.ClientID)
	b = appendID(b, s.CustomerID)
	b = appendID(b, s.SupplierID)
	b = appendTime(b, s.IssuedAt)
	b = appendTime(b, s.ExpiresAt)
	return sealer.Seal(b)
}

// openSession returns the session an access token carries, on the system of the fixtures it was
// issued under, in their seed's token epoch; false for a token the mock did not seal since those
// fixtures were seeded.
func openSession(f *Fixtures, epoch token.Epoch, accessToken string) (session, bool) {
	b, ok := f.Sessions.Open(accessToken)
	if !ok || len(b) == 0 || b[0] != sessionFormat {
		return session{}, false
	}
	d := decoder{b: b[1:], ok: true}
	s := session{System: f.System, Database: f.Database, Epoch: epoch}
	s.Key = d.string()
	s.UserID = d.varint()
	s.ClientID = d.string()
	s.CustomerID = d.id()
	s.SupplierID = d.id()
	s.IssuedAt = d.time()
	s.ExpiresAt = d.time()
	return s, d.ok && len(d.b) == 0
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendID appends an optional id: a 0 for none, or a 1 and the id.
func appendID(b []byte, id *int64) []byte {
	if id == nil {
		return append(b, 0)
	}
	return binary.AppendVarint(append(b, 1), *id)
}

// appendTime appends whole seconds and nanoseconds: a mock clock set centuries ahead still fits.
func appendTime(b []byte, t time.Time) []byte {
	return binary.AppendUvarint(binary.AppendVarint(b, t.Unix()), uint64(t.Nanosecond()))
}

// decoder reads what the append functions wrote; ok turns false at the first thing it cannot read.
type decoder struct {
	b  string
	ok bool
}

// fail marks the rest unreadable.
func (d *decoder) fail() { d.ok, d.b = false, "" }

// head is the start of what is left, as long as the longest varint: converting no more than that
// keeps the conversion on the stack.
func (d *decoder) head() []byte { return []byte(d.b[:min(len(d.b), binary.MaxVarintLen64)]) }

func (d *decoder) uvarint() uint64 { return nextVarint(d, binary.Uvarint) }
func (d *decoder) varint() int64   { return nextVarint(d, binary.Varint) }

// nextVarint reads one varint with read, binary.Uvarint or binary.Varint.
func nextVarint[T uint64 | int64](d *decoder, read func([]byte) (T, int)) T {
	v, n := read(d.head())
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) id() *int64 {
	if len(d.b) == 0 || d.b[0] > 1 {
		d.fail()
		return nil
	}
	present := d.b[0] == 1
	d.b = d.b[1:]
	if !present {
		return nil
	}
	id := d.varint()
	return &id
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	return time.Unix(sec, int64(d.uvarint()))
}

// sessionOf returns the session of an access token: its record once it has changed, else what the
// token carries. ok is false for a token the mock did not seal since its fixtures were seeded, and
// for a session past its retention, which the mock no longer knows (as if its record were swept).
func (m *Mock) sessionOf(ctx context.Context, accessToken string) (s session, ok bool, err error) {
	f, epoch, err := m.Section.Get(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return session{}, false, nil // no RamBase fixtures, so no sessions
	}
	if err != nil {
		return session{}, false, err
	}
	if s, ok = openSession(&f, epoch, accessToken); !ok || !m.env.Clock.Now().Before(s.ExpiresAt.Add(m.env.Retention)) {
		return session{}, false, nil
	}
	switch stored, err := store.Get[session](ctx, m.env.Store, kindSession, s.Key); {
	case err == nil:
		return stored, true, nil
	case errors.Is(err, store.ErrNotFound):
		return s, true, nil
	default:
		return session{}, false, err
	}
}

// changeSession applies change to a session's record, storing the session first when this is its
// first change. change may run twice: concurrent first changes of one session meet at Create, and
// the one that loses applies its change to the winner's record through Update, so it must judge the
// record it is given (mint a token only if there is none yet).
func (m *Mock) changeSession(ctx context.Context, s session, change func(*session) error) (session, error) {
	update := func() (session, error) {
		return store.Update(ctx, m.env.Store, kindSession, s.Key, func(v *session) (time.Time, error) {
			return time.Time{}, change(v)
		})
	}
	v, err := update()
	if !errors.Is(err, store.ErrNotFound) {
		return v, err
	}
	if err := change(&s); err != nil {
		return session{}, err
	}
	err = store.Create(ctx, m.env.Store, kindSession, s.Key, s, store.RetainUntil(s.ExpiresAt.Add(m.env.Retention)))
	if errors.Is(err, store.ErrAlreadyExists) {
		return update()
	}
	return s, err
}
