package webhookrecv

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func startReceiver(t *testing.T, listen, public string) *Receiver {
	t.Helper()
	r, err := New(listen, public)
	require.NoError(t, err)
	t.Cleanup(r.Close)
	return r
}

func post(ctx context.Context, url, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HMAC-Signature", "abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func statusesOf(ds []Delivery) []int {
	var out []int
	for _, d := range ds {
		out = append(out, d.Status)
	}
	return out
}

func TestTheReceiverRecordsEveryDeliveryAndFailsTheNextN(t *testing.T) {
	r := startReceiver(t, "", "")
	r.FailNext(2, 503)
	url := r.URL("/eeid/webhooks/identification_requests") + "?x=1"
	for i, want := range []int{503, 503, 200, 200} {
		status, err := post(context.Background(), url, `{"n": 1}`)
		require.NoError(t, err)
		assert.Equal(t, want, status, i)
	}
	ds := r.Deliveries()
	require.Len(t, ds, 4)
	assert.Equal(t, []int{503, 503, 200, 200}, statusesOf(ds))
	d := ds[0]
	assert.Equal(t, http.MethodPost, d.Method)
	assert.Equal(t, "/eeid/webhooks/identification_requests", d.Path)
	assert.Equal(t, "x=1", d.Query)
	assert.Equal(t, `{"n": 1}`, string(d.Body), "the raw body, whitespace and all")
	assert.Equal(t, "abc", d.Header.Get("X-HMAC-Signature"))
	assert.WithinDuration(t, time.Now(), d.At, time.Minute)
}

func TestTheReceiverRefusesConnectionsThenAcceptsAgainOnTheSameURL(t *testing.T) {
	r := startReceiver(t, "", "")
	url := r.URL("/hook")
	r.Refuse()
	_, err := post(context.Background(), url, `{}`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused")
	require.NoError(t, r.Accept())
	status, err := post(context.Background(), url, `{}`)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Len(t, r.Deliveries(), 1, "a refused connection is no delivery")
}

func TestTheReceiverHoldsTheNextDeliveriesUntilReleased(t *testing.T) {
	r := startReceiver(t, "", "")
	r.HangNext(5)
	answered := make(chan int)
	go func() {
		status, _ := post(context.Background(), r.URL("/hook"), `{}`)
		answered <- status
	}()
	ds, err := r.Wait(context.Background(), 1, 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, []int{0}, statusesOf(ds), "recorded on arrival, not answered yet")
	r.Release()
	assert.Equal(t, 200, <-answered)
	assert.Equal(t, []int{200}, statusesOf(r.Deliveries()))

	status, err := post(context.Background(), r.URL("/hook"), `{}`)
	require.NoError(t, err)
	assert.Equal(t, 200, status, "released: no more holding")
}

// Only the next n deliveries are held: a receiver silent once, then answering the retry.
func TestTheReceiverHoldsOnlyTheNextN(t *testing.T) {
	r := startReceiver(t, "", "")
	r.HangNext(1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := post(ctx, r.URL("/hook"), `{}`)
	require.Error(t, err, "the first is held past the sender's patience")
	status, err := post(context.Background(), r.URL("/hook"), `{}`)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Equal(t, []int{0, 200}, statusesOf(r.Deliveries()))
}

// A sender that gives up on a hanging receiver ends the delivery: it got no answer.
func TestAHangingDeliveryEndsWhenTheSenderGivesUp(t *testing.T) {
	r := startReceiver(t, "", "")
	r.HangNext(1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := post(ctx, r.URL("/hook"), `{}`)
	require.Error(t, err)
	assert.Equal(t, []int{0}, statusesOf(r.Deliveries()))
}

// Closing the receiver (the scenario's end) answers what hangs, so nothing waits on it.
func TestClosingTheReceiverEndsAHangingDelivery(t *testing.T) {
	r := startReceiver(t, "", "")
	r.HangNext(1)
	done := make(chan struct{})
	go func() {
		_, _ = post(context.Background(), r.URL("/hook"), `{}`)
		close(done)
	}()
	_, err := r.Wait(context.Background(), 1, 5*time.Second)
	require.NoError(t, err)
	r.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a hanging delivery outlived the receiver")
	}
	r.Close() // twice is fine
}

func TestWaitSaysHowManyArrived(t *testing.T) {
	r := startReceiver(t, "", "")
	_, err := post(context.Background(), r.URL("/hook"), `{}`)
	require.NoError(t, err)
	ds, err := r.Wait(context.Background(), 1, time.Second)
	require.NoError(t, err)
	assert.Len(t, ds, 1)
	_, err = r.Wait(context.Background(), 2, 20*time.Millisecond)
	assert.EqualError(t, err, "1 webhook deliveries were received within 20ms, not 2")
}

// The URL handed to the implementation is the public URL when the target file gives one (the
// implementation runs elsewhere), else the receiver's own, on loopback for an unspecified address.
func TestTheReceiverURL(t *testing.T) {
	r := startReceiver(t, "127.0.0.1:0", "https://hooks.example/suite/")
	assert.Equal(t, "https://hooks.example/suite/eeid/webhooks/identification_requests", r.URL("/eeid/webhooks/identification_requests"))
	assert.Equal(t, "https://hooks.example/suite/x", r.URL("x"))

	r = startReceiver(t, "0.0.0.0:0", "")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/hook$`, r.URL("/hook"))
	status, err := post(context.Background(), r.URL("/hook"), `{}`)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
}

// A fixed address that is taken is an error that says why.
func TestAReceiverOnATakenAddressSaysSo(t *testing.T) {
	r := startReceiver(t, "", "")
	_, err := New(r.addr, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "webhook receiver")
	assert.Contains(t, err.Error(), "parallel")
}
