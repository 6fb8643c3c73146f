package eeid

import "time"

// service is an identification service: its client credentials and where its webhooks go.
type service struct {
	Role         string
	Name         string
	ClientID     string
	ClientSecret string
	WebhookURL   string
}

// claim is one claim a request requires.
type claim struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// translations are a reason's translations.
type translations struct {
	EN string `json:"en,omitempty"`
	ET string `json:"et,omitempty"`
	RU string `json:"ru,omitempty"`
}

// request is an identification request. Its status is not stored but judged from it on the mock's
// clock: completed once CompletedAt is set, else expired from LinkExpiresAt on, else pending. The
// completion is one atomic update, so a link completes once however many people race for it.
type request struct {
	ID                 string
	ClientID           string
	Reference          *string
	Reason             *string
	ReasonTranslations *translations
	Claims             []claim
	CreatedAt          time.Time
	LinkExpiresAt      time.Time
	LinkSecret         string // in the link, so the page knows it was given the link
	CompletedAt        *time.Time
	Identity           *Identity // who completed it
	Comparison         comparison
}

// Request statuses.
const (
	statusPending   = "pending"
	statusCompleted = "completed"
	statusExpired   = "expired"
)

// status is the request's status at now.
func (r request) status(now time.Time, neverExpires bool) string {
	switch {
	case r.CompletedAt != nil:
		return statusCompleted
	case !now.Before(r.LinkExpiresAt) && !neverExpires:
		return statusExpired
	}
	return statusPending
}

// comparison is how the identity that completed a request compares with the claims it required.
type comparison struct {
	Matched    *bool                    `json:"claims_matched"`
	Mismatched map[string]mismatchedOne `json:"mismatched_claims"`
	Errors     []string                 `json:"claims_comparison_errors"`
}

type mismatchedOne struct {
	Expected string  `json:"expected"`
	Actual   *string `json:"actual"`
}
