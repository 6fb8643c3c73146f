package steps_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/steps"
)

func newHTTPServer(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// principalsOf is the mock's fixture principals by role, as a principals file gives them: read
// through their JSON, the control API's Principal, as the suite reads a target's.
func principalsOf(t *testing.T, m *mocktest.Server) map[string]steps.Principal {
	t.Helper()
	raw, err := json.Marshal(m.Principals())
	require.NoError(t, err)
	var list []steps.Principal
	require.NoError(t, json.Unmarshal(raw, &list))
	out := map[string]steps.Principal{}
	for _, p := range list {
		out[p.Role] = p
	}
	return out
}
