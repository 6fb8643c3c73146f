package mocktest

import (
	"fmt"
	"os"
	"testing"
)

// InCI reports whether the tests run in CI: the CI variable set to anything but "", "false" or
// "0", as .ci/run and most CI services set it.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// Unavailable is for a test that cannot run here because something it needs is missing (a tool
// such as pdftotext or ruby, a Docker daemon, the mock's image). Outside CI it skips the test,
// saying why; in CI, which installs all of it, it fails the test instead, so a test that did not
// run is never counted as passing.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	why := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("CI=%s: this test must run in CI, but %s", os.Getenv("CI"), why)
	} else {
		t.Skip(why)
	}
}
