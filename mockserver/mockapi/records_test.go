package mockapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
)

// Change changes a record, or answers the API's own error for one that is not there, and a refusal
// writes nothing and is returned as it is.
func TestChangeChangesOrAnswersTheAPIsErrors(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	require.NoError(t, store.Create(ctx, st, "gadget", "g1", 1))
	add := func(n *int) error { *n++; return nil }

	v, err := mockapi.Change(ctx, st, "gadget", "g1", nil, add)
	require.NoError(t, err)
	assert.Equal(t, 2, v)

	noGadget := errors.New("no such gadget")
	_, err = mockapi.Change(ctx, st, "gadget", "g2", noGadget, add)
	assert.Same(t, noGadget, err)

	tooMany := errors.New("too many")
	_, err = mockapi.Change(ctx, st, "gadget", "g1", noGadget, func(n *int) error { *n = 100; return tooMany })
	assert.Same(t, tooMany, err, "a refusal is returned as it is")
	v, err = store.Get[int](ctx, st, "gadget", "g1")
	require.NoError(t, err)
	assert.Equal(t, 2, v, "a refusal writes nothing")
}
