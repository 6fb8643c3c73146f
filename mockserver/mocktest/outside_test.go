package mocktest_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// forbiddenTest is a partner's test whose client forgets a field RamBase requires and never looks at
// the status it gets, so only the mock can tell it.
const forbiddenTest = `package partner

import (
	"net/url"
	"testing"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

func TestAClientThatForgetsItsSecret(t *testing.T) {
	m := mocktest.New(t)
	resp, err := m.Client().PostForm(m.APIURL("rambase")+"/oauth2/access_token",
		url.Values{"grant_type": {"client_credentials"}, "client_id": {"forecast-api"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // the 400 goes unnoticed
}
`

// The message the go-test guide and ExampleServer_CheckContract document, as go test prints it.
var forbiddenFailure = []string{
	"--- FAIL: TestAClientThatForgetsItsSecret",
	"mocktest: the code under test sent 1 request that broke the API contract:",
	"  POST /rambase/oauth2/access_token -> 400",
	"    POST /oauth2/access_token: body.client_secret is required",
	"    operation getAccessToken, field /body/client_secret, rule required (rambase.yaml#/paths/~1oauth2~1access_token/post)",
	`A test that sends it on purpose allows it: mocktest.New(t, mocktest.AllowViolations("getAccessToken", "required"))`,
}

// TestFromAModuleOutside uses mocktest as a partner does: from a module of their own outside this
// repository, through a replace directive to the checkout, with a short test of each API
// (testdata/outside, one <api>_test.go per API the mock serves). Its tests pass; then one more test,
// whose client sends a request the contract forbids, makes go test fail with the documented message
// naming the field. It builds offline, from the module cache this repository's own build filled.
func TestFromAModuleOutside(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	for _, api := range mocktest.APIs() {
		src, err := os.ReadFile(filepath.Join("testdata", "outside", api+"_test.go"))
		if err != nil {
			t.Fatalf("every API has a partner's test in testdata/outside: %v", err)
		}
		write(t, filepath.Join(mod, api+"_test.go"), src)
	}
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(mod, "go.sum"), sums)
	write(t, filepath.Join(mod, "go.mod"), []byte("module example.com/partner\n\ngo 1.26.0\n\n"+
		"require github.com/idvkit/idvkit v0.0.0\n\nreplace github.com/idvkit/idvkit => "+root+"\n"))

	if out, err := goTest(mod); err != nil {
		t.Fatalf("go test in a partner's module: %v\n%s", err, out)
	}

	write(t, filepath.Join(mod, "forbidden_test.go"), []byte(forbiddenTest))
	out, err := goTest(mod)
	if _, failed := err.(*exec.ExitError); !failed {
		t.Fatalf("go test with a client that forgets a required field: %v, want it to fail\n%s", err, out)
	}
	for _, line := range forbiddenFailure {
		if !bytes.Contains(out, []byte(line)) {
			t.Errorf("go test's output lacks %q:\n%s", line, out)
		}
	}
	if n := strings.Count(string(out), "--- FAIL:"); n != 1 {
		t.Errorf("%d tests failed, want only the forbidden request's:\n%s", n, out)
	}
}

// goTest runs go test in a partner's module, offline: the modules idvkit needs are in the module
// cache already (this repository's build put them there), and its go.sum has their checksums.
func goTest(dir string) ([]byte, error) {
	cmd := exec.Command("go", "test", "-count=1", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	return cmd.CombinedOutput()
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
