package rampable

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
)

// register is register (POST /v1/auth/register): a new account, the admin of an organization of its
// own named after it, which can log in only once it has verified (RP-14); its verification token
// and the code mailed with it are the way to that (RP-01). An email registered already, in any case
// of its letters, is 409 and changes nothing (RP-03).
func (m *Mock) register(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		Email       string `json:"email"`
		Password    string `json:"password"`
		FullName    string `json:"fullName"`
		NationalID  string `json:"nationalID"`
		Country     string `json:"country"`
		CountryCode string `json:"countryCode"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated registration: %w", err)
	}
	if m.env.Broken.Has(ruleOptionalFields) && body.NationalID+body.Country+body.CountryCode != "" {
		return 0, nil, errOptionalField
	}
	now := m.env.Clock.Now()
	u := user{ID: objectID(), Email: body.Email, PasswordDigest: m.env.Passwords.Digest(body.Password), FullName: body.FullName,
		NationalID: body.NationalID, OrganizationID: objectID(), OrganizationName: body.FullName, Policy: objectID(),
		UserRole: "admin", Country: body.Country, CountryCode: body.CountryCode, TransfiID: newTransfiID(), CreatedAt: now, UpdatedAt: now}
	// A random id of 96 bits repeats one in use about never, so a taken key is the email's.
	switch err := createUser(ctx, m.env.Store, u); {
	case errors.Is(err, store.ErrAlreadyExists) && m.env.Broken.Has(ruleDuplicateEmail):
		if _, u, err = store.Lookup[user](ctx, m.env.Store, kindUser, emailKey(body.Email)); err != nil {
			return 0, nil, fmt.Errorf("find the registered user: %w", err)
		}
	case errors.Is(err, store.ErrAlreadyExists):
		return 0, nil, errEmailTaken
	case err != nil:
		return 0, nil, fmt.Errorf("store the user: %w", err)
	}
	tok, err := m.startVerification(ctx, u)
	if err != nil {
		return 0, nil, err
	}
	return m.ok(true, "User Created", verificationData{VerificationToken: tok})
}

// registeredWithoutFullName is the answer to a registration without fullName with RP-02 broken: a
// success, with a verification token of no account, as an implementation that does not require
// the field and fails to store the user would answer.
func (m *Mock) registeredWithoutFullName(r *http.Request) (apihttp.Error, error) {
	_, epoch, err := m.Section.Get(r.Context())
	if err != nil {
		return apihttp.Error{}, err
	}
	c := &token.Claims{}
	c.Subject, c.ID = objectID(), rand.Text()
	c.ExpiresAt = jwt.NewNumericDate(m.env.Clock.Now().Add(DefaultVerificationTokenTTL))
	tok, err := m.verification.Mint(epoch, c)
	if err != nil {
		return apihttp.Error{}, err
	}
	_, e, _ := m.ok(true, "User Created", verificationData{VerificationToken: tok})
	return apihttp.Error{Status: http.StatusOK, Body: e}, nil
}
