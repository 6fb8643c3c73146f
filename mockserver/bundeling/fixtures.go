package bundeling

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
)

// Fixtures is Bundeling's section of the fixture set (the control API's BundelingFixtures schema,
// which a test holds to this type).
type Fixtures struct {
	Settings     Settings             `json:"settings,omitzero"`
	Environments []EnvironmentFixture `json:"environments,omitempty"`
	APIKeys      []APIKeyFixture      `json:"api_keys,omitempty"`
	Users        []UserFixture        `json:"users,omitempty"`
}

// Settings are Bundeling's lifetimes, in seconds; zero takes the default.
type Settings struct {
	TokenTTL int `json:"token_ttl,omitempty"` // a user-identity token's; default 300
	LoginTTL int `json:"login_ttl,omitempty"` // a BundelingAuth token's; default 3600
}

// Defaults of Settings (our choices: the vendor publishes neither).
const (
	DefaultTokenTTL = 5 * time.Minute
	DefaultLoginTTL = time.Hour
)

func (s Settings) tokenTTL() time.Duration { return mockapi.Seconds(s.TokenTTL, DefaultTokenTTL) }
func (s Settings) loginTTL() time.Duration { return mockapi.Seconds(s.LoginTTL, DefaultLoginTTL) }

// EnvironmentFixture is a club, with the AppCMS links its managers made.
type EnvironmentFixture struct {
	UUID     string `json:"uuid"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone,omitempty"`
	Links    []Link `json:"links,omitempty"`
}

// Link is an AppCMS link: its template holds {{useridentity}}, which Bundeling replaces with a fresh
// token for the user who opens it.
type Link struct {
	Title    string `json:"title"`
	Template string `json:"template"`
}

// APIKeyFixture is an environment's API key of a named role.
type APIKeyFixture struct {
	Role               string `json:"role"`
	Key                string `json:"key"`
	Environment        string `json:"environment"`
	UserAuthentication bool   `json:"user_authentication"`
}

// UserFixture is a member of an environment; one with a role is a principal of the suite. Text left
// out is empty, as the vendor writes it; creationdate is the time the fixtures were loaded unless
// given.
type UserFixture struct {
	Role              string            `json:"role,omitempty"`
	UUID              string            `json:"uuid"`
	Environment       string            `json:"environment"`
	Username          string            `json:"username"`
	Password          string            `json:"password"`
	Firstname         string            `json:"firstname,omitempty"`
	Surname           string            `json:"surname,omitempty"`
	Gender            string            `json:"gender,omitempty"`
	Birthday          string            `json:"birthday,omitempty"`
	Function          string            `json:"function,omitempty"`
	Email             string            `json:"email,omitempty"`
	Telephone         string            `json:"telephone,omitempty"`
	Mobilephone       string            `json:"mobilephone,omitempty"`
	ExternalReference string            `json:"external_reference,omitempty"`
	Labels            []string          `json:"labels,omitempty"`
	Metadata          map[string]string `json:"metadata,omitempty"`
	Hidden            bool              `json:"hidden,omitempty"`
	Deactivated       bool              `json:"deactivated,omitempty"`
	CreationDate      string            `json:"creationdate,omitempty"`
}

// timestampLayout is how the vendor writes a time: with an offset without a colon.
const timestampLayout = "2006-01-02T15:04:05-0700"

// seed stores the section's environments, keys and users. Users are stored oldest first (by
// creationdate, then uuid), the order the list reads them in.
func (m *Mock) seed(ctx context.Context, s store.Store, f *Fixtures) error {
	zones := map[string]*time.Location{}
	for _, e := range f.Environments {
		loc, err := time.LoadLocation(e.TimeZone)
		if err != nil {
			return fmt.Errorf("bundeling: environment %s: time zone %q: %w", e.UUID, e.TimeZone, err)
		}
		zones[e.UUID] = loc
		rec := environment{UUID: e.UUID, Name: e.Name, TimeZone: e.TimeZone, Links: e.Links}
		if err := store.Create(ctx, s, kindEnvironment, e.UUID, rec); err != nil {
			return fmt.Errorf("bundeling: environment %s: %w", e.UUID, err)
		}
	}
	for _, k := range f.APIKeys {
		if zones[k.Environment] == nil {
			return fmt.Errorf("bundeling: key of role %s: no environment %s", k.Role, k.Environment)
		}
		if err := createKey(ctx, s, k); err != nil {
			return fmt.Errorf("bundeling: key of role %s: %w", k.Role, err)
		}
	}
	now := m.env.Clock.Now()
	users := slices.Clone(f.Users)
	for i := range users {
		u := &users[i]
		loc := zones[u.Environment]
		if loc == nil {
			return fmt.Errorf("bundeling: user %s: no environment %s", u.UUID, u.Environment)
		}
		if u.CreationDate == "" {
			u.CreationDate = now.In(loc).Format(timestampLayout)
		} else if _, err := time.Parse(timestampLayout, u.CreationDate); err != nil {
			return fmt.Errorf("bundeling: user %s: creationdate %q: %w", u.UUID, u.CreationDate, err)
		}
	}
	slices.SortStableFunc(users, func(a, b UserFixture) int {
		ta, _ := time.Parse(timestampLayout, a.CreationDate)
		tb, _ := time.Parse(timestampLayout, b.CreationDate)
		return cmp.Or(ta.Compare(tb), cmp.Compare(a.UUID, b.UUID))
	})
	for _, u := range users {
		if err := m.createUser(ctx, s, u); err != nil {
			return fmt.Errorf("bundeling: user %s: %w", u.UUID, err)
		}
	}
	return nil
}

func createKey(ctx context.Context, s store.Store, k APIKeyFixture) error {
	return store.Create(ctx, s, kindAPIKey, store.SecretKey(k.Key), apiKey{Role: k.Role, Environment: k.Environment, UserAuthentication: k.UserAuthentication})
}

// createUser stores a user, its password as a digest, with its username claimed in its environment
// in the same step; a taken uuid or username gives store.ErrAlreadyExists and stores nothing.
func (m *Mock) createUser(ctx context.Context, s store.Store, u UserFixture) error {
	rec := user{UserFixture: u, PasswordDigest: m.env.Passwords.Digest(u.Password), LastUpdate: u.CreationDate}
	rec.Password = ""
	return store.Create(ctx, s, kindUser, u.UUID, rec, store.OwnedBy(u.Environment), store.Unique(usernameKey(u.Environment, u.Username)))
}

// roles are the section's keys and its users that have a role. A fresh key is a new key of the same
// kind in the same environment; a fresh user is a new member of the same environment with its
// fixture's fields, a new uuid, username, password and external reference, joining now.
func (m *Mock) roles(f Fixtures) []mockapi.Role {
	roles := mockapi.RolesOf(f.APIKeys, func(k APIKeyFixture) mockapi.Role {
		return mockapi.Role{Principal: keyPrincipal(k), Fresh: func(ctx context.Context) (mockapi.Principal, error) {
			fresh := k
			fresh.Key = newAPIKey()
			return keyPrincipal(fresh), createKey(ctx, m.env.Store, fresh)
		}}
	})
	for _, u := range f.Users {
		if u.Role == "" {
			continue
		}
		roles = append(roles, mockapi.Role{Principal: userPrincipal(u), Fresh: func(ctx context.Context) (mockapi.Principal, error) {
			fresh := u
			suffix := mockapi.FreshSuffix()
			fresh.Username, fresh.Password = u.Username+"-"+suffix, rand.Text()
			fresh.ExternalReference = cmp.Or(u.ExternalReference, "ext") + "-" + suffix
			return m.newUser(ctx, fresh)
		}})
	}
	return roles
}

// newUser stores a user made now in its environment, with a new uuid.
func (m *Mock) newUser(ctx context.Context, u UserFixture) (mockapi.Principal, error) {
	e, err := store.Get[environment](ctx, m.env.Store, kindEnvironment, u.Environment)
	if err != nil {
		return mockapi.Principal{}, err
	}
	if u.CreationDate, err = m.now(e); err != nil {
		return mockapi.Principal{}, err
	}
	u.UUID = newUUID()
	if err := m.createUser(ctx, m.env.Store, u); err != nil {
		return mockapi.Principal{}, err
	}
	return userPrincipal(u), nil
}

// now is the time on the mock's clock as the vendor writes it in an environment's time zone.
func (m *Mock) now(e environment) (string, error) {
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		return "", err
	}
	return m.env.Clock.Now().In(loc).Format(timestampLayout), nil
}

// Principal attributes.
const (
	attrAPIKey             = "api_key"
	attrEnvironment        = "environment"
	attrUserAuthentication = "user_authentication"
	attrExternalReference  = "external_reference"
)

func keyPrincipal(k APIKeyFixture) mockapi.Principal {
	return mockapi.Principal{Role: k.Role, API: Name, Kind: mockapi.KindClient, Attributes: map[string]string{
		attrAPIKey: k.Key, attrEnvironment: k.Environment, attrUserAuthentication: strconv.FormatBool(k.UserAuthentication)}}
}

func userPrincipal(u UserFixture) mockapi.Principal {
	attrs := map[string]string{attrEnvironment: u.Environment}
	if u.ExternalReference != "" {
		attrs[attrExternalReference] = u.ExternalReference
	}
	return mockapi.Principal{Role: u.Role, API: Name, Kind: mockapi.KindUser, ID: u.UUID, Username: u.Username, Password: u.Password,
		Email: u.Email, Attributes: attrs}
}

// newUUID is a Bundeling uuid: 32 lower-case hexadecimal characters, 128 random bits.
func newUUID() string { return randomHex(16) }

// newAPIKey is a new API key: 24 letters and digits, as the vendor's look (RAegSX8yZfEbqSPM, longer).
func newAPIKey() string { return rand.Text()[:24] }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
