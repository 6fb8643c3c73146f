package rampable

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
)

// Fixtures is Rampable's section of the fixture set (the control API's RampableFixtures schema, which
// a test holds to this type).
type Fixtures struct {
	Settings      Settings              `json:"settings,omitzero"`
	Organizations []OrganizationFixture `json:"organizations,omitempty"`
	Users         []UserFixture         `json:"users,omitempty"`
}

// Settings are Rampable's lifetimes, in seconds, and its attempt limit; zero takes the default.
type Settings struct {
	VerificationTokenTTL int `json:"verification_token_ttl,omitempty"` // default 600
	AccessTokenTTL       int `json:"access_token_ttl,omitempty"`       // default 86400
	OTPMaxAttempts       int `json:"otp_max_attempts,omitempty"`       // default 5
}

// Defaults of Settings (openapi/rampable.yaml's info.description): the vendor publishes none.
const (
	DefaultVerificationTokenTTL = 10 * time.Minute
	DefaultAccessTokenTTL       = 24 * time.Hour
	DefaultOTPMaxAttempts       = 5
)

func (s Settings) verificationTokenTTL() time.Duration {
	return mockapi.Seconds(s.VerificationTokenTTL, DefaultVerificationTokenTTL)
}

func (s Settings) accessTokenTTL() time.Duration {
	return mockapi.Seconds(s.AccessTokenTTL, DefaultAccessTokenTTL)
}

func (s Settings) otpMaxAttempts() int {
	if s.OTPMaxAttempts > 0 {
		return s.OTPMaxAttempts
	}
	return DefaultOTPMaxAttempts
}

// OrganizationFixture is an organization fixture users belong to, as a user's organizationId shows it.
type OrganizationFixture struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// UserFixture is a user of a named role. An unverified one has registered and never verified, so it
// cannot log in (RP-14). What is left out is made at random (policy, transfiId) or takes the
// vendor's sample's value (user_role admin).
type UserFixture struct {
	Role           string `json:"role"`
	ID             string `json:"id"`
	Email          string `json:"email"`
	Password       string `json:"password"`
	FullName       string `json:"full_name"`
	OrganizationID string `json:"organization_id"`
	Policy         string `json:"policy,omitempty"`
	UserRole       string `json:"user_role,omitempty"`
	Unverified     bool   `json:"unverified,omitempty"`
	Country        string `json:"country,omitempty"`
	CountryCode    string `json:"country_code,omitempty"`
	TransfiID      string `json:"transfi_id,omitempty"`
	IsKYC          bool   `json:"iskyc,omitempty"`
	KYCURL         string `json:"kyc_url,omitempty"`
}

// seed stores the section's users, each with its organization.
func (m *Mock) seed(ctx context.Context, s store.Store, f *Fixtures) error {
	orgs := map[string]string{}
	for _, o := range f.Organizations {
		if _, dup := orgs[o.ID]; dup {
			return fmt.Errorf("rampable: organization %s is listed twice", o.ID)
		}
		orgs[o.ID] = o.Name
	}
	now := m.env.Clock.Now()
	for _, u := range f.Users {
		name, ok := orgs[u.OrganizationID]
		if !ok {
			return fmt.Errorf("rampable: user %s: no organization %s", u.Email, u.OrganizationID)
		}
		if err := createUser(ctx, s, m.newUser(u, name, now)); err != nil {
			return fmt.Errorf("rampable: user %s: %w", u.Email, err)
		}
	}
	return nil
}

// newUser is the record of a fixture user, as if it had registered now.
func (m *Mock) newUser(u UserFixture, orgName string, now time.Time) user {
	rec := user{ID: u.ID, Email: u.Email, PasswordDigest: m.env.Passwords.Digest(u.Password), FullName: u.FullName,
		OrganizationID: u.OrganizationID, OrganizationName: orgName, Policy: u.Policy, UserRole: u.UserRole,
		Verified: !u.Unverified, Country: u.Country, CountryCode: u.CountryCode, TransfiID: u.TransfiID, IsKYC: u.IsKYC,
		KYCURL: u.KYCURL, CreatedAt: now, UpdatedAt: now}
	if rec.Policy == "" {
		rec.Policy = objectID()
	}
	if rec.UserRole == "" {
		rec.UserRole = "admin"
	}
	if rec.TransfiID == "" {
		rec.TransfiID = newTransfiID()
	}
	return rec
}

// roles are the section's users. A fresh one is a user of the same role, verified or not as its
// fixture, in the same organization, with a new id, email and password.
func (m *Mock) roles(f Fixtures) []mockapi.Role {
	return mockapi.RolesOf(f.Users, func(u UserFixture) mockapi.Role {
		return mockapi.Role{Principal: principal(u), Fresh: func(ctx context.Context) (mockapi.Principal, error) {
			fresh := u
			fresh.Email = mockapi.FreshSuffix() + "." + u.Email
			fresh.Password = rand.Text()
			fresh.TransfiID = ""
			var err error
			for range 5 { // a fresh id repeats one in use about never; a few tries settle it
				fresh.ID = objectID()
				if err = createUser(ctx, m.env.Store, m.newUser(fresh, f.organizationName(u.OrganizationID), m.env.Clock.Now())); !errors.Is(err, store.ErrAlreadyExists) {
					break
				}
			}
			return principal(fresh), err
		}}
	})
}

func (f Fixtures) organizationName(id string) string {
	for _, o := range f.Organizations {
		if o.ID == id {
			return o.Name
		}
	}
	return ""
}

// Principal attributes.
const (
	attrFullName       = "full_name"
	attrOrganizationID = "organization_id"
)

func principal(u UserFixture) mockapi.Principal {
	return mockapi.Principal{Role: u.Role, API: Name, Kind: mockapi.KindUser, ID: u.ID, Email: u.Email, Password: u.Password,
		Attributes: map[string]string{attrFullName: u.FullName, attrOrganizationID: u.OrganizationID}}
}
