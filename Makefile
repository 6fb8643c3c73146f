# idvkit: see README.md. `make run` serves the mock on its embedded defaults; `make test` passes the tests.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
SPECTRAL    ?= @stoplight/spectral-cli@6.16.3
REDOCLY     ?= @redocly/cli@2.77.0
API         ?=
# ADDR, when given (make run ADDR=127.0.0.1:9090), overrides IDVKIT_ADDR and the default 127.0.0.1:8080.
ADDR        ?=
BASE_URL    ?= http://$(or $(ADDR),$(IDVKIT_ADDR),127.0.0.1:8080)/$(API)
# The revision `idvkit version` reports; go run stamps none of its own.
REVISION    := $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo +dirty)
LDFLAGS     := -X main.revision=$(REVISION)

.PHONY: run test bench lint lint-specs build conform specs

## run: serve every API on $(ADDR), $$IDVKIT_ADDR or 127.0.0.1:8080, with the default fixtures (Ctrl-C stops it)
run:
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/idvkit serve $(if $(ADDR),--addr $(ADDR))

## test: unit tests and the in-process conformance suite, with the race detector
test:
	$(GO) test -race -count=1 ./...

## bench: hot-path throughput of the validated mock beside a bare handler
bench:
	$(GO) test -run '^$$' -bench HotPaths -benchmem -benchtime 2s ./mockserver/...
	$(GO) test -run '^$$' -bench Start -benchmem ./mockserver/mocktest/

## lint: gofmt, go vet and staticcheck must be clean, and git tracks no build output
lint:
	@outputs="$$(git ls-files '*.test' '*.out' '*.prof' 'bin/*'; git ls-files -z | xargs -0 -r du -k | awk '$$1 > 1024 {print $$2}')"; \
	  if [ -n "$$outputs" ]; then echo "build outputs or files over 1 MiB are tracked: $$outputs"; exit 1; fi
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## lint-specs: every spec lints with 0 errors under Spectral's oas and Redocly's recommended rules (needs npx)
lint-specs:
	npx --yes -p $(SPECTRAL) spectral lint --fail-severity=error openapi/*.yaml
	npx --yes $(REDOCLY) lint --extends recommended openapi/*.yaml

## build: a static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/idvkit ./cmd/idvkit

## conform: the suite against a running implementation (make conform API=<api>, BASE_URL defaults to the local mock)
conform:
	$(GO) run ./cmd/idvkit conform --api $(API) --base-url $(BASE_URL)

## specs: list the embedded specs
specs:
	$(GO) run ./cmd/idvkit specs
