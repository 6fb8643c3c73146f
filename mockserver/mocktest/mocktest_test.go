package mocktest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

func TestEachMockIsIsolatedWithItsOwnClock(t *testing.T) {
	a, b := mocktest.New(t), mocktest.New(t)
	require.NoError(t, a.Advance(time.Hour))
	assert.Equal(t, mocktest.DefaultStart.Add(time.Hour), a.Now())
	assert.Equal(t, mocktest.DefaultStart, b.Now())
	resp, err := b.Client().Get(b.ControlURL() + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// BenchmarkStart guards start-up cost: a fresh mock per test (and per scenario) must stay cheap,
// well under 100 ms.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		m, err := mocktest.Start()
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}
