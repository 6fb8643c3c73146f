package eeid

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/webhook"
)

// slowReads is a store whose reads answer a millisecond late, so that code which reads a record,
// decides, then writes it (instead of one atomic update) lets the racers all read it undecided.
type slowReads struct{ store.Store }

func (s slowReads) Get(ctx context.Context, kind, key string) (store.Record, error) {
	rec, err := s.Store.Get(ctx, kind, key)
	time.Sleep(time.Millisecond) // what was read goes stale meanwhile
	return rec, err
}

// 200 completions of one request released at the same instant: exactly one completes it and sends
// its webhook, whatever the interleaving; the others are refused and change nothing. HTTP staggers
// requests too much to race them reliably, so this calls the completion itself.
func TestConcurrentCompletionsRacingFromABarrier(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	st := slowReads{memory.New()}
	logger := slog.New(slog.DiscardHandler)
	hooks := webhook.New(webhook.Config{Clock: clk, Store: st, Logger: logger})
	t.Cleanup(hooks.Close)
	m := New(mockapi.Env{Store: st, Clock: clk, Webhooks: hooks, Logger: logger, Retention: time.Hour}).(*Mock)

	var received atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { received.Add(1) }))
	t.Cleanup(hook.Close)
	require.NoError(t, store.Create(ctx, st, kindService, "svc", service{ClientID: "svc", ClientSecret: "s",
		WebhookURL: hook.URL + "/" + webhookPath}))
	// The webhook names the request by its id, a UUID as the spec says.
	const id = "0b6f2c1e-8d4a-4f3b-9c2d-1a2b3c4d5e6f"
	require.NoError(t, store.Create(ctx, st, kindRequest, id, request{ID: id, ClientID: "svc",
		Claims: []claim{{Type: "sub", Value: "EE30303039914"}}, CreatedAt: clk.Now(), LinkExpiresAt: clk.Now().Add(time.Hour)}))

	const n = 200
	start := make(chan struct{})
	var won, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			identity := Identity{Sub: "EE30303039914", DateOfBirth: "1903-03-03", GivenName: "OK", FamilyName: "TESTNUMBER"}
			if i%2 == 1 {
				identity.Sub = "EE38001085718"
			}
			<-start
			switch _, err := m.complete(ctx, id, identity); {
			case err == nil:
				won.Add(1)
			case errors.Is(err, errCompleted):
				refused.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	clk.Settle()
	assert.Equal(t, int32(1), won.Load())
	assert.Equal(t, int32(n-1), refused.Load())
	assert.Equal(t, int32(1), received.Load())
	ds, err := hooks.Log(ctx, "svc")
	require.NoError(t, err)
	assert.Len(t, ds, 1)
	req, err := store.Get[request](ctx, st, kindRequest, id)
	require.NoError(t, err)
	require.NotNil(t, req.CompletedAt)
	assert.Equal(t, *req.Comparison.Matched, req.Identity.Sub == "EE30303039914", "the comparison is the winner's")
}
