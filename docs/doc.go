// Package docs holds idvkit's guides. They are code: the tests of this package run every shell block
// of every guide, README.md and CONTRIBUTING.md, in order, against a mock started for the guide, and
// compare what a block prints with the output the guide shows under it, so a guide that drifts from
// the program fails `make test`.
//
// A guide marks its blocks by the fence's info string:
//
//	```sh            run, in order, in one shell per guide (set -euo pipefail): a failing command fails the guide
//	```sh server     a command that starts the mock and keeps running (make run): started in the
//	                 background, waited for at $IDVKIT_ADDR, stopped when the guide ends
//	```sh docker     run only where a Docker daemon answers (always in CI)
//	```sh no-run     shown, not run: only `make` targets that exist (make test is this test)
//	```output        what the block above it prints; `...` matches any text within a line, and a line
//	                 of only `...` any number of lines
//	```go            compiled (go vet) as a file of a module outside this repository that uses it
//	                 through a replace directive
//	```go x_test.go  the same, and saved as x_test.go where the guide is at that point (in its
//	                 order among the sh blocks), so a later block can build or test it
//
// A guide reads the mock's address from IDVKIT_ADDR (127.0.0.1:8080 when unset), which the tests set
// to a free port, and an address for a second server of its own (a webhook receiver, a container)
// from OTHER_ADDR, another free port. The guides run in a scratch directory named idvkit that links
// the repository's top level, so what a guide writes never lands in the checkout and a module beside
// it finds it at ../idvkit, with idvkit (the binary `make build` makes) on PATH. Whatever a guide
// starts in the background (cmd &) is stopped when it ends.
package docs
