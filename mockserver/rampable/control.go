package rampable

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
)

// fixedCode is the code the control API fixed for the next mail to an address; empty once mailed.
type fixedCode struct {
	Code string
}

// errNoFixedCode is an address whose fixed code was mailed already: what takeFixedCode's update
// refuses with, writing nothing.
var errNoFixedCode = errors.New("no fixed code")

// setRampableNextCode is the control API's setRampableNextCode (PUT
// /_mock/rampable/emails/{email}/next-code): the next code mailed to the address, registered or not,
// by a registration or a login, is this one, once; setting it again before replaces it.
func (m *Mock) setRampableNextCode(r *http.Request) (int, any, error) {
	var body struct {
		Code string `json:"code"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated next-code body: %w", err)
	}
	ctx, key := r.Context(), codeKey(apihttp.PathParam(r, "email"))
	set := func(f *fixedCode) (time.Time, error) {
		f.Code = body.Code
		return time.Time{}, nil
	}
	// Replace the address's record, or create the first one; when a concurrent call created it
	// between the two, replace that.
	_, err := store.Update(ctx, m.env.Store, kindNextCode, key, set)
	if errors.Is(err, store.ErrNotFound) {
		if err = store.Create(ctx, m.env.Store, kindNextCode, key, fixedCode{Code: body.Code}); errors.Is(err, store.ErrAlreadyExists) {
			_, err = store.Update(ctx, m.env.Store, kindNextCode, key, set)
		}
	}
	if err != nil {
		return 0, nil, fmt.Errorf("fix the next code: %w", err)
	}
	return http.StatusNoContent, nil, nil
}

// takeFixedCode takes the code fixed for an address, if there is one, in one atomic update: of two
// logins racing for it, one mails it and the other a random code.
func (m *Mock) takeFixedCode(ctx context.Context, email string) (string, bool, error) {
	var code string
	_, err := store.Update(ctx, m.env.Store, kindNextCode, codeKey(email), func(f *fixedCode) (time.Time, error) {
		if f.Code == "" {
			return time.Time{}, errNoFixedCode
		}
		code, f.Code = f.Code, ""
		return time.Time{}, nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, errNoFixedCode):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("take the fixed code: %w", err)
	}
	return code, true, nil
}

func codeKey(email string) string { return store.FoldedKey(email) }
