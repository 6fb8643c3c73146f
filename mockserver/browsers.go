package mockserver

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/idvkit/idvkit/mockserver/mockapi"
)

// What the mock refuses from web pages. A developer's browser runs pages of any site beside a mock on
// 127.0.0.1 whose control API wants no token, and two things would let such a page drive it: a
// cross-site form or fetch that changes state (a reset, a suspension), and DNS rebinding, where the
// page's own name comes to resolve to 127.0.0.1 and it reads what the mock answers as same-origin (the
// outbox's one-time passwords, the fixtures' credentials). Development servers refuse both (Vite,
// webpack-dev-server); so does the mock.

// servesHost reports whether the mock answers a request that names it host (its Host header, port
// and all). A mock that listens on loopback only (Config.Loopback) answers only the loopback names
// (localhost, 127.0.0.0/8, ::1, with or without a port) and the public URL's host: a name that any
// page's DNS could point at 127.0.0.1 is refused. It holds for the whole listener, APIs and pages
// included: the APIs take the fixture credentials printed in the banner and README, so a page that
// reached them could log in as any fixture user and read whatever the developer's application had
// sent the mock. A mock listening beyond loopback answers every name (a container, a proxy).
func (s *Server) servesHost(host string) bool {
	if !s.cfg.Loopback {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.ToLower(strings.Trim(name, "[]")), ".")
	if ip, err := netip.ParseAddr(name); err == nil {
		return ip.Unmap().IsLoopback()
	}
	return name == "localhost" || (name != "" && name == s.publicHost)
}

// refuseOtherHosts answers 403, in the control API's shape, a request servesHost refuses.
func (s *Server) refuseOtherHosts(w http.ResponseWriter, r *http.Request) bool {
	if s.servesHost(r.Host) {
		return false
	}
	mockapi.WriteControlFieldError(w, http.StatusForbidden, "forbidden", "Host",
		"This mock listens on loopback and answers only localhost, 127.0.0.1 and [::1] (and the host of its --public-url): another name can be a DNS rebinding")
	return true
}

// refuseCrossSite guards the control API: a state-changing call (any method but GET, HEAD and
// OPTIONS) that a browser marks as sent by another site's page is refused with 403 before anything
// else is judged, token or not. net/http's CrossOriginProtection judges it: Sec-Fetch-Site must be
// same-origin or none (typed by the user), and without it an Origin must match the Host or be the
// public URL's (Origin: null, which a page can send on purpose, matches nothing). same-site is
// refused too: every other port of localhost is the same site, so it would admit any other local
// development server's page. Programs (curl, the suite, a Go test) send neither header and pass.
func (s *Server) refuseCrossSite(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.crossOrigin.Check(r); err != nil {
			field := "Origin"
			if r.Header.Get("Sec-Fetch-Site") != "" {
				field = "Sec-Fetch-Site"
			}
			mockapi.WriteControlFieldError(w, http.StatusForbidden, "forbidden", field,
				"A browser marked this call as sent by another site's page; the control API takes calls that change state only from programs and from its own origin")
			return
		}
		next.ServeHTTP(w, r)
	})
}
