package mockserver

import (
	"fmt"
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

// hostNames is what a mock answers beside IP literals and localhost names (servesHost): the public
// URL's host and Config.AllowedHosts, each lower case without a trailing dot, or any name at all.
type hostNames struct {
	any   bool
	names map[string]bool
}

// newHostNames reads Config.AllowedHosts beside the public URL's host. A listed name is a bare host
// name: one with a scheme, a port or brackets could never equal a Host's name, so it is refused
// rather than silently never matching.
func newHostNames(allowed []string, publicHost string) (hostNames, error) {
	h := hostNames{names: map[string]bool{}}
	if publicHost != "" {
		h.names[canonicalHost(publicHost)] = true
	}
	for _, listed := range allowed {
		if listed == "*" {
			h.any = true
			continue
		}
		name := canonicalHost(listed)
		if name == "" || strings.ContainsAny(name, "*:/[]@ \t") {
			return h, fmt.Errorf("mockserver: allowed host %q: want a host name (idvkit, host.docker.internal), or * for any; IP addresses are always answered", listed)
		}
		h.names[name] = true
	}
	return h, nil
}

// canonicalHost is a host name as compared: lower case, without the trailing dot of a fully
// qualified name (localhost. is localhost).
func canonicalHost(name string) string { return strings.TrimSuffix(strings.ToLower(name), ".") }

// hostName is a Host header's name, without its port.
func hostName(host string) string {
	if name, _, err := net.SplitHostPort(host); err == nil {
		return name
	}
	return host
}

// servesHost reports whether the mock answers a request that names it host (its Host header, port
// and all), on whatever address it listens: an IP literal (an address means only itself, where DNS
// rebinding needs a name whose resolution the attacker controls), localhost or a name under .localhost (browsers resolve
// them to loopback themselves, never through DNS), the public URL's host, or a name listed in
// Config.AllowedHosts. Any other name is one an attacker's DNS could point at the mock, so the page
// that carries it would read the mock's answers as its own. A listener beyond loopback is no
// exception: `docker run -p 8080:8080` listens on 0.0.0.0 inside the container and is reached from
// the developer's browser at localhost all the same. It holds for every route: the APIs take the
// fixture credentials printed in the banner and README, so a page that reached them could log in
// as any fixture user and read whatever the developer's application had sent the mock.
func (s *Server) servesHost(host string) bool {
	if s.hosts.any {
		return true
	}
	name := canonicalHost(hostName(host))
	if _, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")); err == nil {
		return true
	}
	return name == "localhost" || strings.HasSuffix(name, ".localhost") || s.hosts.names[name]
}

// otherHostError refuses a request servesHost refuses, in the control API's shape, saying which flag
// would admit its name: a docker-compose service name or host.docker.internal is a name someone
// means, and they learn here how to say so.
func otherHostError(host string) error {
	msg := "This mock answers a Host that is an IP address, localhost, a name under .localhost, the host of its --public-url " +
		"or a name given with --allowed-hosts (IDVKIT_ALLOWED_HOSTS): any other name could be a DNS rebinding"
	if name := hostName(host); name != "" {
		msg += fmt.Sprintf(". To answer %q, start it with --allowed-hosts %s", name, canonicalHost(name))
	}
	return mockapi.ControlFieldError(http.StatusForbidden, "forbidden", "Host", msg)
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
			mockapi.ControlErrors().Answer(w, r, mockapi.ControlFieldError(http.StatusForbidden, "forbidden", field,
				"A browser marked this call as sent by another site's page; the control API takes calls that change state only from programs and from its own origin"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
