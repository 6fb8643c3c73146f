package randaverify

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"time"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
)

// Fixtures is RandaVerify's section of the fixture set (the control API's RandaVerifyFixtures schema,
// which a test holds to this type).
type Fixtures struct {
	Settings      Settings              `json:"settings,omitzero"`
	Organisations []OrganisationFixture `json:"organisations,omitempty"`
	Users         []UserFixture         `json:"users,omitempty"`
	People        []Person              `json:"people,omitempty"`
}

// Settings are RandaVerify's lifetimes, in seconds; zero takes the default.
type Settings struct {
	AccessTokenTTL int `json:"access_token_ttl,omitempty"` // default 3600, as the seed says
	ResetLinkTTL   int `json:"reset_link_ttl,omitempty"`   // default 3600
}

// Defaults of Settings.
const (
	DefaultAccessTokenTTL = time.Hour
	DefaultResetLinkTTL   = time.Hour
)

func (s Settings) accessTokenTTL() time.Duration {
	return mockapi.Seconds(s.AccessTokenTTL, DefaultAccessTokenTTL)
}

func (s Settings) resetLinkTTL() time.Duration {
	return mockapi.Seconds(s.ResetLinkTTL, DefaultResetLinkTTL)
}

// OrganisationFixture is an organisation and its wallet, in the shape /me shows it.
type OrganisationFixture struct {
	ID                     int64  `json:"id"`
	Name                   string `json:"name"`
	Slug                   string `json:"slug"`
	TierName               string `json:"tier_name"`
	SubscriptionStatus     string `json:"subscription_status"`
	SubscriptionExpiry     string `json:"subscription_expiry"`
	LifetimeUnitsPurchased int64  `json:"lifetime_units_purchased"`
	LifetimeBadge          Badge  `json:"lifetime_badge"`
	WalletBalance          int64  `json:"wallet_balance"`
}

// Badge is an organisation's lifetime badge.
type Badge struct {
	Name      string `json:"name"`
	Threshold int64  `json:"threshold"`
}

// UserFixture is a user of a named role. A user whose password is a one-time password, as
// operations hand out, must change it after logging in.
type UserFixture struct {
	Role            string `json:"role"`
	ID              int64  `json:"id"`
	Username        string `json:"username"`
	Email           string `json:"email"`
	Password        string `json:"password"`
	OneTimePassword bool   `json:"one_time_password,omitempty"`
	OrganisationID  int64  `json:"organisation_id"`
	Roles           string `json:"roles"`
	Suspended       bool   `json:"suspended,omitempty"`
}

// seed stores the section's organisations, users and people.
func (m *Mock) seed(ctx context.Context, s store.Store, f *Fixtures) error {
	orgs := map[int64]bool{}
	for _, o := range f.Organisations {
		if err := store.Create(ctx, s, kindOrganisation, idKey(o.ID), organisation(o)); err != nil {
			return fmt.Errorf("randaverify: organisation %d: %w", o.ID, err)
		}
		orgs[o.ID] = true
	}
	for _, u := range f.Users {
		if !orgs[u.OrganisationID] {
			return fmt.Errorf("randaverify: user %s: no organisation %d", u.Username, u.OrganisationID)
		}
		if err := m.createUser(ctx, s, u); err != nil {
			return fmt.Errorf("randaverify: user %s: %w", u.Username, err)
		}
	}
	for _, p := range f.People {
		if !validNIN(p.NIN) {
			return fmt.Errorf("randaverify: person %q: a NIN is 11 digits", p.NIN)
		}
		if err := store.Create(ctx, s, kindPerson, p.NIN, p); err != nil {
			return fmt.Errorf("randaverify: person %s: %w", p.NIN, err)
		}
	}
	return nil
}

// roles are the section's users. A fresh one is a user of the same role in a fresh copy of its
// fixture's organisation, with the same wallet, so concurrent tests share neither a user nor a
// wallet; a role whose fixture has a one-time password gets a new one-time password.
func (m *Mock) roles(f Fixtures) []mockapi.Role {
	return mockapi.RolesOf(f.Users, func(u UserFixture) mockapi.Role {
		return mockapi.Role{Principal: principal(u, f.organisation(u.OrganisationID)), Fresh: func(ctx context.Context) (mockapi.Principal, error) {
			suffix := mockapi.FreshSuffix()
			o := f.organisation(u.OrganisationID)
			o.Slug = o.Slug + "-" + suffix
			if err := mockapi.WithFreshID(&o.ID, func() error {
				return store.Create(ctx, m.env.Store, kindOrganisation, idKey(o.ID), organisation(o))
			}); err != nil {
				return mockapi.Principal{}, err
			}
			fresh := u
			fresh.OrganisationID = o.ID
			fresh.Username, fresh.Password = u.Username+"-"+suffix, rand.Text()
			fresh.Email = suffix + "." + u.Email
			err := mockapi.WithFreshID(&fresh.ID, func() error { return m.createUser(ctx, m.env.Store, fresh) })
			return principal(fresh, o), err
		}}
	})
}

func (f Fixtures) organisation(id int64) OrganisationFixture {
	for _, o := range f.Organisations {
		if o.ID == id {
			return o
		}
	}
	return OrganisationFixture{}
}

// createUser stores a user with its username and email claimed in the same step; a taken id, name or
// email gives store.ErrAlreadyExists and stores nothing.
func (m *Mock) createUser(ctx context.Context, s store.Store, u UserFixture) error {
	rec := user{ID: u.ID, Role: u.Role, Username: u.Username, Email: u.Email, PasswordDigest: m.env.Passwords.Digest(u.Password),
		OrganisationID: u.OrganisationID, Roles: u.Roles, Active: !u.Suspended, RequirePasswordChange: u.OneTimePassword}
	return store.Create(ctx, s, kindUser, idKey(u.ID), rec, store.Unique(usernameKey(u.Username), emailKey(u.Email)))
}

// Principal attributes.
const (
	attrOrganisationID   = "organisation_id"
	attrOrganisationSlug = "organisation_slug"
)

func principal(u UserFixture, o OrganisationFixture) mockapi.Principal {
	return mockapi.Principal{Role: u.Role, API: Name, Kind: mockapi.KindUser, ID: idKey(u.ID), Username: u.Username,
		Password: u.Password, Email: u.Email,
		Attributes: map[string]string{attrOrganisationID: strconv.FormatInt(o.ID, 10), attrOrganisationSlug: o.Slug}}
}
