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
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/store"
)

// handleAccessToken is getAccessToken (POST /oauth2/access_token): the client-credentials grant
// (RB-01, RB-02, RB-07) and the password grant with an optional emailed OTP (RB-03).
func (h *Handler) handleAccessToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := h.cfg.Clock.Now()
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "The form cannot be decoded")
		return
	}
	form := r.PostForm
	c, err := store.Get[ClientFixture](ctx, h.cfg.Store, kindClient, form.Get("client_id"))
	if err != nil || subtle.ConstantTimeCompare([]byte(c.ClientSecret), []byte(form.Get("client_secret"))) != 1 {
		writeLoginError(w, codeInvalidClient, "Invalid client credentials")
		return
	}
	// Fixtures with a client always have a system (the schema requires it), so this is a bug if it fails.
	sys, err := store.Get[system](ctx, h.cfg.Store, kindSystem, kindSystem)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal error")
		return
	}
	if t := form.Get("target"); t != "" && t != sys.Name {
		writeLoginError(w, codeTargetRequired, "Choose a target system", sys.Name)
		return
	}

	s := &session{ClientID: c.ClientID, System: sys.Name, Database: sys.Database}
	switch form.Get("grant_type") {
	case "client_credentials":
		if !h.bindClient(w, c, form.Get("customerid"), form.Get("supplierid"), s) {
			return
		}
	case "password":
		if form.Has("customerid") || form.Has("supplierid") {
			writeLoginError(w, codeBindingNotAllowed, "customerid and supplierid are for the client_credentials grant")
			return
		}
		if !h.loginUser(ctx, w, form.Get("username"), form.Get("password"), form.Get("otp"), now, s) {
			return
		}
	}

	token, err := h.startSession(ctx, s, now)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "The session could not be created")
		return
	}
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{
		"access_token":          token,
		"expires_in":            int(h.cfg.AccessTokenTTL / time.Second),
		"is_target_test_system": sys.TestSystem,
	})
}

// bindClient binds a client-credentials session to the customer or supplier the login names, if the
// client may act for it (RB-07). It writes the error and reports false when it may not.
func (h *Handler) bindClient(w http.ResponseWriter, c ClientFixture, customer, supplier string, s *session) bool {
	s.UserID = c.UserID
	if customer != "" && supplier != "" {
		writeLoginError(w, codeBindingNotAllowed, "Bind to a customer or a supplier, not both")
		return false
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
		writeLoginError(w, codeBindingNotAllowed, "This client may not act for that customer")
		return false
	}
	if s.SupplierID, ok = bind(supplier, c.SupplierIDs); !ok {
		writeLoginError(w, codeBindingNotAllowed, "This client may not act for that supplier")
		return false
	}
	return true
}

// loginUser checks a user's password and, for a user with OTP on, the emailed one-time password
// (RB-03). It fills the session's user and portal binding, or writes the error and reports false.
func (h *Handler) loginUser(ctx context.Context, w http.ResponseWriter, username, pw, otp string, now time.Time, s *session) bool {
	if username == "" || pw == "" {
		writeError(w, http.StatusBadRequest, "username and password are required for the password grant")
		return false
	}
	u, err := h.userByName(ctx, username)
	var hash []byte
	if err == nil {
		hash = u.PasswordHash
	}
	if !password.Check(hash, pw) {
		writeLoginError(w, codeInvalidCredentials, "Invalid username or password")
		return false
	}
	if u.OTP {
		if otp == "" {
			if err := h.sendOTP(ctx, u, now); err != nil {
				writeError(w, http.StatusInternalServerError, "The one-time password could not be sent")
				return false
			}
			writeLoginError(w, codeOTPRequired, "A one-time password is required; it has been sent by email")
			return false
		}
		if !h.redeemOTP(ctx, u.UserID, otp, now) {
			writeLoginError(w, codeInvalidOTP, "The one-time password is invalid or has expired")
			return false
		}
	}
	s.UserID, s.CustomerID, s.SupplierID = u.UserID, u.CustomerID, u.SupplierID
	return true
}

func (h *Handler) userByName(ctx context.Context, username string) (user, error) {
	l, err := store.Get[login](ctx, h.cfg.Store, kindLogin, username)
	if err != nil {
		return user{}, err
	}
	return store.Get[user](ctx, h.cfg.Store, kindUser, strconv.FormatInt(l.UserID, 10))
}

// sendOTP emails a fresh six-digit code, replacing any earlier one.
func (h *Handler) sendOTP(ctx context.Context, u user, now time.Time) error {
	code := fmt.Sprintf("%06d", randN(1_000_000))
	ch := otpChallenge{Code: code, ExpiresAt: now.Add(h.cfg.OTPTTL)}
	key := strconv.FormatInt(u.UserID, 10)
	retain := ch.ExpiresAt.Add(h.cfg.Retention)
	replace := func() error {
		_, err := store.Update(ctx, h.cfg.Store, kindOTP, key, func(old *otpChallenge) (time.Time, error) {
			*old = ch
			return retain, nil
		})
		return err
	}
	// Replace the user's challenge, or create the first one; when a concurrent login created it
	// between the two, replace that.
	err := replace()
	if errors.Is(err, store.ErrNotFound) {
		if err = store.Create(ctx, h.cfg.Store, kindOTP, key, ch, retain); errors.Is(err, store.ErrAlreadyExists) {
			err = replace()
		}
	}
	if err != nil {
		return err
	}
	to := u.Email
	if to == "" {
		to = u.Username
	}
	return h.cfg.Mailer.Send(ctx, outbox.Message{API: API, Kind: "otp", To: to, Code: code, SentAt: now})
}

var (
	errOTPUnusable = errors.New("otp used, expired or locked")
	errOTPMismatch = errors.New("otp mismatch")
)

// redeemOTP uses the user's code exactly once: the check and the use are one atomic Update. A wrong
// code counts an attempt (and must be written), so the updater records it and returns nil.
func (h *Handler) redeemOTP(ctx context.Context, userID int64, code string, now time.Time) bool {
	var outcome error
	_, err := store.Update(ctx, h.cfg.Store, kindOTP, strconv.FormatInt(userID, 10), func(ch *otpChallenge) (time.Time, error) {
		switch {
		case ch.Used, !now.Before(ch.ExpiresAt), ch.Attempts >= h.cfg.OTPMaxAttempts:
			return time.Time{}, errOTPUnusable
		case subtle.ConstantTimeCompare([]byte(ch.Code), []byte(code)) != 1:
			ch.Attempts++
			outcome = errOTPMismatch
		default:
			ch.Used = true
		}
		return time.Time{}, nil
	})
	return err == nil && outcome == nil
}

// startSession stores a new session and returns its access token. The session's ID verification
// token is minted when the session is first read (idvToken): most logins are verifiers' and never
// need one.
func (h *Handler) startSession(ctx context.Context, s *session, now time.Time) (string, error) {
	accessToken := rand.Text()
	s.Key = sessionKey(accessToken)
	s.IssuedAt = now
	s.ExpiresAt = now.Add(h.cfg.AccessTokenTTL)
	if err := store.Create(ctx, h.cfg.Store, kindSession, s.Key, *s, s.ExpiresAt.Add(h.cfg.Retention)); err != nil {
		return "", err
	}
	return accessToken, nil
}

// idvToken returns the session's ID verification token, minting it and indexing it on first use.
// The mint happens inside Update, so concurrent first reads agree on one token.
func (h *Handler) idvToken(ctx context.Context, s session) (string, error) {
	if s.IDVToken != "" {
		return s.IDVToken, nil
	}
	s, err := store.Update(ctx, h.cfg.Store, kindSession, s.Key, func(v *session) (time.Time, error) {
		if v.IDVToken == "" {
			tok, err := h.mintIDVToken(v)
			if err != nil {
				return time.Time{}, err
			}
			v.IDVToken = tok
		}
		return time.Time{}, nil
	})
	if err != nil {
		return "", err
	}
	err = store.Create(ctx, h.cfg.Store, kindIDV, s.IDVToken, idvIndex{Session: s.Key}, s.ExpiresAt.Add(h.cfg.Retention))
	if err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return "", err
	}
	return s.IDVToken, nil
}

// idvClaims are the claims of an ID verification token: who the user is, which system they are
// signed in to, and for portal logins their customer or supplier (vendor: a newer revision of
// /special/idverification). The session is named by its store key, never by the access token.
type idvClaims struct {
	Session    string `json:"sid"`
	System     string `json:"ramBaseName"`
	CustomerID *int64 `json:"customerId,omitempty"`
	SupplierID *int64 `json:"supplierId,omitempty"`
	jwt.RegisteredClaims
}

func (h *Handler) mintIDVToken(s *session) (string, error) {
	claims := idvClaims{Session: s.Key, System: s.System, CustomerID: s.CustomerID, SupplierID: s.SupplierID,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:  strconv.FormatInt(s.UserID, 10),
			IssuedAt: jwt.NewNumericDate(s.IssuedAt),
			ID:       rand.Text(),
		}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(h.cfg.SigningKey)
}
