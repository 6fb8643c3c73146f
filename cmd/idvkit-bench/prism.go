package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/idvkit/idvkit/openapi"
)

// With --prism, each row is also measured against Prism (@stoplight/prism-cli) mocking the row's
// API from the same embedded spec, pinned to the server core, logging silenced. Prism is stateless:
// what it answers a row's request may differ from the mock's, and the report says what it was.

func (b *bench) prismPackage() string { return "@stoplight/prism-cli@" + b.o.prismVersion }

// installPrism has npx fetch Prism before anything is timed (unpinned; it may download).
func (b *bench) installPrism(ctx context.Context) error {
	b.logf("prism: npx --yes %s --version (fetches it on the first run)", b.prismPackage())
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "npx", "--yes", b.prismPackage(), "--version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("npx %s --version: %v\n%s", b.prismPackage(), err, out)
	}
	return nil
}

// prismFor starts Prism on an API's spec, once per run.
func (b *bench) prismFor(ctx context.Context, api string) (*server, error) {
	if s, ok := b.prisms[api]; ok {
		return s, nil
	}
	spec, err := openapi.Raw(api)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(b.dir, api+".yaml")
	if err := os.WriteFile(file, spec, 0o600); err != nil {
		return nil, err
	}
	anyAnswer := func(ctx context.Context, root string) error {
		_, _, _, err := send(ctx, b.client, root, request{Method: "GET", Path: "/"})
		return err
	}
	s, err := startServer(ctx, "prism "+api, b.dir, []string{"npx", "--yes", b.prismPackage(), "mock", "-p", "{port}", "-h", "{host}",
		"--verboseLevel", "silent", "--errors", "false", file}, anyAnswer, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	s.tree = true // npx runs Prism in a child node process
	b.prisms[api] = s
	b.logf("prism %s (pid %d, with its children) at %s, pinned to CPU %s", api, s.Pid, s.root, serverCPU)
	return s, nil
}

func (b *bench) stopPrisms() {
	for _, s := range b.prisms {
		s.Stop()
	}
}

// prismTarget is a row's request as Prism serves it (at the root, without the API prefix), with
// the status Prism answers it.
func (b *bench) prismTarget(ctx context.Context, p prepared) (*server, target, error) {
	api := p.row.api()
	s, err := b.prismFor(ctx, api)
	if err != nil {
		return nil, target{}, err
	}
	req := p.req
	req.Path = strings.TrimPrefix(req.Path, "/"+api)
	status, _, body, err := send(ctx, b.client, s.root, req)
	if err != nil {
		return nil, target{}, fmt.Errorf("%s against prism: %w", p.row.name, err)
	}
	if status >= 300 && status < 400 || status >= 500 {
		return nil, target{}, fmt.Errorf("%s against prism: answered %d: %.300s", p.row.name, status, body)
	}
	script := filepath.Join(b.dir, strings.ReplaceAll(p.row.name, "/", "-")+".prism.lua")
	if err := os.WriteFile(script, []byte(luaScript(req)), 0o600); err != nil {
		return nil, target{}, err
	}
	if status != p.row.status {
		b.logf("%s: prism answers %d %s (the mock answers %d)", p.row.name, status, http.StatusText(status), p.row.status)
	}
	return s, target{name: p.row.name, req: req, script: script, status: status, socketErrorsOK: true}, nil
}
