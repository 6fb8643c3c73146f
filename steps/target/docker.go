package target

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// DockerConfig says which container a Docker target starts and how to reach it. Zero values are the
// defaults.
type DockerConfig struct {
	// Image is an image already in the local Docker store, as repository[:tag] (tag latest by
	// default). idvkit never pulls: a missing image is an ErrImageMissing.
	Image string
	// Dockerfile is the path of a Dockerfile to build instead, with its directory as the build
	// context. The daemon cannot pull either, so it builds FROM scratch or from an image already
	// present. The image built is removed by Close.
	Dockerfile string
	// Env is the container's environment, KEY=VALUE each. AddrEnv and PORT are the target's own and
	// replace any value given here.
	Env []string
	// BasePath is the API's path under the container's root: "/randaverify", or "/" for its root.
	// Empty, Ready decides: the API's prefix when the container's control API says it serves several
	// APIs each under its own prefix (the mock's own image without IDVKIT_ONLY), else the root (the
	// mock with IDVKIT_ONLY, or an implementation of one API); under either, the API's base path, the
	// shortest of its spec's servers (the root for every API whose vendor serves it there).
	BasePath string
	// API is the API the suite checks, whose prefix Ready looks for when no BasePath is given; empty,
	// it looks for none.
	API string
	// ControlPath is the control API's path under the root (default /_mock). NoControl declares an
	// implementation without one: its scenarios that need one are skipped, and reported as such.
	ControlPath string
	NoControl   bool
	// ControlToken is sent as a Bearer token on control calls (the mock's IDVKIT_CONTROL_TOKEN).
	ControlToken string
	// HealthPath is polled on the container until it answers 2xx (default /_mock/healthz).
	HealthPath string
	// ReadyTimeout bounds the wait for HealthPath (default 60 s).
	ReadyTimeout time.Duration
	// Expire is the safety net: the daemon kills the container this long after it started (default 10
	// min), even if idvkit died without purging it. It bounds the whole run, so keep it above the run's
	// length. A container left behind past its expiry is removed by the next Docker target that starts.
	Expire time.Duration
	// AddrEnv names the environment variable that tells the container its listen address (default
	// IDVKIT_ADDR); it is set to 127.0.0.1:<port>, and PORT to <port>.
	AddrEnv string
}

// Errors of the Docker target. Docker returns an error wrapping ErrDockerConfig for a config that
// cannot work (`idvkit conform` exits 2). Every error Ready or Open returns is a *DockerError, which
// errors.As also finds as a *NotReadyError (exit 3), and which wraps one of the others.
var (
	ErrDockerConfig    = errors.New("docker target config")
	ErrNoDocker        = errors.New("no Docker daemon answers")
	ErrImageMissing    = errors.New("image not found in the local Docker store (idvkit never pulls: build or load it first)")
	ErrBuildFailed     = errors.New("docker build failed")
	ErrContainerExited = errors.New("container exited before it was ready")
	ErrNotReadyInTime  = errors.New("container did not get ready in time")
	ErrTargetClosed    = errors.New("docker target closed")
)

// DockerError is why a Docker target could not start or get ready. Output holds what explains it:
// the failed build's output, or the container's last log lines.
type DockerError struct {
	Target    string // the image, or the Dockerfile's path
	Container string // the container's name, when one was created
	Err       error  // wraps one of the sentinel errors above, or Docker's own
	Output    string
}

func (e *DockerError) Error() string {
	msg := fmt.Sprintf("docker target %s: %v", e.Target, e.Err)
	if e.Container != "" {
		msg = fmt.Sprintf("docker target %s (container %s): %v", e.Target, e.Container, e.Err)
	}
	if e.Output != "" {
		what := "its last log lines"
		if errors.Is(e.Err, ErrBuildFailed) {
			what = "the build's output"
		}
		msg += "\n" + what + ":\n" + indentLines(strings.TrimRight(e.Output, "\n"))
	}
	return msg
}

func (e *DockerError) Unwrap() error { return e.Err }

// As makes a DockerError a *NotReadyError too, so the CLI maps every target's "cannot run" to exit 3
// in one place.
func (e *DockerError) As(target any) bool {
	if p, ok := target.(**NotReadyError); ok {
		*p = &NotReadyError{Reason: e.Error()}
		return true
	}
	return false
}

// logLines is how much of a container's log a DockerError carries.
const logLines = 50

// Labels on every container a Docker target starts: the second is when it expires, so a later target
// can remove what a run that died left behind.
const (
	labelTarget  = "idvkit.conform"
	labelExpires = "idvkit.conform.expires"
)

// DockerTarget is an implementation started from an image, or built from a Dockerfile, with
// dockertest: ONE container with host networking, listening on a free 127.0.0.1 port, shared by every
// scenario like a URL target. It is started lazily, by the first Ready or Open (whose error is then
// every later call's), and removed by Close, which the caller must call on every path: after the run,
// on a failed run, and on Ctrl-C.
type DockerTarget struct {
	cfg    DockerConfig
	name   string // the container's name, and the built image's
	client *http.Client

	startMu  sync.Mutex // serialises starts; never taken by Close
	started  bool
	startErr error

	closing   chan struct{} // closed by Close, to stop a start under way
	closeOnce sync.Once

	mu     sync.Mutex // guards what Close releases
	closed bool
	pool   *dockertest.Pool
	res    *dockertest.Resource
	built  string // the image built from the Dockerfile
	root   string // http://127.0.0.1:<port>, once the container is running
	// prefixed is set by Ready when the container serves several APIs each under its own prefix.
	prefixed *prefixed
}

// Docker returns a Docker target for cfg, after checking the config; nothing is started until Ready
// or Open.
func Docker(cfg DockerConfig) (*DockerTarget, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrDockerConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case cfg.Image == "" && cfg.Dockerfile == "":
		return nil, bad("give an image or a Dockerfile")
	case cfg.Image != "" && cfg.Dockerfile != "":
		return nil, bad("give an image or a Dockerfile, not both")
	case cfg.Image != "":
		if _, _, err := splitImage(cfg.Image); err != nil {
			return nil, bad("image %q: %v", cfg.Image, err)
		}
	default:
		abs, err := filepath.Abs(cfg.Dockerfile)
		if err != nil {
			return nil, bad("Dockerfile %q: %v", cfg.Dockerfile, err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, bad("Dockerfile: %v", err)
		}
		if !fi.Mode().IsRegular() {
			return nil, bad("Dockerfile %s is not a file", cfg.Dockerfile)
		}
		cfg.Dockerfile = abs
	}
	if cfg.AddrEnv == "" {
		cfg.AddrEnv = "IDVKIT_ADDR"
	}
	if strings.ContainsAny(cfg.AddrEnv, "= ") {
		return nil, bad("AddrEnv %q is not a variable name", cfg.AddrEnv)
	}
	env := make([]string, 0, len(cfg.Env)+2)
	for _, kv := range cfg.Env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, bad("environment entry %q: want KEY=VALUE", kv)
		}
		if k != cfg.AddrEnv && k != "PORT" {
			env = append(env, kv)
		}
	}
	cfg.Env = env
	if cfg.ControlPath == "" {
		cfg.ControlPath = "/_mock"
	}
	if cfg.HealthPath == "" {
		cfg.HealthPath = "/_mock/healthz"
	}
	if cfg.BasePath != "" {
		cfg.API = "" // the path given is the API's: Ready looks for no prefix
	}
	for name, p := range map[string]*string{"BasePath": &cfg.BasePath, "ControlPath": &cfg.ControlPath, "HealthPath": &cfg.HealthPath} {
		if *p != "" && !strings.HasPrefix(*p, "/") {
			return nil, bad("%s %q: want a path starting with /", name, *p)
		}
		if name != "HealthPath" {
			*p = strings.TrimSuffix(*p, "/")
		}
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = time.Minute
	}
	if cfg.Expire == 0 {
		cfg.Expire = 10 * time.Minute
	}
	if cfg.ReadyTimeout < 0 || cfg.Expire < time.Second {
		return nil, bad("ReadyTimeout must be positive and Expire at least a second")
	}
	return &DockerTarget{
		cfg:     cfg,
		name:    "idvkit-conform-" + strings.ToLower(rand.Text()[:12]),
		client:  noRedirects(&http.Client{Timeout: 30 * time.Second}),
		closing: make(chan struct{}),
	}, nil
}

// splitImage splits repository[:tag] the way dockertest joins it back.
func splitImage(ref string) (repo, tag string, err error) {
	if strings.Contains(ref, "@") {
		return "", "", errors.New("a digest cannot be run by name: tag the image")
	}
	repo, tag = ref, "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	if repo == "" || tag == "" || strings.ContainsAny(ref, " \t\n") {
		return "", "", errors.New("want repository[:tag]")
	}
	return repo, tag, nil
}

// Open starts the container if it is not running yet; every scenario shares it.
func (d *DockerTarget) Open(ctx context.Context, api string) (*Endpoint, error) {
	if err := d.start(ctx); err != nil {
		return nil, err
	}
	d.mu.Lock()
	root, path := d.root, d.apiPath(api)
	d.mu.Unlock()
	ep := &Endpoint{BaseURL: root + d.cfg.BasePath + path, ControlToken: d.cfg.ControlToken, Client: d.client}
	if !d.cfg.NoControl {
		ep.ControlURL = root + d.cfg.ControlPath
	}
	return ep, nil
}

// apiPath is where an API is under the container's root and BasePath: under its prefix when the
// container serves several APIs each under its own, and at its base path (basePath) when no BasePath
// was given. The caller holds d.mu.
func (d *DockerTarget) apiPath(api string) string {
	switch {
	case d.prefixed != nil:
		return d.prefixed.path()
	case d.cfg.BasePath != "":
		return ""
	}
	return basePath(api)
}

// Ready starts the container and waits until its health URL answers 2xx; then, unless the target has
// no control API, that API must answer GET /capabilities with 200 (with the token), so a wrong
// control path or token stops the run instead of skipping every scenario that needs it. Without a
// BasePath, the APIs that answer list decide the API's path (see DockerConfig.BasePath).
func (d *DockerTarget) Ready(ctx context.Context) error {
	if err := d.start(ctx); err != nil {
		return err
	}
	if d.cfg.NoControl {
		return nil
	}
	ep, err := d.Open(ctx, "")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	status, apis, err := servedAPIs(ctx, d.client, ep.ControlURL, ep.ControlToken)
	switch {
	case err != nil:
		return d.fail(fmt.Errorf("control API %s does not answer: %w", ep.ControlURL, err), d.logs())
	case status == http.StatusUnauthorized:
		return d.fail(fmt.Errorf("control API %s refused the control token (401)", ep.ControlURL), "")
	case status != http.StatusOK:
		return d.fail(fmt.Errorf("control API %s answered GET /capabilities with %d: is ControlPath right? (NoControl declares none)",
			ep.ControlURL, status), "")
	}
	if d.cfg.API != "" {
		root := strings.TrimSuffix(ep.ControlURL, d.cfg.ControlPath)
		p := underPrefixes(ctx, d.client, root, d.cfg.ControlPath, d.cfg.ControlToken, d.cfg.API, apis)
		d.mu.Lock()
		d.prefixed = p
		d.mu.Unlock()
	}
	return nil
}

func (*DockerTarget) Isolated() bool { return false }

// Describe names the image (or Dockerfile), the container and its URL.
func (d *DockerTarget) Describe() string {
	what := "docker image " + d.cfg.Image
	if d.cfg.Dockerfile != "" {
		what = "docker build of " + d.cfg.Dockerfile
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.root == "" {
		return what
	}
	desc := fmt.Sprintf("%s (container %s) at %s%s%s", what, d.name, d.root, d.cfg.BasePath, d.apiPath(d.cfg.API))
	if d.cfg.NoControl {
		desc += " (no control API)"
	}
	if d.prefixed != nil {
		desc += fmt.Sprintf(" (%s; a base path given, / for the root, overrides it)", d.prefixed)
	}
	return desc
}

// ContainerName is the container's name (idvkit-conform-<random>), also while none is running.
func (d *DockerTarget) ContainerName() string { return d.name }

// Logs returns the container's last lines of output (stdout and stderr), for a report of a failed
// run; "" when no container is running.
func (d *DockerTarget) Logs(lines int) string {
	d.mu.Lock()
	pool, res := d.pool, d.res
	d.mu.Unlock()
	if res == nil {
		return ""
	}
	return containerLogs(pool, res.Container.ID, lines)
}

// Close removes the container (and the image built from a Dockerfile). It may be called more than
// once, from any goroutine (a signal handler's included), also while Ready is still starting the
// container: that start then stops and removes what it made.
func (d *DockerTarget) Close() error {
	d.closeOnce.Do(func() { close(d.closing) })
	d.mu.Lock()
	d.closed = true
	pool, res, built := d.pool, d.res, d.built
	d.res, d.built = nil, ""
	d.mu.Unlock()
	var errs []error
	if res != nil {
		if err := pool.Purge(res); err != nil && !isNoSuchContainer(err) {
			errs = append(errs, fmt.Errorf("removing container %s: %w", d.name, err))
		}
	}
	if built != "" {
		if err := pool.Client.RemoveImage(built); err != nil && !errors.Is(err, dc.ErrNoSuchImage) {
			errs = append(errs, fmt.Errorf("removing image %s: %w", built, err))
		}
	}
	return errors.Join(errs...)
}

func isNoSuchContainer(err error) bool {
	var nsc *dc.NoSuchContainer
	return errors.As(err, &nsc)
}

// fail wraps err in a DockerError for this target.
func (d *DockerTarget) fail(err error, output string) error {
	target := d.cfg.Image
	if target == "" {
		target = d.cfg.Dockerfile
	}
	de := &DockerError{Target: target, Err: err, Output: output}
	d.mu.Lock()
	if d.res != nil {
		de.Container = d.name
	}
	d.mu.Unlock()
	return de
}

// start runs the container once and waits until it is ready; a failed start is remembered.
func (d *DockerTarget) start(ctx context.Context) error {
	d.startMu.Lock()
	defer d.startMu.Unlock()
	if !d.started {
		d.started = true
		d.startErr = d.run(ctx)
		if d.startErr != nil {
			// Nothing more will use this container: remove it now, whatever the caller does next.
			_ = d.Close()
		}
	}
	return d.startErr
}

// run builds (with a Dockerfile), checks the image, starts the container and waits for its health URL.
func (d *DockerTarget) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-d.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	select {
	case <-d.closing:
		return d.fail(ErrTargetClosed, "")
	default:
	}

	pool, err := dockertest.NewPool("")
	if err == nil {
		err = pool.Client.PingWithContext(ctx)
	}
	if err != nil {
		return d.fail(fmt.Errorf("%w: %v", ErrNoDocker, err), "")
	}
	d.mu.Lock()
	d.pool = pool
	d.mu.Unlock()
	sweepExpired(pool)

	image := d.cfg.Image
	if d.cfg.Dockerfile != "" {
		if image, err = d.build(ctx, pool); err != nil {
			return err
		}
	}
	repo, tag, _ := splitImage(image)
	if err := imagePresent(pool, repo+":"+tag); err != nil {
		return d.fail(err, "")
	}

	port, err := freePort()
	if err != nil {
		return d.fail(err, "")
	}
	env := append(append([]string(nil), d.cfg.Env...), d.cfg.AddrEnv+"=127.0.0.1:"+port, "PORT="+port)
	expireSeconds := uint((d.cfg.Expire + time.Second - 1) / time.Second)
	res, err := pool.RunWithOptions(&dockertest.RunOptions{
		Name: d.name, Repository: repo, Tag: tag, Env: env,
		Labels: map[string]string{
			labelTarget:  "true",
			labelExpires: strconv.FormatInt(time.Now().Add(d.cfg.Expire).Unix(), 10),
		},
	}, func(hc *dc.HostConfig) {
		// Host networking: the container listens on a 127.0.0.1 port of this machine, and reaches
		// the suite's receivers on 127.0.0.1 too. Not AutoRemove: a container that exits at once
		// would take its log with it; Close (or the next target, past expiry) removes it.
		hc.NetworkMode = "host"
		hc.PublishAllPorts = false
		hc.AutoRemove = false
		hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
	})
	if err != nil {
		// A container created but not started is left behind by dockertest.
		_ = pool.RemoveContainerByName(d.name)
		return d.fail(fmt.Errorf("starting a container of %s: %w", image, err), "")
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		_ = pool.Purge(res)
		return d.fail(ErrTargetClosed, "")
	}
	d.res, d.root = res, "http://127.0.0.1:"+port
	d.mu.Unlock()
	if err := res.Expire(expireSeconds); err != nil {
		return d.fail(fmt.Errorf("setting the container's expiry: %w", err), "")
	}
	return d.waitReady(ctx, pool, res, "http://127.0.0.1:"+port+d.cfg.HealthPath)
}

// imagePresent is nil when the image is in the local store, and wraps ErrImageMissing when it is not.
func imagePresent(pool *dockertest.Pool, image string) error {
	_, err := pool.Client.InspectImage(image)
	switch {
	case errors.Is(err, dc.ErrNoSuchImage):
		return ErrImageMissing
	case err != nil:
		return fmt.Errorf("inspecting image %s: %w", image, err)
	}
	return nil
}

// build builds the Dockerfile into an image named after the container, keeping the output for the
// error when it fails. The images its FROM lines name must be present: the daemon would otherwise try
// to pull them.
func (d *DockerTarget) build(ctx context.Context, pool *dockertest.Pool) (string, error) {
	data, err := os.ReadFile(d.cfg.Dockerfile)
	if err != nil {
		return "", d.fail(fmt.Errorf("%w: %v", ErrBuildFailed, err), "")
	}
	for _, base := range baseImages(string(data)) {
		if err := imagePresent(pool, base); err != nil {
			return "", d.fail(fmt.Errorf("FROM %s: %w", base, err), "")
		}
	}
	image := d.name + ":build"
	var out bytes.Buffer
	err = pool.Client.BuildImage(dc.BuildImageOptions{
		Context:             ctx,
		Name:                image,
		Dockerfile:          filepath.Base(d.cfg.Dockerfile),
		ContextDir:          filepath.Dir(d.cfg.Dockerfile),
		OutputStream:        &out,
		RmTmpContainer:      true,
		ForceRmTmpContainer: true,
		Labels:              map[string]string{labelTarget: "true"},
		Version:             "1", // the legacy builder: no BuildKit session needed
	})
	if err != nil {
		return "", d.fail(fmt.Errorf("%w: %v", ErrBuildFailed, err), lastLines(out.String(), logLines))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.built = image
	if d.closed {
		d.built = ""
		_ = pool.Client.RemoveImage(image)
		return "", d.fail(ErrTargetClosed, "")
	}
	return image, nil
}

// baseImages lists the images a Dockerfile's FROM lines name, leaving out scratch, earlier stages and
// names built from ARGs (which the daemon resolves). A name without a tag is :latest.
func baseImages(dockerfile string) []string {
	var images []string
	stages := map[string]bool{}
	for _, line := range strings.Split(dockerfile, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.EqualFold(fields[0], "FROM") {
			continue
		}
		fields = fields[1:]
		for len(fields) > 0 && strings.HasPrefix(fields[0], "--") {
			fields = fields[1:]
		}
		if len(fields) == 0 {
			continue
		}
		name := fields[0]
		skip := strings.EqualFold(name, "scratch") || stages[strings.ToLower(name)] || strings.Contains(name, "$")
		if len(fields) >= 3 && strings.EqualFold(fields[1], "AS") {
			stages[strings.ToLower(fields[2])] = true
		}
		if skip {
			continue
		}
		if strings.LastIndex(name, ":") <= strings.LastIndex(name, "/") && !strings.Contains(name, "@") {
			name += ":latest"
		}
		images = append(images, name)
	}
	return images
}

// waitReady polls the health URL with pool.Retry until it answers 2xx, the container exits,
// ReadyTimeout passes, or ctx ends (Ctrl-C, Close).
func (d *DockerTarget) waitReady(ctx context.Context, pool *dockertest.Pool, res *dockertest.Resource, healthURL string) error {
	pool.MaxWait = d.cfg.ReadyTimeout
	probe := &http.Client{Timeout: 2 * time.Second, CheckRedirect: d.client.CheckRedirect}
	var exited *dc.State
	err := pool.Retry(func() error {
		if ctx.Err() != nil {
			return nil // stop retrying; reported below
		}
		if c, err := pool.Client.InspectContainerWithContext(res.Container.ID, ctx); err == nil && !c.State.Running {
			exited = &c.State
			return nil
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, healthURL, nil)
		if err != nil {
			return err
		}
		resp, err := probe.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return fmt.Errorf("GET %s answered %s", healthURL, resp.Status)
		}
		return nil
	})
	switch {
	case ctx.Err() != nil:
		select {
		case <-d.closing:
			return d.fail(ErrTargetClosed, "")
		default:
			return d.fail(fmt.Errorf("waiting for %s: %w", healthURL, ctx.Err()), "")
		}
	case exited != nil:
		return d.fail(fmt.Errorf("%w (exit code %d) while waiting for %s", ErrContainerExited, exited.ExitCode, healthURL),
			containerLogs(pool, res.Container.ID, logLines))
	case err != nil:
		return d.fail(fmt.Errorf("%w: %s did not answer 2xx within %s: %v", ErrNotReadyInTime, healthURL, d.cfg.ReadyTimeout, err),
			containerLogs(pool, res.Container.ID, logLines))
	}
	return nil
}

// logs is the running container's last lines, for an error.
func (d *DockerTarget) logs() string { return d.Logs(logLines) }

// containerLogs reads a container's last lines of stdout and stderr, interleaved as written.
func containerLogs(pool *dockertest.Pool, id string, lines int) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := pool.Client.Logs(dc.LogsOptions{
		Context: ctx, Container: id, OutputStream: &out, ErrorStream: &out,
		Stdout: true, Stderr: true, Tail: strconv.Itoa(lines),
	})
	if err != nil {
		return fmt.Sprintf("(no logs: %v)", err)
	}
	if out.Len() == 0 {
		return "(the container wrote nothing)"
	}
	return out.String()
}

// sweepExpired removes containers of earlier Docker targets whose expiry has passed: what a run that
// died without Close left behind (stopped by the daemon at its expiry, but not removed).
func sweepExpired(pool *dockertest.Pool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := pool.Client.ListContainers(dc.ListContainersOptions{
		All: true, Context: ctx, Filters: map[string][]string{"label": {labelExpires}},
	})
	if err != nil {
		return
	}
	now := time.Now().Unix()
	for _, c := range list {
		if at, err := strconv.ParseInt(c.Labels[labelExpires], 10, 64); err == nil && at < now {
			_ = pool.Client.RemoveContainer(dc.RemoveContainerOptions{ID: c.ID, Force: true, RemoveVolumes: true, Context: ctx})
		}
	}
}

// freePort picks a free TCP port on 127.0.0.1 for the container to listen on: under host networking
// there are no port mappings to look up.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("picking a free port: %w", err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indentLines(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
