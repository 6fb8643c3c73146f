package rambase_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// hotPath is one row of the benchmark table: a request against the mock. Each later API adds rows.
type hotPath struct {
	name string
	// prepare logs in or seeds what the request needs, and returns the request's parts.
	prepare func(b *testing.B, m *mocktest.Server) benchRequest
}

type benchRequest struct {
	method, url, contentType, auth, body string
}

func (r benchRequest) send(client *http.Client, base string) (*http.Response, error) {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, base+r.url, body)
	if err != nil {
		return nil, err
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	return client.Do(req)
}

var hotPaths = []hotPath{
	{"rambase/verify", func(b *testing.B, m *mocktest.Server) benchRequest {
		client := mustToken(b, m, "grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret")
		user := mustToken(b, m, "grant_type=password&client_id=forecast-api&client_secret=forecast-secret&username=anna&password=anna-password")
		var sess struct {
			Session struct{ IDVerificationToken string }
		}
		mustJSON(b, m, benchRequest{method: "GET", url: "/rambase/system/sessions/current", auth: "Bearer " + user}, &sess)
		return benchRequest{method: "GET", url: "/rambase/id-verification?id_verification_token=" + url.QueryEscape(sess.Session.IDVerificationToken), auth: "Bearer " + client}
	}},
	{"rambase/token", func(*testing.B, *mocktest.Server) benchRequest {
		return benchRequest{method: "POST", url: "/rambase/oauth2/access_token", contentType: "application/x-www-form-urlencoded",
			body: "grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret"}
	}},
	{"rambase/rejected-body", func(*testing.B, *mocktest.Server) benchRequest {
		return benchRequest{method: "POST", url: "/rambase/oauth2/access_token", contentType: "application/x-www-form-urlencoded",
			body: "grant_type=implicit&client_id=forecast-api&client_secret=forecast-secret"}
	}},
	{"rambase/rejected-auth", func(*testing.B, *mocktest.Server) benchRequest {
		return benchRequest{method: "GET", url: "/rambase/id-verification?id_verification_token=x"}
	}},
}

// BenchmarkHotPaths drives each hot path over loopback with keep-alive against the validated,
// stateful mock and, in the same run, against a bare handler that returns the same bytes. It
// reports requests per second for both and, on the mock's row, its throughput as a fraction of the
// bare handler's (x-bare; goals: 0.6 for valid requests, 0.5 for rejected ones).
func BenchmarkHotPaths(b *testing.B) {
	for _, hp := range hotPaths {
		b.Run(hp.name, func(b *testing.B) {
			m := mocktest.New(b)
			req := hp.prepare(b, m)
			status, header, body := capture(b, m, req)
			bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", header.Get("Content-Type"))
				w.WriteHeader(status)
				_, _ = w.Write(body)
			}))
			b.Cleanup(bare.Close)

			var bareRate float64
			b.Run("bare", func(b *testing.B) { bareRate = drive(b, bare.Client(), bare.URL, req, status) })
			b.Run("mock", func(b *testing.B) {
				rate := drive(b, m.Client(), m.URL, req, status)
				if bareRate > 0 {
					b.ReportMetric(rate/bareRate, "x-bare")
				}
			})
		})
	}
}

// drive sends the request b.N times from parallel keep-alive clients and returns requests per second.
func drive(b *testing.B, client *http.Client, base string, req benchRequest, want int) float64 {
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := req.send(client, base)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				b.Errorf("status %d, want %d", resp.StatusCode, want)
				return
			}
		}
	})
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "req/s")
	return rate
}

func capture(b *testing.B, m *mocktest.Server, req benchRequest) (int, http.Header, []byte) {
	resp, err := req.send(m.Client(), m.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

func mustToken(b *testing.B, m *mocktest.Server, form string) string {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	mustJSON(b, m, benchRequest{method: "POST", url: "/rambase/oauth2/access_token", contentType: "application/x-www-form-urlencoded", body: form}, &tok)
	return tok.AccessToken
}

func mustJSON(b *testing.B, m *mocktest.Server, req benchRequest, out any) {
	status, _, body := capture(b, m, req)
	if status != http.StatusOK {
		b.Fatalf("%s %s: %d %s", req.method, req.url, status, body)
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(out); err != nil {
		b.Fatal(err)
	}
}
