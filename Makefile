# idvkit: see README.md. `make run` serves the mock on its embedded defaults; `make test` passes the tests.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
ADDR        ?= 127.0.0.1:8080
API         ?= rambase
BASE_URL    ?= http://$(ADDR)/$(API)

.PHONY: run test bench lint build conform specs

## run: serve every API on $(ADDR) with the default fixtures (Ctrl-C stops it)
run:
	$(GO) run ./cmd/idvkit serve --addr $(ADDR)

## test: unit tests and the in-process conformance suite, with the race detector
test:
	$(GO) test -race -count=1 ./...

## bench: hot-path throughput of the validated mock beside a bare handler
bench:
	$(GO) test -run '^$$' -bench HotPaths -benchmem -benchtime 2s ./mockserver/
	$(GO) test -run '^$$' -bench Start -benchmem ./mockserver/mocktest/

## lint: gofmt, go vet and staticcheck must be clean
lint:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## build: a static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -o bin/idvkit ./cmd/idvkit

## conform: the suite against a running implementation (API=rambase BASE_URL=http://...)
conform:
	$(GO) run ./cmd/idvkit conform --api $(API) --base-url $(BASE_URL)

## specs: list the embedded OpenAPI specs
specs:
	$(GO) run ./cmd/idvkit specs
