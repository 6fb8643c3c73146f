package mocktest_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// recorder is a testing.TB that notes a Fatalf or a Skip instead of ending the test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...) }
func (r *recorder) Skip(a ...any)             { r.skip = fmt.Sprint(a...) }

// A test that cannot run here is skipped with its reason, except in CI, where it fails.
func TestUnavailableSkipsOnlyOutsideCI(t *testing.T) {
	for ci, inCI := range map[string]bool{"": false, "false": false, "0": false, "true": true, "1": true, "yes": true} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		mocktest.Unavailable(r, "%s is not installed", "pdftotext")
		assert.Equal(t, inCI, mocktest.InCI(), "CI=%q", ci)
		if inCI {
			assert.Equal(t, "CI="+ci+": this test must run in CI, but pdftotext is not installed", r.fatal)
			assert.Empty(t, r.skip)
		} else {
			assert.Equal(t, "pdftotext is not installed", r.skip)
			assert.Empty(t, r.fatal)
		}
	}
}
