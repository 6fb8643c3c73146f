// Package rambase is the mock of RamBase ID verification: logins (client credentials, or a user's
// password with an emailed one-time password), sessions carrying an ID verification token, and the
// verification call a third party makes with that token. Rules RB-01 ... RB-13 of reference/apis.md.
package rambase

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/mockserver/store"
)

// API is this package's API name: its prefix, spec name and role prefix.
const API = "rambase"

// Capabilities are the control-API capabilities RamBase adds: ending a session (EndSession).
var Capabilities = []string{"rambase.session.end"}

// Config is what the RamBase mock needs. Zero durations and counts take the defaults below.
type Config struct {
	Store  store.Store
	Clock  clock.Clock
	Mailer Mailer
	// SigningKey signs ID verification tokens (HS256). Only the mock verifies them, so a random key
	// per process is enough.
	SigningKey     []byte
	AccessTokenTTL time.Duration // default 3600 s: the session lives exactly as long as its token
	OTPTTL         time.Duration // default 5 min
	OTPMaxAttempts int           // default 5 wrong tries per code
	Retention      time.Duration // default 24 h after expiry, then the sweeper deletes the record
	PasswordCost   int           // bcrypt cost for users created at run time
	// BrokenRules names rules the mock deliberately breaks, so a test can show that the conformance
	// suite catches an implementation that breaks them. Only RB-11 can be broken.
	BrokenRules []string
}

// Defaults for Config's zero values.
const (
	DefaultAccessTokenTTL = time.Hour
	DefaultOTPTTL         = 5 * time.Minute
	DefaultOTPMaxAttempts = 5
	DefaultRetention      = 24 * time.Hour
)

// Mailer sends a message to a person; the mock's outbox implements it.
type Mailer interface {
	Send(ctx context.Context, m outbox.Message) error
}

// Handler serves the RamBase operations. Build it with New.
type Handler struct {
	cfg Config

	mu       sync.RWMutex
	fixtures Fixtures // the set last seeded: the templates NewPrincipal copies
}

var _ provider.Maker = (*Handler)(nil)

// New returns a Handler, filling defaults.
func New(cfg Config) *Handler {
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if cfg.OTPTTL <= 0 {
		cfg.OTPTTL = DefaultOTPTTL
	}
	if cfg.OTPMaxAttempts <= 0 {
		cfg.OTPMaxAttempts = DefaultOTPMaxAttempts
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	return &Handler{cfg: cfg}
}

// Operations maps every operationId of openapi/rambase.yaml to its handler.
func (h *Handler) Operations() map[string]http.Handler {
	return map[string]http.Handler{
		"getAccessToken":            http.HandlerFunc(h.handleAccessToken),
		"getCurrentSession":         http.HandlerFunc(h.handleCurrentSession),
		"getIdVerificationToken":    http.HandlerFunc(h.handleIdVerificationToken),
		"verifyIdVerificationToken": http.HandlerFunc(h.handleVerify),
		"getUser":                   http.HandlerFunc(h.handleUser),
		"getCustomer":               http.HandlerFunc(h.handleCustomer),
		"getSupplier":               http.HandlerFunc(h.handleSupplier),
	}
}

func (h *Handler) broken(rule string) bool { return slices.Contains(h.cfg.BrokenRules, rule) }

// Record kinds.
const (
	kindSystem   = "rambase.system"
	kindClient   = "rambase.client"
	kindUser     = "rambase.user"
	kindLogin    = "rambase.login" // username -> user id
	kindCustomer = "rambase.customer"
	kindSupplier = "rambase.supplier"
	kindSession  = "rambase.session"
	kindOTP      = "rambase.otp"
	kindIDV      = "rambase.idv" // ID verification token -> session key
)

// sessionKey is how a session is stored: the SHA-256 of its access token, so the store (and any dump
// of it) never holds a usable token, and the ID verification token can name the session without
// revealing the access token.
func sessionKey(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return hex.EncodeToString(sum[:])
}
