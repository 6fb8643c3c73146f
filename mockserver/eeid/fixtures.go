package eeid

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
)

// Fixtures is eeID's section of the fixture set (the control API's EeidFixtures schema,
// which a test holds to this type).
type Fixtures struct {
	Settings   Settings         `json:"settings,omitzero"`
	Services   []ServiceFixture `json:"services,omitempty"`
	Identities []Identity       `json:"identities,omitempty"`
}

// Settings are eeID's lifetimes, in seconds; zero takes the default.
type Settings struct {
	TokenTTL int `json:"token_ttl,omitempty"` // default 120, as the vendor says
	LinkTTL  int `json:"link_ttl,omitempty"`  // default 604800: 7 days, as the developer guide says
}

// Defaults of Settings.
const (
	DefaultTokenTTL = 120 * time.Second
	DefaultLinkTTL  = 7 * 24 * time.Hour
)

func (s Settings) tokenTTL() time.Duration { return mockapi.Seconds(s.TokenTTL, DefaultTokenTTL) }

func (s Settings) linkTTL() time.Duration { return mockapi.Seconds(s.LinkTTL, DefaultLinkTTL) }

// ServiceFixture is an identification service of a named role.
type ServiceFixture struct {
	Role         string `json:"role"`
	Name         string `json:"name"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	WebhookURL   string `json:"webhook_url,omitempty"`
}

// Identity is a test identity a person completes an identification as: what the eeID result says
// of them.
type Identity struct {
	Sub                string `json:"sub"`
	GivenName          string `json:"given_name"`
	FamilyName         string `json:"family_name"`
	DateOfBirth        string `json:"date_of_birth"` // YYYY-MM-DD
	Country            string `json:"country"`       // ISO 3166-1 alpha-2
	AuthenticationType string `json:"authentication_type,omitempty"`
	ACR                string `json:"acr,omitempty"`
	IDNumber           string `json:"id_number,omitempty"`
	DocumentNumber     string `json:"document_number,omitempty"`
	ValidUntil         string `json:"valid_until,omitempty"` // YYYY-MM-DD: the result's expiration_time
}

// seed checks the section's identities and stores its services.
func (m *Mock) seed(ctx context.Context, s store.Store, f *Fixtures) error {
	for _, id := range f.Identities {
		if err := id.check(); err != nil {
			return fmt.Errorf("eeid: identity %q: %w", id.Sub, err)
		}
	}
	for _, sf := range f.Services {
		if err := createService(ctx, s, sf); err != nil {
			return fmt.Errorf("eeid: service %s: %w", sf.ClientID, err)
		}
	}
	return nil
}

// roles are the section's services. A fresh one has a new client id in the vendor's shape
// (oidc-<uuid>-<n>), a new secret, and no webhook URL.
func (m *Mock) roles(f Fixtures) []mockapi.Role {
	return mockapi.RolesOf(f.Services, func(sf ServiceFixture) mockapi.Role {
		return mockapi.Role{Principal: principal(sf), Fresh: func(ctx context.Context) (mockapi.Principal, error) {
			fresh := sf
			fresh.ClientID = fmt.Sprintf("oidc-%s-%d", uuid.NewString(), 1+randByte()%99)
			fresh.ClientSecret, fresh.WebhookURL = rand.Text(), ""
			return principal(fresh), createService(ctx, m.env.Store, fresh)
		}}
	})
}

func createService(ctx context.Context, s store.Store, sf ServiceFixture) error {
	if sf.WebhookURL != "" {
		if err := checkWebhookURL(sf.WebhookURL); err != nil {
			return err
		}
	}
	return store.Create(ctx, s, kindService, sf.ClientID, service(sf))
}

// principal is a service as the control API hands it out: its client credentials, which also key its
// webhooks' signatures.
func principal(sf ServiceFixture) mockapi.Principal {
	return mockapi.Principal{Role: sf.Role, API: Name, Kind: mockapi.KindClient, ID: sf.ClientID, ClientID: sf.ClientID,
		ClientSecret: sf.ClientSecret, Attributes: map[string]string{"name": sf.Name}}
}

func randByte() int {
	var b [1]byte
	_, _ = rand.Read(b[:]) // never fails: it crashes the program if the system's random source does
	return int(b[0])
}

// secretsEqual compares two secrets in constant time.
func secretsEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// check says what makes an identity one the API could not show: it needs a sub, its dates are
// written YYYY-MM-DD and its country is an ISO 3166-1 alpha-2 code.
func (id Identity) check() error {
	switch {
	case id.Sub == "":
		return errors.New("an identity needs a sub")
	case !validDate(id.DateOfBirth) || (id.ValidUntil != "" && !validDate(id.ValidUntil)):
		return errors.New("dates are written YYYY-MM-DD")
	case id.Country != "" && !validCountry(id.Country):
		return errors.New("a country is an ISO 3166-1 alpha-2 code")
	}
	return nil
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// validCountry reports whether s is written as an ISO 3166-1 alpha-2 code: two letters (compared
// case-insensitively, as every claim is).
func validCountry(s string) bool {
	letter := func(b byte) bool { return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' }
	return len(s) == 2 && letter(s[0]) && letter(s[1])
}
