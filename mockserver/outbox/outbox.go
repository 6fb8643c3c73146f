// Package outbox records the messages the mock sends to people (emailed one-time passwords, reset
// links, identification links) so a test can read them through the control API instead of a mailbox.
package outbox

import (
	"context"
	"crypto/rand"
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

// Outbox keeps messages in a store for a retention period, each owned by its addressee so that one
// person's messages are listed without reading everyone's.
type Outbox struct {
	Store     store.Store
	Retention time.Duration
}

// Send records m; its SentAt must be set by the caller from the mock's clock.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	return store.Create(ctx, o.Store, kind, rand.Text(), m, store.RetainUntil(m.SentAt.Add(o.Retention)), store.OwnedBy(m.To))
}

// List returns the messages, oldest first: those to one address when to is not empty, and of one
// kind when messageKind is not empty.
func (o *Outbox) List(ctx context.Context, to, messageKind string) ([]Message, error) {
	msgs, _, err := store.List[Message](ctx, o.Store, kind, to, store.OldestFirst, store.Page{})
	if err != nil {
		return nil, err
	}
	out := []Message{}
	for _, m := range msgs {
		if messageKind == "" || m.Kind == messageKind {
			out = append(out, m)
		}
	}
	return out, nil
}
