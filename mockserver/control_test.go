package mockserver_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/openapi"
)

// controlReply is a control API answer that was checked against control.yaml.
type controlReply struct {
	status int
	raw    []byte
}

// callControl sends a control request to a served mock over HTTP, path below /_mock, and checks the
// answer against control.yaml, undocumented statuses included, whatever the mock itself validated.
func callControl(t *testing.T, m *mocktest.Server, method, path string, header http.Header, body string) controlReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, m.ControlURL()+path, rd)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	if h := header.Get("Host"); h != "" {
		req.Host = h
	}
	resp, err := m.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	spec := openapi.MustLoad(openapi.Control)
	op, params, f := spec.Find(method, strings.SplitN(path, "?", 2)[0])
	require.Nil(t, f, "%s %s is a control operation", method, path)
	check, err := http.NewRequest(method, path, bytes.NewReader(nil))
	require.NoError(t, err)
	if f := op.ValidateResponse(context.Background(), check, params, resp.StatusCode, resp.Header, raw); f != nil {
		t.Errorf("the %d answer to %s %s breaks control.yaml (%s): %v: %s", resp.StatusCode, method, path, op.ID, f, raw)
	}
	return controlReply{status: resp.StatusCode, raw: raw}
}

// Every operation that takes an id answers an id it does not know with 404, and an id its schema
// refuses with a documented 400 that names the parameter, never an undocumented status.
func TestControlIdsOutsideTheirSchemaGetADocumented400(t *testing.T) {
	m := mocktest.New(t)
	for _, c := range []struct {
		method, path, valid, invalid string
	}{
		{"POST", "/randaverify/users/%s/suspend", "999999", "abc"},
		{"POST", "/randaverify/users/%s/reactivate", "999999", "12a"},
		{"POST", "/eeid/identification_requests/%s/abort", strings.Repeat("a", 64), strings.Repeat("a", 65)},
		{"POST", "/eeid/identification_requests/%s/expire", strings.Repeat("a", 64), strings.Repeat("a", 65)},
		{"POST", "/eeid/deliveries/%s/replay", strings.Repeat("a", 64), strings.Repeat("a", 65)},
		{"GET", "/eeid/services/%s/deliveries", strings.Repeat("c", 256), strings.Repeat("c", 257)},
	} {
		valid := strings.Replace(c.path, "%s", c.valid, 1)
		r := callControl(t, m, c.method, valid, nil, "")
		assert.Contains(t, []int{http.StatusOK, http.StatusNotFound}, r.status, "%s %s: %s", c.method, valid, r.raw)

		invalid := strings.Replace(c.path, "%s", c.invalid, 1)
		r = callControl(t, m, c.method, invalid, nil, "")
		assert.Equal(t, http.StatusBadRequest, r.status, "%s %s: %s", c.method, invalid, r.raw)
		assert.Contains(t, string(r.raw), `"field":"`, "the parameter is named")
	}
}
