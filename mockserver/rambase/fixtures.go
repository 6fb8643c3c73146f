package rambase

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/mockserver/store"
)

// Fixtures is RamBase's part of the fixture set (the control API's RamBaseFixtures schema).
type Fixtures struct {
	System     string          `json:"system"`
	Database   string          `json:"database"`
	TestSystem bool            `json:"test_system,omitempty"`
	Customers  []Party         `json:"customers,omitempty"`
	Suppliers  []Party         `json:"suppliers,omitempty"`
	Clients    []ClientFixture `json:"clients,omitempty"`
	Users      []UserFixture   `json:"users,omitempty"`
}

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

// Seed stores the fixtures, which become the templates of NewPrincipal; nil means a set without
// RamBase, so nothing is stored and no role is known. The store must not hold RamBase records yet.
func (h *Handler) Seed(ctx context.Context, fixtures *Fixtures) error {
	var f Fixtures
	if fixtures != nil {
		f = *fixtures
	}
	h.mu.Lock()
	h.fixtures = f
	h.mu.Unlock()
	if fixtures == nil {
		return nil
	}
	s := h.cfg.Store
	if err := store.Create(ctx, s, kindSystem, kindSystem, system{Name: f.System, Database: f.Database, TestSystem: f.TestSystem}, noExpiry); err != nil {
		return fmt.Errorf("rambase: seed system: %w", err)
	}
	for _, p := range f.Customers {
		if err := store.Create(ctx, s, kindCustomer, strconv.FormatInt(p.ID, 10), party(p), noExpiry); err != nil {
			return fmt.Errorf("rambase: seed customer %d: %w", p.ID, err)
		}
	}
	for _, p := range f.Suppliers {
		if err := store.Create(ctx, s, kindSupplier, strconv.FormatInt(p.ID, 10), party(p), noExpiry); err != nil {
			return fmt.Errorf("rambase: seed supplier %d: %w", p.ID, err)
		}
	}
	for _, c := range f.Clients {
		if err := h.createClient(ctx, c); err != nil {
			return fmt.Errorf("rambase: seed client %s: %w", c.ClientID, err)
		}
	}
	for _, u := range f.Users {
		hash, err := password.Hash(u.Password, h.cfg.PasswordCost)
		if err != nil {
			return err
		}
		if err := h.createUser(ctx, u, hash); err != nil {
			return fmt.Errorf("rambase: seed user %s: %w", u.Username, err)
		}
	}
	return nil
}

// noExpiry keeps fixture records until the fixtures are replaced.
var noExpiry time.Time

func (h *Handler) createClient(ctx context.Context, c ClientFixture) error {
	return store.Create(ctx, h.cfg.Store, kindClient, c.ClientID, c, noExpiry)
}

// createUser stores the user and its login name; a taken name or id gives store.ErrAlreadyExists.
func (h *Handler) createUser(ctx context.Context, u UserFixture, hash []byte) error {
	rec := user{Role: u.Role, UserID: u.UserID, Username: u.Username, PasswordHash: hash, Name: u.Name, Email: u.Email, OTP: u.OTP}
	if u.CustomerID != 0 {
		rec.CustomerID = &u.CustomerID
	}
	if u.SupplierID != 0 {
		rec.SupplierID = &u.SupplierID
	}
	if err := store.Create(ctx, h.cfg.Store, kindUser, strconv.FormatInt(u.UserID, 10), rec, noExpiry); err != nil {
		return err
	}
	if err := store.Create(ctx, h.cfg.Store, kindLogin, u.Username, login{UserID: u.UserID}, noExpiry); err != nil {
		_ = h.cfg.Store.Delete(ctx, kindUser, strconv.FormatInt(u.UserID, 10))
		return err
	}
	return nil
}

// Principals lists the fixtures' principals with their credentials, for `idvkit serve` to print.
func (f Fixtures) Principals() []provider.Principal {
	var out []provider.Principal
	for _, c := range f.Clients {
		out = append(out, clientPrincipal(c))
	}
	login, _ := f.loginClient()
	for _, u := range f.Users {
		out = append(out, userPrincipal(u, login))
	}
	return out
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

func clientPrincipal(c ClientFixture) provider.Principal {
	return provider.Principal{Role: c.Role, API: API, Kind: provider.KindClient, UserID: c.UserID,
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, CustomerID: first(c.CustomerIDs), SupplierID: first(c.SupplierIDs)}
}

func userPrincipal(u UserFixture, c ClientFixture) provider.Principal {
	return provider.Principal{Role: u.Role, API: API, Kind: provider.KindUser, Username: u.Username, Password: u.Password,
		Email: u.Email, UserID: u.UserID, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		CustomerID: u.CustomerID, SupplierID: u.SupplierID}
}

func first(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// NewPrincipal creates a fresh principal with the attributes of the seeded fixture of that role and
// new credentials, so concurrent tests never share a user: the control API's createPrincipal.
func (h *Handler) NewPrincipal(ctx context.Context, role string) (provider.Principal, error) {
	h.mu.RLock()
	f := h.fixtures
	h.mu.RUnlock()
	suffix := strings.ToLower(rand.Text()[:10])
	for _, c := range f.Clients {
		if c.Role == role {
			c.ClientID, c.ClientSecret = c.ClientID+"-"+suffix, rand.Text()
			if err := h.createClient(ctx, c); err != nil {
				return provider.Principal{}, err
			}
			return clientPrincipal(c), nil
		}
	}
	login, ok := f.loginClient()
	for _, u := range f.Users {
		if u.Role != role || !ok {
			continue
		}
		u.Username, u.Password = u.Username+"-"+suffix, rand.Text()
		if u.Email != "" {
			u.Email = suffix + "." + u.Email
		}
		hash, err := password.HashFresh(u.Password, h.cfg.PasswordCost)
		if err != nil {
			return provider.Principal{}, err
		}
		// A random id collides with an existing user about once in a billion; try a few.
		for range 5 {
			u.UserID = 100_000 + randN(900_000_000)
			err = h.createUser(ctx, u, hash)
			if !errors.Is(err, store.ErrAlreadyExists) {
				break
			}
		}
		if err != nil {
			return provider.Principal{}, err
		}
		return userPrincipal(u, login), nil
	}
	return provider.Principal{}, provider.ErrUnknownRole
}
