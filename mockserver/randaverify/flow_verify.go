package randaverify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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

// handleReasons is listNimcReasons (GET /nimc-reasons).
func (m *Mock) handleReasons(w http.ResponseWriter, _ *http.Request) {
	apihttp.WriteJSON(w, http.StatusOK, struct {
		Data []reason `json:"data"`
	}{reasons})
}

// errEmptyWallet is a debit of a wallet with no units.
var errEmptyWallet = errors.New("randaverify: the wallet is empty")

// verificationRetention is how long a verification can be requeried.
const verificationRetention = 30 * 24 * time.Hour

// handleVerifyNin is verifyNin (POST /verify-nin), a standard verification: a NIN of exactly 11
// digits (RV-12) and a known reason, paid with one unit of the organisation's wallet (RV-13, RV-14).
// Only a success costs a unit; the debit is one atomic update of the organisation, so concurrent
// calls never spend more than the wallet holds.
func (m *Mock) handleVerifyNin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body struct {
		NIN    string `json:"nin"`
		Reason string `json:"reason"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, "The body cannot be decoded")
		return
	}
	if !validNIN(body.NIN) && !(m.env.Broken.Has(ruleNINDigits) && body.NIN != "") {
		writeError(w, http.StatusBadRequest, "NIN must be exactly 11 digits")
		return
	}
	if !knownReason(body.Reason) {
		writeError(w, http.StatusBadRequest, "NIMC does not accept that reason; see GET /nimc-reasons")
		return
	}
	p, err := m.person(ctx, body.NIN)
	if err != nil {
		apihttp.Internal(w, r, "read person", err)
		return
	}
	org := idKey(callerOf(r).user.OrganisationID)
	if err := m.debit(ctx, org, -1); errors.Is(err, errEmptyWallet) {
		writeError(w, http.StatusPaymentRequired, "Insufficient wallet balance")
		return
	} else if err != nil {
		apihttp.Internal(w, r, "debit wallet", err)
		return
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
		apihttp.Internal(w, r, "store verification", err)
		return
	}
	apihttp.WriteJSON(w, http.StatusOK, struct {
		Data ninData `json:"data"`
	}{v.Data})
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

// handleRequery is requeryNin (POST /verify-nin/requery): an earlier verification of the caller's
// organisation by its reference, exactly as written (RV-15), with the same data and at no cost
// (RV-14).
func (m *Mock) handleRequery(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ReferenceID string `json:"reference_id"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, "The body cannot be decoded")
		return
	}
	ref := body.ReferenceID
	if m.env.Broken.Has(ruleCaseSensitive) {
		ref = strings.ToUpper(ref)
	}
	v, err := store.Get[verification](r.Context(), m.env.Store, kindVerification, ref)
	if err != nil || v.OrganisationID != callerOf(r).user.OrganisationID {
		writeError(w, http.StatusNotFound, "Reference not found")
		return
	}
	if m.env.Broken.Has(ruleRequeryFree) {
		_ = m.debit(r.Context(), idKey(v.OrganisationID), -1)
	}
	apihttp.WriteJSON(w, http.StatusOK, struct {
		Status  string  `json:"status"`
		Message string  `json:"message"`
		Data    ninData `json:"data"`
	}{"success", "Verification retrieved", v.Data})
}

// newReference is a verification's reference: REF- and 12 upper-case hex digits, as the vendor's.
func newReference() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails: it crashes the program if the system's random source does
	return "REF-" + strings.ToUpper(hex.EncodeToString(b))
}
