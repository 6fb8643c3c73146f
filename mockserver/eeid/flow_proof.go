package eeid

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// getProofOfIdentity is getProofOfIdentity (GET .../{id}/proof_of_identity): for a completed request
// of the service, a PDF naming the person, the request and the time (EE-09); 404 before completion
// (EE-08).
func (m *Mock) getProofOfIdentity(r *http.Request) (int, any, error) {
	req, ok := m.ownRequest(r)
	if !ok {
		return 0, nil, errRequestNotFound
	}
	if req.CompletedAt == nil {
		if !m.env.Broken.Has(ruleProofEarly) {
			return 0, nil, errProofNotFound
		}
		now := m.env.Clock.Now()
		req.CompletedAt, req.Identity = &now, &Identity{}
	}
	pdf, err := proofOfIdentity(req)
	if err != nil {
		return 0, nil, fmt.Errorf("render proof of identity: %w", err)
	}
	return http.StatusOK, proofPDF{requestID: req.ID, pdf: pdf}, nil
}

// proofPDF is a proof of identity as the response carries it: as application/pdf, exactly, with a
// file name in Content-Disposition, which the vendor's client dispatches on and reads.
type proofPDF struct {
	requestID string
	pdf       []byte
}

func (p proofPDF) WriteBody(w http.ResponseWriter, _ *http.Request, status int) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="proof_of_identity_%s.pdf"`, p.requestID))
	w.Header().Set("Content-Length", strconv.Itoa(len(p.pdf)))
	w.WriteHeader(status)
	_, _ = w.Write(p.pdf)
}

// proofOfIdentity renders a completed request's proof of identity: who identified themselves, how,
// for which request of which service, and when. The same request always renders the same bytes: its
// dates are the completion's, not the rendering's.
func proofOfIdentity(req request) ([]byte, error) {
	glyphs, err := valueGlyphs()
	if err != nil {
		return nil, err
	}
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
	// A value wraps, on to further pages if it must, so that the longest text the API takes prints
	// whole rather than off the page's edge.
	line := func(label, value string) {
		doc.SetFont("go", "B", 11)
		doc.CellFormat(55, 8, label, "", 0, "", false, 0, "")
		doc.SetFont("go", "", 11)
		doc.MultiCell(0, 8, printable(value, glyphs), "", "L", false)
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

// valueGlyphs is the set of characters the proof's values can print: those its value font, Go
// Regular, has a glyph for (Latin, Greek and Cyrillic letters, but no combining marks, no
// right-to-left or CJK script, no emoji) in the Basic Multilingual Plane, the only plane fpdf's UTF-8
// fonts address: a character beyond it indexes past fpdf's 65536-entry width table and panics. The
// font's character map is read once per process.
var valueGlyphs = sync.OnceValues(func() (map[rune]bool, error) {
	font, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	glyphs := map[rune]bool{}
	var buf sfnt.Buffer
	for r := range rune(0x10000) {
		if g, err := font.GlyphIndex(&buf, r); err == nil && g != 0 {
			glyphs[r] = true
		}
	}
	return glyphs, nil
})

// printable is text as the proof prints it, so that any text the API accepts prints, visibly
// replaced only where the font cannot draw it. It is composed first (NFC), so a letter typed with a
// combining mark prints as one letter where the font has it; then each character the font has no
// glyph for, each control character (whose glyphs are blank) and each run of bytes that is not UTF-8
// becomes U+FFFD, which the font draws.
func printable(text string, glyphs map[rune]bool) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || !glyphs[r] {
			return unicode.ReplacementChar
		}
		return r
	}, norm.NFC.String(strings.ToValidUTF8(text, string(unicode.ReplacementChar))))
}
