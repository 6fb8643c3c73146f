package rambase

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
)

// Fixtures is RamBase's section of the fixture set (the control API's RamBaseFixtures schema,
// which a test holds to this type).
type Fixtures struct {
	System     string          `json:"system"`
	Database   string          `json:"database"`
	TestSystem bool            `json:"test_system,omitempty"`
	Settings   Settings        `json:"settings,omitzero"`
	Customers  []Party         `json:"customers,omitempty"`
	Suppliers  []Party         `json:"suppliers,omitempty"`
	Clients    []ClientFixture `json:"clients,omitempty"`
	Users      []UserFixture   `json:"users,omitempty"`

	// Sessions seals access tokens (session.go); their sessions belong to the seed's token epoch
	// (Section.Get), which ID verification tokens are minted in. Seed makes a new one, so a reset
	// refuses every token issued before it.
	Sessions *token.Sealer `json:"-"`
}

// Settings are RamBase's lifetimes and limits, in seconds and tries; zero takes the default.
type Settings struct {
	AccessTokenTTL int `json:"access_token_ttl,omitempty"` // default 3600: a session lives exactly as long as its token
	OTPTTL         int `json:"otp_ttl,omitempty"`          // default 300
	OTPMaxAttempts int `json:"otp_max_attempts,omitempty"` // default 5 wrong tries per code
}

// Defaults of Settings.
const (
	DefaultAccessTokenTTL = time.Hour
	DefaultOTPTTL         = 5 * time.Minute
	DefaultOTPMaxAttempts = 5
)

func (s Settings) accessTokenTTL() time.Duration {
	return mockapi.Seconds(s.AccessTokenTTL, DefaultAccessTokenTTL)
}

func (s Settings) otpTTL() time.Duration { return mockapi.Seconds(s.OTPTTL, DefaultOTPTTL) }

func (s Settings) otpMaxAttempts() int { return cmp.Or(s.OTPMaxAttempts, DefaultOTPMaxAttempts) }

// Party is a customer or supplier.
type Party struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ClientFixture is an API client of a named role; it is also how a client is stored.
type ClientFixture struct {
	Role         string  `json:"role"`
	ClientID     string  `json:"client_id"`
	ClientSecret string  `json:"client_secret"`
	UserID       int64   `json:"user_id"`
	CustomerIDs  []int64 `json:"customer_ids,omitempty"`
	SupplierIDs  []int64 `json:"supplier_ids,omitempty"`
}

// UserFixture is a user of a named role; a portal user has a customer or supplier id.
type UserFixture struct {
	Role       string `json:"role"`
	UserID     int64  `json:"user_id"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	Name       string `json:"name"`
	Email      string `json:"email,omitempty"`
	CustomerID int64  `json:"customer_id,omitempty"`
	SupplierID int64  `json:"supplier_id,omitempty"`
	OTP        bool   `json:"otp,omitempty"`
}

// loginClientRole is the role of the client a user principal logs in through.
const loginClientRole = "rambase.api_client"

// seed stores the section's customers, suppliers, users and clients, with a new key for its
// sessions: a reset refuses every access token issued before it.
func (m *Mock) seed(ctx context.Context, s store.Store, f *Fixtures) error {
	f.Sessions = token.NewSealer()
	for _, p := range f.Customers {
		if err := store.Create(ctx, s, kindCustomer, strconv.FormatInt(p.ID, 10), p); err != nil {
			return fmt.Errorf("rambase: customer %d: %w", p.ID, err)
		}
	}
	for _, p := range f.Suppliers {
		if err := store.Create(ctx, s, kindSupplier, strconv.FormatInt(p.ID, 10), p); err != nil {
			return fmt.Errorf("rambase: supplier %d: %w", p.ID, err)
		}
	}
	for _, u := range f.Users {
		if err := m.createUser(ctx, s, u); err != nil {
			return fmt.Errorf("rambase: user %s: %w", u.Username, err)
		}
	}
	for _, c := range f.Clients {
		if err := m.createClient(ctx, s, c); err != nil {
			return fmt.Errorf("rambase: client %s: %w", c.ClientID, err)
		}
	}
	return nil
}

// createClient stores a client and the service user its client-credentials sessions act as, unless
// that user exists already (a client may act as a fixture user), so userLink answers for it too.
func (m *Mock) createClient(ctx context.Context, s store.Store, c ClientFixture) error {
	if err := store.Create(ctx, s, kindClient, c.ClientID, c); err != nil {
		return err
	}
	svc := user{Role: c.Role, UserID: c.UserID, Name: "API client " + c.ClientID}
	err := store.Create(ctx, s, kindUser, strconv.FormatInt(c.UserID, 10), svc)
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil
	}
	return err
}

// createUser stores a user with its login name claimed in the same step; a taken name or id gives
// store.ErrAlreadyExists and stores nothing.
func (m *Mock) createUser(ctx context.Context, s store.Store, u UserFixture) error {
	rec := user{Role: u.Role, UserID: u.UserID, Username: u.Username, PasswordDigest: m.env.Passwords.Digest(u.Password),
		Name: u.Name, Email: u.Email, OTP: u.OTP}
	if u.CustomerID != 0 {
		rec.CustomerID = &u.CustomerID
	}
	if u.SupplierID != 0 {
		rec.SupplierID = &u.SupplierID
	}
	return store.Create(ctx, s, kindUser, strconv.FormatInt(u.UserID, 10), rec, store.Unique(usernameKey(u.Username)))
}

func usernameKey(name string) string { return "username:" + name }

// roles are the section's clients, then its users, who log in through its login client. A fresh
// one has the attributes of its fixture, and new credentials and ids; a user has none without a
// client to log in through.
func (m *Mock) roles(f Fixtures) []mockapi.Role {
	clients := mockapi.RolesOf(f.Clients, func(c ClientFixture) mockapi.Role {
		return mockapi.Role{Principal: f.clientPrincipal(c), Fresh: func(ctx context.Context) (mockapi.Principal, error) {
			fresh := c
			fresh.ClientID, fresh.ClientSecret = c.ClientID+"-"+mockapi.FreshSuffix(), rand.Text()
			err := mockapi.WithFreshID(&fresh.UserID, func() error { return m.createClient(ctx, m.env.Store, fresh) })
			return f.clientPrincipal(fresh), err
		}}
	})
	login, ok := f.loginClient()
	users := mockapi.RolesOf(f.Users, func(u UserFixture) mockapi.Role {
		role := mockapi.Role{Principal: f.userPrincipal(u, login)}
		if ok {
			role.Fresh = func(ctx context.Context) (mockapi.Principal, error) {
				fresh, suffix := u, mockapi.FreshSuffix()
				fresh.Username, fresh.Password = u.Username+"-"+suffix, rand.Text()
				if u.Email != "" {
					fresh.Email = suffix + "." + u.Email
				}
				err := mockapi.WithFreshID(&fresh.UserID, func() error { return m.createUser(ctx, m.env.Store, fresh) })
				return f.userPrincipal(fresh, login), err
			}
		}
		return role
	})
	return append(clients, users...)
}

func (f Fixtures) loginClient() (ClientFixture, bool) {
	for _, c := range f.Clients {
		if c.Role == loginClientRole {
			return c, true
		}
	}
	if len(f.Clients) > 0 {
		return f.Clients[0], true
	}
	return ClientFixture{}, false
}

// Principal attributes: the system and database a login lands in, and a portal binding's customer
// or supplier id.
const (
	attrSystem     = "system"
	attrDatabase   = "database"
	attrCustomerID = "customer_id"
	attrSupplierID = "supplier_id"
)

func (f Fixtures) attributes(customerID, supplierID int64) map[string]string {
	attrs := map[string]string{attrSystem: f.System, attrDatabase: f.Database}
	if customerID != 0 {
		attrs[attrCustomerID] = strconv.FormatInt(customerID, 10)
	}
	if supplierID != 0 {
		attrs[attrSupplierID] = strconv.FormatInt(supplierID, 10)
	}
	return attrs
}

func (f Fixtures) clientPrincipal(c ClientFixture) mockapi.Principal {
	return mockapi.Principal{Role: c.Role, API: Name, Kind: mockapi.KindClient, ID: strconv.FormatInt(c.UserID, 10),
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, Attributes: f.attributes(first(c.CustomerIDs), first(c.SupplierIDs))}
}

func (f Fixtures) userPrincipal(u UserFixture, c ClientFixture) mockapi.Principal {
	return mockapi.Principal{Role: u.Role, API: Name, Kind: mockapi.KindUser, ID: strconv.FormatInt(u.UserID, 10),
		Username: u.Username, Password: u.Password, Email: u.Email, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		Attributes: f.attributes(u.CustomerID, u.SupplierID)}
}

func first(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}
