package apikit

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
)

// checkGoExample: mocktest shows a Go test of a client of the API, as go doc shows it:
// mockserver/mocktest/example_<name>_test.go holds Example_<name>, a tiny client of the API and the
// test that drives it through the mock, run by go test with its output.
func checkGoExample(_ context.Context, k *kit) []string {
	path := filepath.Join(k.GoExamples, "example_"+k.name+"_test.go")
	src, err := os.ReadFile(path)
	if err != nil {
		return []string{"mocktest's example of a client of " + k.name + ": " + err.Error()}
	}
	example := regexp.MustCompile(`(?m)^func Example_` + regexp.QuoteMeta(k.name) + `\(\) \{$[\s\S]*^\t// Output:`)
	if !example.Match(src) {
		return []string{path + ": no func Example_" + k.name + "() with an // Output: comment, which go test checks"}
	}
	return nil
}
