// Package outbox records the messages the mock sends to people (emailed one-time passwords, reset
// links, identification links) so a test can read them through the control API instead of a mailbox.
package outbox

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
)

// Message is one sent message: the control API's Message schema.
type Message struct {
	API    string    `json:"api"`
	Kind   string    `json:"kind"` // otp, password-reset, identification-link
	To     string    `json:"to"`
	Code   string    `json:"code,omitempty"`
	Link   string    `json:"link,omitempty"`
	SentAt time.Time `json:"sent_at"`
}

const kind = "outbox"

// Outbox keeps messages in a store for a retention period.
type Outbox struct {
	Store     store.Store
	Retention time.Duration
}

// Send records m; its SentAt must be set by the caller from the mock's clock.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	return store.Create(ctx, o.Store, kind, rand.Text(), m, m.SentAt.Add(o.Retention))
}

// List returns the messages, oldest first, optionally only those to one address or of one kind.
func (o *Outbox) List(ctx context.Context, to, messageKind string) ([]Message, error) {
	recs, _, err := o.Store.List(ctx, kind, store.OldestFirst, store.Page{})
	if err != nil {
		return nil, err
	}
	out := []Message{}
	for _, rec := range recs {
		m, ok := rec.Value.(Message)
		if !ok {
			return nil, fmt.Errorf("%w: outbox %s", store.ErrWrongType, rec.Key)
		}
		if (to == "" || m.To == to) && (messageKind == "" || m.Kind == messageKind) {
			out = append(out, m)
		}
	}
	return out, nil
}
