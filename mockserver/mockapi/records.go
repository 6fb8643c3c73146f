package mockapi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
)

// Change changes the record of a kind under key in one atomic update, as an operation that acts on
// what its path names does: change may refuse with an error, which writes nothing and is returned as
// it is (an API's refusal is one of its errors, answered as declared, and formatting it into another
// would cost a refused request more than the rest of it); a record that is not there is notFound,
// the API's own error for it. The record keeps its retention. Any other failure is the mock's,
// wrapped with the kind.
func Change[T any](ctx context.Context, s store.Store, kind, key string, notFound error, change func(*T) error) (T, error) {
	var refused error
	v, err := store.Update(ctx, s, kind, key, func(v *T) (time.Time, error) {
		refused = change(v)
		return time.Time{}, refused
	})
	switch {
	case refused != nil:
		return v, refused // as it is: an API's own error, which its Errors answers without unwrapping
	case errors.Is(err, store.ErrNotFound):
		return v, notFound
	case err != nil:
		return v, fmt.Errorf("change %s: %w", kind, err)
	}
	return v, nil
}
