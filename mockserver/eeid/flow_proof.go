package eeid

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/idvkit/idvkit/mockserver/apihttp"
)

// handleProof is getProofOfIdentity (GET .../{id}/proof_of_identity): for a completed request of the
// service, a PDF naming the person, the request and the time (EE-09); 404 before completion (EE-08).
// It is sent as application/pdf, exactly, with a file name in Content-Disposition, which the vendor's
// client dispatches on and reads.
func (m *Mock) handleProof(w http.ResponseWriter, r *http.Request) {
	req, ok := m.ownRequest(r)
	if !ok {
		writeError(w, http.StatusNotFound, "Identification request not found")
		return
	}
	if req.CompletedAt == nil {
		if !m.env.Broken.Has(ruleProofEarly) {
			writeError(w, http.StatusNotFound, "Proof of identity not found")
			return
		}
		now := m.env.Clock.Now()
		req.CompletedAt, req.Identity = &now, &Identity{}
	}
	pdf, err := proofOfIdentity(req)
	if err != nil {
		apihttp.Internal(w, r, "render proof of identity", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="proof_of_identity_%s.pdf"`, req.ID))
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	_, _ = w.Write(pdf)
}

// proofOfIdentity renders a completed request's proof of identity: who identified themselves, how,
// for which request of which service, and when. The same request always renders the same bytes: its
// dates are the completion's, not the rendering's.
func proofOfIdentity(req request) ([]byte, error) {
	id, at := req.Identity, req.CompletedAt.UTC()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCatalogSort(true) // with the dates below, the same request renders the same bytes
	doc.SetCreationDate(at)
	doc.SetModificationDate(at)
	doc.SetTitle("eeID proof of identity", true)
	doc.SetCreator("idvkit eeID mock", true)
	// The Go fonts, embedded (subset): every name prints as it is written, Latvian, Lithuanian and
	// Cyrillic letters included, where the PDF core fonts have only Windows-1252.
	doc.AddUTF8FontFromBytes("go", "", goregular.TTF)
	doc.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	doc.AddUTF8FontFromBytes("go", "I", goitalic.TTF)
	doc.AddPage()
	doc.SetFont("go", "B", 18)
	doc.Cell(0, 12, "eeID proof of identity")
	doc.Ln(16)
	line := func(label, value string) {
		doc.SetFont("go", "B", 11)
		doc.CellFormat(55, 8, label, "", 0, "", false, 0, "")
		doc.SetFont("go", "", 11)
		doc.CellFormat(0, 8, value, "", 1, "", false, 0, "")
	}
	line("Name", id.GivenName+" "+id.FamilyName)
	line("Personal code (sub)", id.Sub)
	line("Date of birth", id.DateOfBirth)
	line("Country", id.Country)
	line("Authentication", id.AuthenticationType)
	line("Level of assurance", id.ACR)
	line("Identified at", at.Format(time.RFC3339))
	doc.Ln(4)
	line("Identification request", req.ID)
	line("Service (client_id)", req.ClientID)
	if req.Reference != nil {
		line("Reference", *req.Reference)
	}
	if req.Comparison.Matched != nil {
		line("Required claims matched", strconv.FormatBool(*req.Comparison.Matched))
	}
	doc.Ln(8)
	doc.SetFont("go", "I", 9)
	doc.MultiCell(0, 5, "Issued by the idvkit mock of eeID for testing. It proves nothing about anyone.", "", "", false)
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
