package steps

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The world starts one receiver on first use, from the target file's webhook settings, and closes
// it with the scenario.
func TestTheWorldStartsOneReceiverAndClosesIt(t *testing.T) {
	w := &World{webhook: Webhook{PublicURL: "http://suite.example:9000"}}
	r1, err := w.webhookReceiver(context.Background())
	require.NoError(t, err)
	r2, err := w.webhookReceiver(context.Background())
	require.NoError(t, err)
	assert.Same(t, r1, r2)
	assert.Equal(t, "http://suite.example:9000/h", r1.URL("/h"))
	w.Close()

	w = &World{}
	r, err := w.webhookReceiver(context.Background())
	require.NoError(t, err)
	resp, err := http.Post(r.URL("/h"), "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	w.Close()
	_, err = http.Post(r.URL("/h"), "application/json", strings.NewReader("{}"))
	assert.Error(t, err, "closed with the scenario: the connection is refused")
	(&World{}).Close() // none started: nothing to close
}
