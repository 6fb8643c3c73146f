package rambase

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/token"
)

func TestAccessTokenCarriesItsSession(t *testing.T) {
	f, epoch := &Fixtures{System: "HATTELAND", Database: "HAT", Sessions: token.NewSealer()}, token.NewEpoch()
	customer, supplier := int64(100042), int64(-7)
	for name, s := range map[string]session{
		"client, no binding": {Key: "K1", UserID: 666, ClientID: "forecast-api",
			IssuedAt: time.Date(2026, 11, 30, 8, 0, 0, 123456789, time.UTC), ExpiresAt: time.Date(2026, 11, 30, 9, 0, 0, 123456789, time.UTC)},
		"customer portal user": {Key: "K2", UserID: 1 << 40, ClientID: "c", CustomerID: &customer,
			IssuedAt: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2500, 1, 1, 0, 0, 0, 999999999, time.UTC)},
		"supplier portal user": {Key: "K3", UserID: 1, SupplierID: &supplier},
		"the longest client ID a login takes, 256 four-byte characters": {Key: "K4", UserID: 2,
			ClientID: strings.Repeat("😀", 256), IssuedAt: time.Unix(1<<40, 999999999), ExpiresAt: time.Unix(1<<40+3600, 999999999)},
	} {
		want := s
		want.System, want.Database, want.Epoch = f.System, f.Database, epoch
		got, ok := openSession(f, epoch, sealSession(f.Sessions, &s))
		require.True(t, ok, name)
		assert.True(t, got.IssuedAt.Equal(want.IssuedAt) && got.ExpiresAt.Equal(want.ExpiresAt), name)
		got.IssuedAt, got.ExpiresAt, want.IssuedAt, want.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		assert.Equal(t, want, got, name)
	}
}

// Only a whole payload of the current format opens, even under the right key: a cut, an extra
// byte or another format byte is no session.
func TestAccessTokenOfAnyOtherShapeIsNoSession(t *testing.T) {
	f := &Fixtures{Sessions: token.NewSealer()}
	customer := int64(5)
	s := &session{Key: "K", UserID: 300, ClientID: "c", CustomerID: &customer, IssuedAt: time.Unix(1e9, 5), ExpiresAt: time.Unix(1e9+3600, 5)}
	opened, ok := f.Sessions.Open(sealSession(f.Sessions, s))
	require.True(t, ok)
	payload := []byte(opened)
	for n := range len(payload) {
		_, ok := openSession(f, token.Epoch{}, f.Sessions.Seal(payload[:n]))
		assert.False(t, ok, "cut to %d bytes", n)
	}
	_, ok = openSession(f, token.Epoch{}, f.Sessions.Seal(append(payload[:len(payload):len(payload)], 0)))
	assert.False(t, ok, "a byte appended")
	other := append([]byte{sessionFormat + 1}, payload[1:]...)
	_, ok = openSession(f, token.Epoch{}, f.Sessions.Seal(other))
	assert.False(t, ok, "another format")
	_, ok = openSession(&Fixtures{Sessions: token.NewSealer()}, token.Epoch{}, sealSession(f.Sessions, s))
	assert.False(t, ok, "sealed under an earlier seed's key")
}

// racingCreates is a store in which, the first time a session record is created, another change of
// the same session gets there first: the interleaving of two first changes that both found no
// record.
type racingCreates struct {
	store.Store
	once  sync.Once
	first func(*session)
}

func (s *racingCreates) Create(ctx context.Context, rec store.Record) (store.Record, error) {
	if rec.Kind == kindSession {
		s.once.Do(func() {
			other := rec.Value.(session)
			other.IDVToken = "" // the rival made its change to the session as it was before this one's
			s.first(&other)
			rec := rec
			rec.Value = other
			_, _ = s.Store.Create(ctx, rec)
		})
	}
	return s.Store.Create(ctx, rec)
}

// Two first changes of one session meet in one record, each applied once: the session minted its
// ID verification token while another request ended it, and the record says both.
func TestFirstChangesOfASessionMeetInOneRecord(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	st := &racingCreates{Store: memory.New(), first: func(v *session) { v.Ended = true }}
	m := New(mockapi.Env{Store: st, Clock: clk, Logger: slog.New(slog.DiscardHandler), Retention: time.Hour}).(*Mock)
	s := session{Key: "S", UserID: 7, IssuedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour), Epoch: token.NewEpoch()}

	tok, err := m.idvToken(ctx, s)
	require.NoError(t, err)
	require.NotEmpty(t, tok)
	stored, err := store.Get[session](ctx, st, kindSession, "S")
	require.NoError(t, err)
	assert.True(t, stored.Ended, "the other change stands")
	assert.Equal(t, tok, stored.IDVToken, "and so does this one")
	idx, err := store.Get[idvIndex](ctx, st, kindIDV, tok)
	require.NoError(t, err)
	assert.Equal(t, "S", idx.Session)
	rec, err := st.Get(ctx, kindSession, "S")
	require.NoError(t, err)
	assert.Equal(t, s.ExpiresAt.Add(time.Hour), rec.RetainUntil, "kept as long as any expired record")
}

// Fifty first reads of one session's ID verification token, released at once from a barrier (HTTP
// staggers requests too much to race them), all get the same token, and it is indexed once.
func TestConcurrentFirstReadsAgreeOnOneToken(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	st := memory.New()
	m := New(mockapi.Env{Store: st, Clock: clk, Logger: slog.New(slog.DiscardHandler), Retention: time.Hour}).(*Mock)
	s := session{Key: "S", UserID: 7, IssuedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour), Epoch: token.NewEpoch()}

	start := make(chan struct{})
	got := make([]string, 50)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			<-start
			tok, err := m.idvToken(ctx, s)
			assert.NoError(t, err)
			got[i] = tok
		})
	}
	close(start)
	wg.Wait()
	for _, tok := range got {
		assert.Equal(t, got[0], tok)
	}
	kinds := map[string]int{}
	for _, rec := range st.Records() {
		kinds[rec.Kind]++
	}
	assert.Equal(t, map[string]int{kindSession: 1, kindIDV: 1}, kinds)
}

// A first change that raced a reset stores the session, and its ID verification token, in the
// store the reset made. Neither verifies there: the session was sealed under the earlier seed.
func TestAFirstChangeThatRacedAResetLeavesNothingThatVerifies(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	st := memory.New()
	m := New(mockapi.Env{Store: st, Clock: clk, Logger: slog.New(slog.DiscardHandler), Retention: time.Hour}).(*Mock)
	seed := func() *Fixtures {
		_, err := m.Section.Seed(ctx, st, json.RawMessage(`{"system": "HATTELAND", "database": "HAT"}`))
		require.NoError(t, err)
		f, _, err := m.Section.Get(ctx)
		require.NoError(t, err)
		return &f
	}
	f := seed()
	opened := func() session {
		s, ok, err := m.sessionOf(ctx, startSession(f, &session{UserID: 7}, clk.Now(), time.Hour))
		require.NoError(t, err)
		require.True(t, ok)
		return s
	}
	verify := func(idv string) int {
		status, _, err := m.verifyIdVerificationToken(httptest.NewRequest(http.MethodGet, "/id-verification?id_verification_token="+idv, nil))
		if e := (*apihttp.Error)(nil); errors.As(err, &e) {
			return e.Status
		}
		return status
	}
	early, late := opened(), opened()
	idv, err := m.idvToken(ctx, early)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, verify(idv), "a session of the current seed verifies")

	require.NoError(t, st.Replace(ctx, nil)) // the reset, while late's first read is on its way
	seed()
	idv, err = m.idvToken(ctx, late)
	require.NoError(t, err)
	_, err = store.Get[session](ctx, st, kindSession, late.Key)
	require.NoError(t, err, "the late change did store the session in the new store")
	assert.Equal(t, http.StatusNotFound, verify(idv))
}
