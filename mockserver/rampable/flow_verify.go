package rampable

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/token"
)

// verified is verify-login's data: the access token and the user.
type verified struct {
	AccessToken string   `json:"accessToken"`
	User        userBody `json:"user"`
}

// verifyLogin is verifyLogin (POST /v1/auth/verify-login). The verification token must be a live
// one of this mock (not expired: RP-09) and still the user's live verification (a newer login
// supersedes it: RP-11); the code is judged against the one mailed with it, in the same atomic update
// of the user that consumes both on success (RP-07), so of any number of calls racing with the right
// code exactly one succeeds. A wrong code is counted (400, RP-08); once the attempt limit is
// reached the verification is dead, and the right code too is 401. A success verifies the account
// (RP-14) and answers an RS256 access token that lives 24 hours, or has no exp with isDisableExpire
// (RP-10), and the user (RP-06).
func (m *Mock) verifyLogin(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		VerificationToken string `json:"verificationToken"`
		OTP               string `json:"otp"`
		IsDisableExpire   bool   `json:"isDisableExpire"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated verify-login: %w", err)
	}
	f, epoch, err := m.Section.Get(ctx)
	if err != nil {
		return 0, nil, errDeadVerification // no section: no token was minted in this seed
	}
	claims := &token.Claims{}
	if err := m.verification.Parse(epoch, body.VerificationToken, claims); err != nil {
		return 0, nil, errDeadVerification
	}
	now := m.env.Clock.Now()
	var wrong bool
	u, err := mockapi.Change(ctx, m.env.Store, kindUser, claims.Subject, errDeadVerification, func(u *user) error {
		if u.Pending.TokenID != claims.ID && !m.env.Broken.Has(ruleSupersede) {
			return errDeadVerification
		}
		code := body.OTP
		if m.env.Broken.Has(ruleCodeChecked) {
			code = u.Pending.Code
		}
		switch err := u.Pending.Redeem(now, code, f.Settings.otpMaxAttempts()); {
		case errors.Is(err, otp.ErrWrong):
			wrong = true
			return nil // the try is counted: it must be written
		case err != nil:
			return errDeadVerification
		}
		if m.env.Broken.Has(ruleCodeOnce) {
			u.Pending.Used = false
		}
		u.Verified, u.UpdatedAt = true, now
		return nil
	})
	switch {
	case err != nil:
		return 0, nil, err
	case wrong:
		return 0, nil, errWrongCode
	}
	tok, err := m.mintAccess(epoch, u, f.Settings, now, body.IsDisableExpire)
	if err != nil {
		return 0, nil, err
	}
	return m.ok(false, "ok", verified{AccessToken: tok, User: newUserBody(u)})
}

// mintAccess signs an access token for u, expiring the fixture set's access-token lifetime after
// now, or never when the caller disabled expiry (the vendor's warning: then nothing invalidates it).
func (m *Mock) mintAccess(epoch token.Epoch, u user, s Settings, now time.Time, disableExpire bool) (string, error) {
	c := &token.Claims{}
	c.Subject, c.IssuedAt = u.ID, jwt.NewNumericDate(now)
	if !disableExpire || m.env.Broken.Has(ruleDisableExpire) {
		c.ExpiresAt = jwt.NewNumericDate(now.Add(s.accessTokenTTL()))
	}
	tok, err := m.access.Mint(epoch, c)
	if err != nil {
		return "", fmt.Errorf("mint access token: %w", err)
	}
	return tok, nil
}

// userBody is verify-login's data.user: every field of the vendor's sample.
type userBody struct {
	Name                     string   `json:"name"`
	Policy                   string   `json:"policy"`
	Email                    string   `json:"email"`
	OrganizationID           orgRef   `json:"organizationId"`
	Role                     string   `json:"role"`
	IsActive                 bool     `json:"is_active"`
	InvitationDate           string   `json:"invitation_date"`
	IsKYC                    bool     `json:"iskyc"`
	CreatedAt                string   `json:"createdAt"`
	UpdatedAt                string   `json:"updatedAt"`
	InvitationExpirationDate string   `json:"invitation_expiration_date"`
	Country                  string   `json:"country"`
	CountryCode              string   `json:"countryCode"`
	KYCURL                   string   `json:"kyc_url"`
	LegalFullName            string   `json:"legalFullName"`
	TransfiID                string   `json:"transfiId"`
	OTPCode                  string   `json:"otp_code"`
	Credentials              struct{} `json:"credentials"`
	ID                       string   `json:"id"`
}

type orgRef struct {
	ID      string `json:"_id"`
	OrgName string `json:"orgName"`
}

// invitationLifetime is how long after its registration a user's invitation_expiration_date is.
const invitationLifetime = 24 * time.Hour

// newUserBody is u as verify-login shows it, just verified: otp_code is the code this call
// redeemed, consumed already, never a live one.
func newUserBody(u user) userBody {
	return userBody{Name: u.FullName, Policy: u.Policy, Email: u.Email, OrganizationID: orgRef{ID: u.OrganizationID, OrgName: u.OrganizationName},
		Role: u.UserRole, IsActive: true, InvitationDate: isoTime(u.CreatedAt), IsKYC: u.IsKYC, CreatedAt: isoTime(u.CreatedAt),
		UpdatedAt: isoTime(u.UpdatedAt), InvitationExpirationDate: isoTime(u.CreatedAt.Add(invitationLifetime)), Country: u.Country,
		CountryCode: u.CountryCode, KYCURL: u.KYCURL, LegalFullName: u.FullName, TransfiID: u.TransfiID, OTPCode: u.Pending.Code, ID: u.ID}
}

// isoTime writes a time as the vendor does: ISO 8601 in UTC with milliseconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
