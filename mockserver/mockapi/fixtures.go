package mockapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
)

// DecodeSection decodes an API's section of the fixture set into v strictly: a key v does not have is
// an error that names it, so a misspelt fixture fails at start-up instead of being ignored.
func DecodeSection(api string, section json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(section))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s fixtures: %w", api, err)
	}
	return nil
}

// kindSections holds the section each API was last seeded with, keyed by the API's name. It lives in
// the store with the records seeded from it, so a reset, which replaces the store's content whole,
// never pairs one set's records with another set's section.
const kindSections = "fixtures"

// StoreSection keeps the section an API was seeded with (decoded, with what Seed added to it), for
// Section to read back.
func StoreSection[T any](ctx context.Context, s store.Store, api string, section T) error {
	return store.Create(ctx, s, kindSections, api, section)
}

// Section reads back the section an API was last seeded with; store.ErrNotFound when the fixture
// set had none for it.
func Section[T any](ctx context.Context, s store.Store, api string) (T, error) {
	return store.Get[T](ctx, s, kindSections, api)
}

// Seconds is a fixture setting written in seconds as a lifetime, or def when it is not set (zero).
func Seconds(n int, def time.Duration) time.Duration {
	if n > 0 {
		return time.Duration(n) * time.Second
	}
	return def
}
