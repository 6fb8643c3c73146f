package eeid_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/eeid"
	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// pdfText is the text of a PDF as an independent parser reads it: Debian's pdftotext (poppler-utils),
// in the order the text is drawn (-raw, which also keeps a hyphen that ends a line). The PDF must
// parse without a complaint. Without pdftotext the test is mocktest.Unavailable.
func pdfText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		mocktest.Unavailable(tb, "pdftotext (Debian's poppler-utils) is not installed")
	}
	file := filepath.Join(tb.TempDir(), "proof.pdf")
	require.NoError(tb, os.WriteFile(file, pdf, 0o600))
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(pdftotext, "-raw", "-enc", "UTF-8", file, "-")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(tb, cmd.Run(), stderr.String())
	require.Empty(tb, stderr.String(), "pdftotext reads the PDF without a complaint")
	return stdout.String()
}

// withoutSpace is s without its white space: where a long value wraps is the layout's business.
func withoutSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// checkProof renders the proof of a request with text in every field and checks that it is a PDF
// in which the text prints as want, everywhere (with pdftotext, when it is installed).
func checkProof(t *testing.T, text, want string) {
	t.Helper()
	pdf, err := eeid.ProofWithText(text)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(pdf, []byte("%PDF-1.")), "a PDF header")
	require.True(t, bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")), "a PDF trailer")
	printed := withoutSpace(pdfText(t, pdf))
	assert.Contains(t, printed, withoutSpace("Reference"+want+"Issued by"), "the reference, whole")
	assert.Contains(t, printed, withoutSpace("Name"+want+" "+want+"Personal code"), "the name, whole")
	assert.Contains(t, printed, withoutSpace("Level of assurance"+want+"Identified at"), "the level of assurance, whole")
}

// proofTexts are texts of every class of character, and how the proof prints them: as they are
// written where the font (Go Regular) draws them; composed (NFC) where a letter and its combining mark
// make a letter it draws; otherwise each character, or run of bytes that is not UTF-8, as U+FFFD.
var proofTexts = []struct{ name, text, want string }{
	{"ASCII", "Order #4711 (test) ~!@$%^&*_+=[]{}|;:'\",.<>/?`\\", "Order #4711 (test) ~!@$%^&*_+=[]{}|;:'\",.<>/?`\\"},
	{"Latin-1", "Søren Ærø Façade Müller ÿ ¿¡ «» © ½", "Søren Ærø Façade Müller ÿ ¿¡ «» © ½"},
	{"Baltic and Central European", "JÕEORG-Bērziņa Šťastný Łódź Žemaitė", "JÕEORG-Bērziņa Šťastný Łódź Žemaitė"},
	{"Greek and Cyrillic", "Αθηνά Ковалёва Ґанна", "Αθηνά Ковалёва Ґанна"},
	{"punctuation and symbols of the font", "– — ‘’ “” … € ™ № ←", "– — ‘’ “” … € ™ № ←"},
	{"combining marks that compose", "Jo\u0301zef Ku\u0308la", "Józef Küla"},
	{"a combining mark with no composed letter", "q\u0301", "q\uFFFD"},
	{"a Latin letter the font lacks", "Nguyễn", "Nguy\uFFFDn"},
	{"CJK", "山田 太郎", "\uFFFD\uFFFD \uFFFD\uFFFD"},
	{"Devanagari", "नमस्ते", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"},
	{"right to left", "abc שלום مرحبا 123", "abc \uFFFD\uFFFD\uFFFD\uFFFD \uFFFD\uFFFD\uFFFD\uFFFD\uFFFD 123"},
	{"bidirectional controls", "\u202Eevil\u202C", "\uFFFDevil\uFFFD"},
	{"zero-width and byte order marks", "a\u200Db\uFEFFc\u200Bd", "a\uFFFDb\uFFFDc\uFFFDd"},
	{"control characters", "a\tb\nc\rd\x1be\x7ff\u0085g", "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg"},
	{"NUL", "a\x00b", "a\uFFFDb"},
	{"bytes that are not UTF-8", "bad\xff\xfebytes \xc3(", "bad\uFFFDbytes \uFFFD("},
	{"a surrogate's bytes", "x\xed\xa0\x80y", "x\uFFFDy"},
	{"U+FFFD itself and noncharacters", "a\uFFFDb\uFFFEc\uFFFFd", "a\uFFFDb\uFFFDc\uFFFDd"},
	{"emoji outside the BMP", "ok 😀 👍🏽 𝕏 𠀀", "ok \uFFFD \uFFFD\uFFFD \uFFFD \uFFFD"},
	{"256 characters, the API's longest reference", strings.Repeat("Ab0-", 64), strings.Repeat("Ab0-", 64)},
	{"a long name of words", strings.Repeat("Jõeorg Ковалёва ", 150), strings.Repeat("Jõeorg Ковалёва ", 150)},
	{"a long word", strings.Repeat("x", 2000), strings.Repeat("x", 2000)},
	{"empty", "", ""},
}

// Every class of character prints in the proof as written, or visibly replaced where the font
// cannot draw it; no text makes it fail, and what it prints is always a valid PDF.
func TestTheProofPrintsEveryClassOfCharacter(t *testing.T) {
	glyphs, err := eeid.ValueGlyphs()
	require.NoError(t, err)
	for _, c := range proofTexts {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, eeid.Printable(c.text, glyphs))
			checkProof(t, c.text, c.want)
		})
	}
}

// Whatever text a request holds, its proof is a valid PDF in which the text prints, each character
// as written or as U+FFFD.
func FuzzProofOfIdentity(f *testing.F) {
	for _, c := range proofTexts {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		glyphs, err := eeid.ValueGlyphs()
		require.NoError(t, err)
		want := eeid.Printable(text, glyphs)
		for _, r := range want {
			require.True(t, glyphs[r] && !unicode.IsControl(r), "%U is a character the font draws", r)
		}
		checkProof(t, text, want)
	})
}
