package mockserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/webhook"
)

// Every API of a mock reaches one webhook Sender through its Env, on the mock's clock and store, and
// closing the mock abandons what is still pending, in its log.
func TestTheMockSharesOneWebhookSenderAndClosesIt(t *testing.T) {
	var envs []mockapi.Env
	capture := func(env mockapi.Env) mockapi.API {
		envs = append(envs, env)
		return newWidgets(env)
	}
	var log lockedBuffer
	c := clock.NewFake(start)
	s, err := mockserver.New(mockserver.Config{Clock: c, APIs: []mockapi.Factory{capture},
		Fixtures: mockserver.Fixtures{"widgets": json.RawMessage(`[]`)}, PasswordCost: password.MinCost,
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	require.NoError(t, err)
	require.Len(t, envs, 1)
	hooks := envs[0].Webhooks
	require.NotNil(t, hooks)

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	t.Cleanup(failing.Close)
	id, err := hooks.Send(context.Background(), webhook.Delivery{API: "widgets", Owner: "o", URL: failing.URL, Body: []byte(`{}`)})
	require.NoError(t, err)
	c.Settle()
	d, err := hooks.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, webhook.Pending, d.State)

	s.Close()
	d, err = hooks.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, webhook.Abandoned, d.State)
	assert.Contains(t, log.String(), "webhook delivery abandoned")
	s.Close()
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
