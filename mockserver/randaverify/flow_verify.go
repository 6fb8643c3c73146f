package randaverify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
)

// reason is a purpose a NIN lookup may be made for (docs.randaverify.com /ops/reasons/).
type reason struct {
	Key         string `json:"key"`
	Label       string `json:"label"`
	Description string `json:"description"`
}

// reasons are the vendor's documented reason keys.
var reasons = []reason{
	{"corporate", "Corporate", "Identity checks by a company of its staff, directors or partners."},
	{"nyscCheck", "NYSC check", "Checks for the National Youth Service Corps."},
	{"telecommunicationSimReg", "SIM registration", "Subscriber identity checks for SIM registration by a telecom operator."},
	{"bankKyc", "Bank KYC", "Know-your-customer checks by a bank or other financial institution."},
}

func knownReason(key string) bool {
	return slices.ContainsFunc(reasons, func(r reason) bool { return r.Key == key })
}

// listNimcReasons is listNimcReasons (GET /nimc-reasons).
func listNimcReasons(*http.Request) (int, any, error) {
	return http.StatusOK, struct {
		Data []reason `json:"data"`
	}{reasons}, nil
}

// verificationRetention is how long a verification can be requeried.
const verificationRetention = 30 * 24 * time.Hour

// verifyNin is verifyNin (POST /verify-nin), a standard verification: a NIN of exactly 11 digits
// (RV-12) and a known reason, paid with one unit of the organisation's wallet (RV-13, RV-14). Only a
// success costs a unit; the debit is one atomic update of the organisation, so concurrent calls never
// spend more than the wallet holds.
func (m *Mock) verifyNin(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		NIN    string `json:"nin"`
		Reason string `json:"reason"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, errUndecodable
	}
	if !validNIN(body.NIN) && !(m.env.Broken.Has(ruleNINDigits) && body.NIN != "") {
		return 0, nil, errNINDigits
	}
	if !knownReason(body.Reason) {
		return 0, nil, errReason
	}
	p, err := m.person(ctx, body.NIN)
	if err != nil {
		return 0, nil, fmt.Errorf("read person: %w", err)
	}
	org := idKey(callerOf(r).user.OrganisationID)
	if err := m.debit(ctx, org, -1); err != nil {
		return 0, nil, fmt.Errorf("debit wallet: %w", err) // errEmptyWallet, or a bug
	}
	now := m.env.Clock.Now()
	v := verification{Reference: newReference(), OrganisationID: callerOf(r).user.OrganisationID, CreatedAt: now}
	v.Data = p.data(body.NIN, v.Reference)
	if err := store.Create(ctx, m.env.Store, kindVerification, v.Reference, v, store.OwnedBy(org),
		store.RetainUntil(now.Add(verificationRetention))); err != nil {
		// The unit was paid for nothing: give it back. (A random reference repeats about never.)
		if rerr := m.debit(ctx, org, +1); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return 0, nil, fmt.Errorf("store verification: %w", err)
	}
	return http.StatusOK, struct {
		Data ninData `json:"data"`
	}{v.Data}, nil
}

// debit changes an organisation's balance by delta; taking a unit from an empty wallet is
// errEmptyWallet and changes nothing (unless RV-13 is broken on purpose).
func (m *Mock) debit(ctx context.Context, org string, delta int64) error {
	_, err := store.Update(ctx, m.env.Store, kindOrganisation, org, func(o *organisation) (time.Time, error) {
		if o.WalletBalance+delta < 0 && !m.env.Broken.Has(ruleWallet) {
			return time.Time{}, errEmptyWallet
		}
		o.WalletBalance += delta
		return time.Time{}, nil
	})
	return err
}

// requeryNin is requeryNin (POST /verify-nin/requery): an earlier verification of the caller's
// organisation by its reference, exactly as written (RV-15), with the same data and at no cost
// (RV-14).
func (m *Mock) requeryNin(r *http.Request) (int, any, error) {
	var body struct {
		ReferenceID string `json:"reference_id"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, errUndecodable
	}
	ref := body.ReferenceID
	if m.env.Broken.Has(ruleCaseSensitive) {
		ref = strings.ToUpper(ref)
	}
	v, err := store.Get[verification](r.Context(), m.env.Store, kindVerification, ref)
	if err != nil || v.OrganisationID != callerOf(r).user.OrganisationID {
		return 0, nil, errReferenceNotFound
	}
	if m.env.Broken.Has(ruleRequeryFree) {
		_ = m.debit(r.Context(), idKey(v.OrganisationID), -1)
	}
	return http.StatusOK, struct {
		Status  string  `json:"status"`
		Message string  `json:"message"`
		Data    ninData `json:"data"`
	}{"success", "Verification retrieved", v.Data}, nil
}

// newReference is a verification's reference: REF- and 12 upper-case hex digits, as the vendor's.
func newReference() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails: it crashes the program if the system's random source does
	return "REF-" + strings.ToUpper(hex.EncodeToString(b))
}
