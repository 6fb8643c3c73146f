package mocktest

import (
	"time"

	"github.com/idvkit/idvkit/mockserver/mockapi"
)

// Bundeling's control operations (openapi/control.yaml, x-api: bundeling), each a method named after
// its operationId.

// BundelingToken is a user-identity token minted for a member, and the link it was put in when one
// was rendered.
type BundelingToken struct {
	Token     string    `json:"token"`
	UserUUID  string    `json:"user_uuid"`
	ExpiresAt time.Time `json:"expires_at"`
	Link      string    `json:"link,omitempty"`
}

// RenderBundelingLink does what the Bundeling app does when a member opens a link: every
// {{useridentity}} in template becomes one fresh token for the member (a principal's ID).
func (s *Server) RenderBundelingLink(template, userUUID string) (BundelingToken, error) {
	var t BundelingToken
	err := s.Control("renderBundelingLink", nil, map[string]string{"template": template, "user_uuid": userUUID}, &t)
	return t, err
}

// MintBundelingToken mints a user-identity token for a member; tokens minted earlier stay valid.
func (s *Server) MintBundelingToken(userUUID string) (BundelingToken, error) {
	var t BundelingToken
	err := s.Control("mintBundelingToken", map[string]string{"uuid": userUUID}, nil, &t)
	return t, err
}

// BundelingMember is a member CreateBundelingUser makes in a club (an environment's uuid); what it
// leaves empty is made up.
type BundelingMember struct {
	Environment       string            `json:"environment"`
	Username          string            `json:"username,omitempty"`
	Password          string            `json:"password,omitempty"`
	Firstname         string            `json:"firstname,omitempty"`
	Surname           string            `json:"surname,omitempty"`
	Email             string            `json:"email,omitempty"`
	ExternalReference string            `json:"external_reference,omitempty"`
	Labels            []string          `json:"labels,omitempty"`
	Metadata          map[string]string `json:"metadata,omitempty"`
}

// CreateBundelingUser creates a member of a club.
func (s *Server) CreateBundelingUser(member BundelingMember) (mockapi.Principal, error) {
	var p mockapi.Principal
	err := s.Control("createBundelingUser", nil, member, &p)
	return p, err
}

// CreateBundelingApiKey creates an API key of either kind: one that needs a member's login
// (BundelingAuth) on every call, or one that does not (it sees labels). Without an environment the
// key is in a new club of its own.
func (s *Server) CreateBundelingApiKey(userAuthentication bool, environment string) (mockapi.Principal, error) {
	body := struct {
		UserAuthentication bool   `json:"user_authentication"`
		Environment        string `json:"environment,omitempty"`
	}{userAuthentication, environment}
	var p mockapi.Principal
	err := s.Control("createBundelingApiKey", nil, body, &p)
	return p, err
}

// SetBundelingExternalReference sets what the partner's site keys a member on.
func (s *Server) SetBundelingExternalReference(userUUID, reference string) error {
	return s.Control("setBundelingExternalReference", map[string]string{"uuid": userUUID}, map[string]string{"external_reference": reference}, nil)
}
