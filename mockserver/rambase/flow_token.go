package rambase

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
)

// getAccessToken is getAccessToken (POST /oauth2/access_token): the client-credentials grant
// (RB-01, RB-02, RB-07) and the password grant with an optional emailed OTP (RB-03).
func (m *Mock) getAccessToken(r *http.Request) (int, any, error) {
	ctx := r.Context()
	now := m.env.Clock.Now()
	form := apihttp.Form(r) // the spec takes only a form, which validation has parsed
	c, err := store.Get[ClientFixture](ctx, m.env.Store, kindClient, form.Get("client_id"))
	if err != nil || subtle.ConstantTimeCompare([]byte(c.ClientSecret), []byte(form.Get("client_secret"))) != 1 {
		return 0, nil, errInvalidClient
	}
	// A set with a client has its system (the schema requires it), so this is a bug if it fails.
	f, _, err := m.Section.Get(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("read fixtures: %w", err)
	}
	if t := form.Get("target"); t != "" && t != f.System {
		return 0, nil, loginError(codeTargetRequired, "Choose a target system", f.System)
	}

	s := &session{ClientID: c.ClientID, System: f.System, Database: f.Database}
	switch form.Get("grant_type") {
	case "client_credentials":
		err = bindClient(c, form.Get("customerid"), form.Get("supplierid"), s)
	case "password":
		err = errBindPasswordGrant
		if !form.Has("customerid") && !form.Has("supplierid") {
			err = m.loginUser(ctx, form.Get("username"), form.Get("password"), form.Get("otp"), f.Settings, s)
		}
	}
	if err != nil {
		return 0, nil, err
	}

	ttl := f.Settings.accessTokenTTL()
	accessToken := startSession(&f, s, now, ttl)
	return http.StatusOK, tokenResponse{AccessToken: accessToken, ExpiresIn: int(ttl / time.Second), TestSystem: f.TestSystem}, nil
}

// tokenResponse is getAccessToken's 200 body.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	TestSystem  bool   `json:"is_target_test_system"`
}

// bindClient binds a client-credentials session to the customer or supplier the login names, if the
// client may act for it (RB-07).
func bindClient(c ClientFixture, customer, supplier string, s *session) error {
	s.UserID = c.UserID
	if customer != "" && supplier != "" {
		return errBindBoth
	}
	bind := func(raw string, allowed []int64) (*int64, bool) {
		if raw == "" {
			return nil, true
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || !slices.Contains(allowed, id) {
			return nil, false
		}
		return &id, true
	}
	var ok bool
	if s.CustomerID, ok = bind(customer, c.CustomerIDs); !ok {
		return errBindCustomer
	}
	if s.SupplierID, ok = bind(supplier, c.SupplierIDs); !ok {
		return errBindSupplier
	}
	return nil
}

// loginUser checks a user's password and, for a user with OTP on, the emailed one-time password
// (RB-03), and fills the session's user and portal binding. An unknown user costs the same as a
// wrong password: password.Hasher checks it against a digest no password has.
func (m *Mock) loginUser(ctx context.Context, username, pw, code string, settings Settings, s *session) error {
	if username == "" || pw == "" {
		return errPasswordGrantFields
	}
	key, u, err := store.Lookup[user](ctx, m.env.Store, kindUser, usernameKey(username))
	var digest []byte
	if err == nil {
		digest = u.PasswordDigest
	}
	if !m.env.Passwords.Check(digest, pw) {
		return errInvalidCredentials
	}
	if u.OTP {
		codes := m.codes(settings)
		if code == "" {
			if _, err := codes.Issue(ctx, key, otpMessage(u)); err != nil {
				return fmt.Errorf("send the one-time password: %w", err)
			}
			return errOTPRequired
		}
		switch err := codes.Redeem(ctx, key, code); {
		case errors.Is(err, otp.ErrWrong), errors.Is(err, otp.ErrUnusable):
			return errInvalidOTP
		case err != nil:
			return fmt.Errorf("check the one-time password: %w", err)
		}
	}
	s.UserID, s.CustomerID, s.SupplierID = u.UserID, u.CustomerID, u.SupplierID
	return nil
}

// startSession starts a session and returns its access token, which carries it (see session.go):
// nothing is stored. The session's ID verification token is minted when the session is first read
// (idvToken): most logins are verifiers' and never need one.
func startSession(f *Fixtures, s *session, now time.Time, ttl time.Duration) string {
	s.Key = rand.Text()
	s.IssuedAt = now
	s.ExpiresAt = now.Add(ttl)
	return sealSession(f.Sessions, s)
}

// idvToken returns the session's ID verification token, minting it and indexing it on first use.
// The mint happens inside the session record's change, so concurrent first reads agree on one token.
func (m *Mock) idvToken(ctx context.Context, s session) (string, error) {
	if s.IDVToken != "" {
		return s.IDVToken, nil
	}
	s, err := m.changeSession(ctx, s, func(v *session) error {
		if v.IDVToken == "" {
			tok, err := m.mintIDVToken(v)
			if err != nil {
				return err
			}
			v.IDVToken = tok
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	err = store.Create(ctx, m.env.Store, kindIDV, s.IDVToken, idvIndex{Session: s.Key}, store.RetainUntil(s.ExpiresAt.Add(m.env.Retention)))
	if err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return "", err
	}
	return s.IDVToken, nil
}

// idvClaims are the claims of an ID verification token: who the user is, which system they are
// signed in to, and for portal logins their customer or supplier (vendor: a newer revision of
// /special/idverification). The session is named by its id, never by the access token.
type idvClaims struct {
	Session    string `json:"sid"`
	System     string `json:"ramBaseName"`
	CustomerID *int64 `json:"customerId,omitempty"`
	SupplierID *int64 `json:"supplierId,omitempty"`
	token.Claims
}

func (m *Mock) mintIDVToken(s *session) (string, error) {
	c := &idvClaims{Session: s.Key, System: s.System, CustomerID: s.CustomerID, SupplierID: s.SupplierID}
	c.Subject = strconv.FormatInt(s.UserID, 10)
	c.IssuedAt = jwt.NewNumericDate(s.IssuedAt)
	c.ExpiresAt = jwt.NewNumericDate(s.ExpiresAt)
	return m.idv.Mint(s.Epoch, c)
}
