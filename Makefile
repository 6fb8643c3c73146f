# idvkit: see README.md. `make run` serves the mock on its embedded defaults; `make test` passes the tests.
GO          ?= go
# Go 1.27.3, which the go command fetches from the module proxy on first use: Go 1.26.8, on these
# machines, has standard-library vulnerabilities govulncheck finds in idvkit's code paths.
export GOTOOLCHAIN ?= go1.27.3
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK ?= golang.org/x/vuln/cmd/govulncheck@v1.9.0
# The vulnerability database, from the module proxy (vuln.go.dev is out of reach here): the Go
# vulnerability reports of golang.org/x/vulndb at this version, indexed once into VULNDB_DIR.
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
VULNDB_DIR     ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/idvkit/vulndb-$(VULNDB_VERSION)
SPECTRAL    ?= @stoplight/spectral-cli@6.16.3
REDOCLY     ?= @redocly/cli@2.77.0
PRISM       ?= @stoplight/prism-cli@5.16.0
API         ?=
BENCH_FLAGS ?=
IMAGE       ?= idvkit:dev
# ADDR, when given (make run ADDR=127.0.0.1:9090), overrides IDVKIT_ADDR and the default 127.0.0.1:8080.
ADDR        ?=
BASE_URL    ?= http://$(or $(ADDR),$(IDVKIT_ADDR),127.0.0.1:8080)/$(API)
# The revision `idvkit version` reports; go run stamps none of its own.
REVISION    := $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo +dirty)
LDFLAGS     := -X main.revision=$(REVISION)

.PHONY: run test bench bench-quick lint vuln lint-specs conform-prism build docker conform-docker conform specs

## run: serve every API on $(ADDR), $$IDVKIT_ADDR or 127.0.0.1:8080, with the default fixtures (Ctrl-C stops it)
run:
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/idvkit serve $(if $(ADDR),--addr $(ADDR))

## test: unit tests and the in-process conformance suite, with the race detector
test:
	$(GO) test -race -count=1 ./...

## bench: the mock server alone (pinned to CPU 0, wrk on CPU 1) beside a bare server, then the handler allocation benchmarks
## (each beside a mock that journals nothing) and what journaling a request costs
## (BENCH_FLAGS passes flags to cmd/idvkit-bench: --rounds N --duration 5s --only ROW --skip-memory --prism)
bench:
	@command -v taskset >/dev/null || { echo "make bench needs taskset (util-linux)"; exit 1; }
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null || { echo "make bench needs wrk; install it"; exit 1; }; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y wrk; }
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	  CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o "$$dir/idvkit" ./cmd/idvkit && \
	  $(GO) build -o "$$dir/idvkit-bench" ./cmd/idvkit-bench && \
	  "$$dir/idvkit-bench" --idvkit "$$dir/idvkit" $(BENCH_FLAGS)
	$(GO) test -run '^$$' -bench . -benchmem ./cmd/idvkit-bench/
	$(GO) test -run '^$$' -bench Start -benchmem ./mockserver/mocktest/
	$(GO) test -run '^$$' -bench Record -benchmem ./mockserver/journal/

## bench-quick: make bench with one 2 s round per row and no memory phase, for development
bench-quick:
	@$(MAKE) --no-print-directory bench BENCH_FLAGS='--rounds 1 --duration 2s --skip-memory $(BENCH_FLAGS)'

## lint: gofmt, go vet, staticcheck and govulncheck must be clean, and git tracks no build output
lint: vuln
	@outputs="$$(git ls-files '*.test' '*.out' '*.prof' 'bin/*'; git ls-files -z | xargs -0 -r du -k | awk '$$1 > 1024 {print $$2}')"; \
	  if [ -n "$$outputs" ]; then echo "build outputs or files over 1 MiB are tracked: $$outputs"; exit 1; fi
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## vuln: govulncheck (pinned) against the pinned vulnerability database (built once from the module proxy);
## a vulnerability idvkit's code reaches fails it unless .govulncheck-allow.yaml accepts it, with why
vuln: $(VULNDB_DIR)/index/db.json
	@report=$$(mktemp) && trap 'rm -f "$$report"' EXIT && \
	  $(GO) run $(GOVULNCHECK) -db file://$(VULNDB_DIR) -format json ./... >"$$report" && \
	  $(GO) run ./cmd/vulngate -allow .govulncheck-allow.yaml <"$$report"

$(VULNDB_DIR)/index/db.json:
	@src=$$(cd "$$(mktemp -d)" && $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/.*"Dir": "\(.*\)",/\1/p') && \
	  rm -rf "$(VULNDB_DIR).tmp" && \
	  (cd "$$(mktemp -d)" && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$src/data/osv" -out "$(VULNDB_DIR).tmp") && \
	  rm -rf "$(VULNDB_DIR)" && mv "$(VULNDB_DIR).tmp" "$(VULNDB_DIR)"

## lint-specs: every spec lints with 0 errors under Spectral's oas and Redocly's recommended rules (needs npx)
lint-specs:
	npx --yes -p $(SPECTRAL) spectral lint --fail-severity=error openapi/*.yaml
	npx --yes $(REDOCLY) lint --extends recommended openapi/*.yaml

## conform-prism: the suite against the served mock through Prism's validating proxy (pinned, run with npx), one API
## at a time (API=<api> for one): a response Prism finds breaking the spec, or a request it refuses that the mock took, fails it
conform-prism:
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	  CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o "$$dir/idvkit" ./cmd/idvkit && \
	  $(GO) build -o "$$dir/prismgate" ./cmd/prismgate && \
	  "$$dir/prismgate" --idvkit "$$dir/idvkit" --prism $(PRISM) $(if $(API),--api $(API))

## build: a static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/idvkit ./cmd/idvkit

## docker: the mock's own image $(IMAGE), FROM scratch with the binary make build makes (nothing is pulled); the image it replaces is removed unless still used
docker:
	@command -v docker >/dev/null || { echo "make docker needs docker and a running daemon (.ci/run starts one)"; exit 1; }
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	  CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o "$$dir/idvkit" ./cmd/idvkit && \
	  cp Dockerfile "$$dir/" && \
	  old=$$(docker image inspect --format '{{.Id}}' $(IMAGE) 2>/dev/null || true) && \
	  docker build --label org.opencontainers.image.revision=$(REVISION) -t $(IMAGE) "$$dir" && \
	  if [ -n "$$old" ] && [ "$$old" != "$$(docker image inspect --format '{{.Id}}' $(IMAGE))" ]; then \
	    docker image rm "$$old" >/dev/null 2>&1 || true; fi

## conform-docker: the suite against the mock's own image (make docker first), one container per API started
## with --only, as a pipeline gates a deployment: nothing may fail or be skipped; JUnit and Cucumber reports in reports/
conform-docker:
	@mkdir -p reports && for api in $$(cd features && ls -d */ | tr -d /); do \
	  echo "== $$api"; \
	  $(GO) run ./cmd/idvkit conform --api $$api --docker-image $(IMAGE) --docker-env IDVKIT_ONLY=$$api \
	    --strict-policy --fail-on-skip --format progress \
	    --junit reports/$$api.junit.xml --cucumber reports/$$api.cucumber.json || exit $$?; \
	done

## conform: the suite against a running implementation (make conform API=<api>, BASE_URL defaults to the local mock)
conform:
	$(GO) run ./cmd/idvkit conform --api $(API) --base-url $(BASE_URL)

## specs: list the embedded specs
specs:
	$(GO) run ./cmd/idvkit specs
