package steps_test

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

// Against a served mock, whose clock runs in real time, a scenario that moves the clock to just
// before an expiry counts from the expiry the target wrote, not from when it wrote it. Here the answer
// to the request's creation arrives a second after the mock stamped it, as over a slow network or
// through a proxy (Prism's, in make conform-prism): EE-15-a still finds the request pending a second
// before its link expires.
func TestExpiryScenariosHoldOnAServedClock(t *testing.T) {
	mock, err := mockserver.New(mockserver.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(mock.Close)
	slowCreation := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/eeid/api/ident/v1/identification_requests" {
			mock.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		mock.ServeHTTP(rec, r)
		time.Sleep(time.Second) // the network's delay: real time, which the served clock follows
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
	s, err := suite.New(suite.Config{API: "eeid", Target: target.URL(newHTTPServer(t, slowCreation) + "/eeid")})
	require.NoError(t, err)
	for _, sc := range s.Scenarios() {
		if sc.ID == "EE-15-a" {
			res := s.Run(context.Background(), sc)
			assert.Equal(t, scenario.Passed, res.Status, "%s: %s", res.FailedStep, res.Reason)
			return
		}
	}
	t.Fatal("no scenario EE-15-a")
}
