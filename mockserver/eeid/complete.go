package eeid

import (
	"context"
	"fmt"
	"strings"

	"github.com/idvkit/idvkit/mockserver/mockapi"
)

// complete completes a request as the person with identity authenticated, once: the check and the
// change are one atomic update, so of any number of concurrent completions one wins and the others
// get errCompleted (EE-14); a request past its link's expiry is errExpired. The claims comparison is
// made then (EE-10), and the winner's webhook is sent (EE-11).
func (m *Mock) complete(ctx context.Context, id string, identity Identity) (request, error) {
	now := m.env.Clock.Now()
	req, err := mockapi.Change(ctx, m.env.Store, kindRequest, id, errNoRequest, func(req *request) error {
		switch req.status(now, m.env.Broken.Has(ruleExpiry)) {
		case statusCompleted:
			if !m.env.Broken.Has(ruleLinkOnce) {
				return errCompleted
			}
		case statusExpired:
			return errExpired
		}
		req.CompletedAt, req.Identity = &now, &identity
		req.Comparison = compare(req.Claims, identity)
		if m.env.Broken.Has(ruleMismatch) {
			matched := true
			req.Comparison = comparison{Matched: &matched}
		}
		return nil
	})
	if err != nil {
		return request{}, err
	}
	// The person may close the page the moment they are identified: the webhook goes all the same.
	m.notify(context.WithoutCancel(ctx), req)
	return req, nil
}

// compare compares an identity with the claims a request required: a claim with an empty value is
// not compared; `name` is the given and family names joined by a space, compared case-insensitively.
func compare(claims []claim, id Identity) comparison {
	actual := map[string]string{"sub": id.Sub, "name": strings.TrimSpace(id.GivenName + " " + id.FamilyName),
		"birthdate": id.DateOfBirth, "country": id.Country}
	c := comparison{Mismatched: map[string]mismatchedOne{}, Errors: []string{}}
	for _, cl := range claims {
		if cl.Value == "" {
			continue
		}
		got := actual[cl.Type]
		switch {
		case got == "":
			c.Mismatched[cl.Type] = mismatchedOne{Expected: cl.Value}
			c.Errors = append(c.Errors, fmt.Sprintf("%s: the identity has no %s to compare", cl.Type, cl.Type))
		case !strings.EqualFold(got, cl.Value):
			c.Mismatched[cl.Type] = mismatchedOne{Expected: cl.Value, Actual: &got}
			c.Errors = append(c.Errors, fmt.Sprintf("%s: expected %s, got %s", cl.Type, cl.Value, got))
		}
	}
	matched := len(c.Mismatched) == 0
	c.Matched = &matched
	return c
}

// matchingIdentity is who a person matching every claim of a request is: the fixture identity whose
// sub the request names, else the first fixture identity, with the required claims written over it.
func matchingIdentity(claims []claim, identities []Identity) Identity {
	var id Identity
	if len(identities) > 0 {
		id = identities[0]
	}
	for _, cl := range claims {
		if cl.Type == "sub" && cl.Value != "" {
			for _, candidate := range identities {
				if strings.EqualFold(candidate.Sub, cl.Value) {
					id = candidate
				}
			}
		}
	}
	for _, cl := range claims {
		if cl.Value == "" {
			continue
		}
		switch cl.Type {
		case "sub":
			id.Sub = cl.Value
		case "name":
			id.GivenName, id.FamilyName, _ = strings.Cut(cl.Value, " ")
			if id.FamilyName == "" {
				id.GivenName, id.FamilyName = "", cl.Value
			}
		case "birthdate":
			id.DateOfBirth = cl.Value
		case "country":
			id.Country = strings.ToUpper(cl.Value)
		}
	}
	return id
}
