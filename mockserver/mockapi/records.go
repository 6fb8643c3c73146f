package mockapi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
)

// Change changes the record of a kind under key in one atomic update, as an operation that acts on
// what its path names does: change may refuse with an error, which writes nothing and is returned;
// a record that is not there is notFound, the API's own error for it. The record keeps its
// retention. Any other failure is the mock's, wrapped with the kind.
func Change[T any](ctx context.Context, s store.Store, kind, key string, notFound error, change func(*T) error) (T, error) {
	v, err := store.Update(ctx, s, kind, key, func(v *T) (time.Time, error) { return time.Time{}, change(v) })
	switch {
	case errors.Is(err, store.ErrNotFound):
		return v, notFound
	case err != nil:
		return v, fmt.Errorf("change %s: %w", kind, err)
	}
	return v, nil
}
