package target_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

// The Docker tests need a daemon and the mock's image (make docker builds idvkit:dev; IDVKIT_IMAGE
// names another). Without them a test is skipped with the reason, but not in CI (CI set), where a
// Docker test that did not run fails: .ci/run starts a daemon and builds the image first.

func dockerPool(t *testing.T) *dockertest.Pool {
	t.Helper()
	pool, err := dockertest.NewPool("")
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = pool.Client.PingWithContext(ctx)
	}
	if err != nil {
		mocktest.Unavailable(t, "no Docker daemon answers (%v): start one as ../shared/DOCKER.md shows (.ci/run does)", err)
	}
	return pool
}

func mockImage(t *testing.T, pool *dockertest.Pool) string {
	t.Helper()
	image := os.Getenv("IDVKIT_IMAGE")
	if image == "" {
		image = "idvkit:dev"
	}
	if _, err := pool.Client.InspectImage(image); err != nil {
		mocktest.Unavailable(t, "image %s is not in the local Docker store (%v): build it with make docker", image, err)
	}
	return image
}

func startDocker(t *testing.T, cfg target.DockerConfig) *target.DockerTarget {
	t.Helper()
	tg, err := target.Docker(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, tg.Close()) })
	return tg
}

func gone(t *testing.T, pool *dockertest.Pool, name string) bool {
	t.Helper()
	_, found := pool.ContainerByName(name)
	return !found
}

// capabilities asks a control API which APIs it serves, with a token or without one.
func capabilities(t *testing.T, controlURL, token string) (int, []string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, controlURL+"/capabilities", nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		APIs []string `json:"apis"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.APIs
}

// The mock's own image passes every API's suite, one container per API started with --only (by
// IDVKIT_ONLY) and a control token, every rule verified, nothing skipped, our policy rules counted.
func TestDockerImageConformsForEveryAPI(t *testing.T) {
	pool := dockerPool(t)
	image := mockImage(t, pool)
	for _, api := range mocktest.APIs() {
		t.Run(api, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			token := rand.Text()
			tg := startDocker(t, target.DockerConfig{Image: image, ControlToken: token,
				Env: []string{"IDVKIT_ONLY=" + api, "IDVKIT_CONTROL_TOKEN=" + token}})
			require.NoError(t, tg.Ready(context.Background()))
			t.Logf("%s ready in %s", tg.Describe(), time.Since(start).Round(time.Millisecond))

			ep, err := tg.Open(context.Background(), api)
			require.NoError(t, err)
			status, _ := capabilities(t, ep.ControlURL, "")
			assert.Equal(t, http.StatusUnauthorized, status, "the control token guards the control API")
			status, apis := capabilities(t, ep.ControlURL, token)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, []string{api}, apis, "--only serves one API")

			report := suite.RunT(t, suite.Plan{Config: suite.Config{API: api, Target: tg, StrictPolicy: true}})
			counts := report.Counts()
			assert.Positive(t, counts.Passed)
			assert.Zero(t, counts.Failed+counts.PolicyFailed, "failed")
			assert.Zero(t, counts.Skipped, "skipped")
			cov := report.Coverage()
			require.Len(t, cov, 1)
			assert.Equal(t, cov[0].Listed, cov[0].Verified, "every rule verified")
			t.Logf("%s: %d scenarios, rules verified %d/%d, in %s", api, len(report.Results), len(cov[0].Verified),
				len(cov[0].Listed), time.Since(start).Round(time.Millisecond))
			if t.Failed() {
				t.Logf("the container's last lines:\n%s", tg.Logs(50))
			}
		})
	}
}

// The mock's own image without IDVKIT_ONLY serves every API under its prefix: its capabilities say
// so, and the suite checks the API at its prefix, says why, and passes; where the target checked the
// container's root, every scenario got a 404.
func TestDockerImageOfEveryAPIIsCheckedAtTheAPIsPrefix(t *testing.T) {
	pool := dockerPool(t)
	image := mockImage(t, pool)
	tg := startDocker(t, target.DockerConfig{Image: image, API: "rambase"})
	require.NoError(t, tg.Ready(context.Background()))
	ep, err := tg.Open(context.Background(), "rambase")
	require.NoError(t, err)
	root := strings.TrimSuffix(ep.ControlURL, "/_mock")
	assert.Equal(t, root+"/rambase", ep.BaseURL)
	assert.Equal(t, fmt.Sprintf("docker image %s (container %s) at %s/rambase (it serves %s, each under its own prefix (its GET "+
		"/capabilities and /rambase/... say so), so the suite checks rambase at /rambase; a base path given, / for the root, overrides it)",
		image, tg.ContainerName(), root, strings.Join(mocktest.APIs(), ", ")), tg.Describe())

	report := suite.RunT(t, suite.Plan{Config: suite.Config{API: "rambase", Target: tg, StrictPolicy: true}})
	counts := report.Counts()
	assert.Positive(t, counts.Passed)
	assert.Zero(t, counts.Failed+counts.PolicyFailed, "failed")
	if t.Failed() {
		t.Logf("the container's last lines:\n%s", tg.Logs(50))
	}
}

// idvkit never pulls: a missing image is a not-ready error that says so.
func TestDockerTargetReportsAMissingImage(t *testing.T) {
	dockerPool(t)
	tg := startDocker(t, target.DockerConfig{Image: "idvkit-conform-test/no-such-image:missing"})
	err := tg.Ready(context.Background())
	require.ErrorIs(t, err, target.ErrImageMissing)
	var notReady *target.NotReadyError
	require.ErrorAs(t, err, &notReady, "the CLI exits 3")
	assert.Contains(t, notReady.Reason, "idvkit-conform-test/no-such-image:missing")
	assert.Contains(t, notReady.Reason, "idvkit never pulls")
	_, err = tg.Open(context.Background(), "rambase")
	assert.ErrorIs(t, err, target.ErrImageMissing, "a failed start is every later call's error")
}

// A container that never answers its health URL is a not-ready error carrying its last log lines, and
// is removed: one that exits at once (serve refusing --only nope), and one that runs but answers 404.
func TestDockerTargetReportsAContainerThatNeverGetsReady(t *testing.T) {
	pool := dockerPool(t)
	image := mockImage(t, pool)

	start := time.Now()
	tg := startDocker(t, target.DockerConfig{Image: image, Env: []string{"IDVKIT_ONLY=nope"}})
	err := tg.Ready(context.Background())
	require.ErrorIs(t, err, target.ErrContainerExited)
	var notReady *target.NotReadyError
	require.ErrorAs(t, err, &notReady, "the CLI exits 3")
	var de *target.DockerError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, de.Output, `unknown API "nope"`, "the container's own words")
	assert.Contains(t, err.Error(), "exit code 2")
	assert.Contains(t, err.Error(), "its last log lines:\n")
	assert.Contains(t, err.Error(), `unknown API "nope"`)
	assert.Equal(t, tg.ContainerName(), de.Container)
	assert.Less(t, time.Since(start), 20*time.Second, "an exited container is not waited for")
	assert.True(t, gone(t, pool, tg.ContainerName()), "removed after its logs were read")

	start = time.Now()
	tg = startDocker(t, target.DockerConfig{Image: image, Env: []string{"IDVKIT_ONLY=rambase"},
		HealthPath: "/_mock/no-such-health", ReadyTimeout: 3 * time.Second})
	err = tg.Ready(context.Background())
	require.ErrorIs(t, err, target.ErrNotReadyInTime)
	require.ErrorAs(t, err, &de)
	assert.Contains(t, de.Err.Error(), "answered 404 Not Found")
	assert.Contains(t, de.Output, "listening on http://127.0.0.1:")
	assert.Less(t, time.Since(start), 20*time.Second)
	assert.True(t, gone(t, pool, tg.ContainerName()))
}

// A Dockerfile is built (from an image already present: nothing can be pulled) and run; Close removes
// the container and the image built. A failed build is a not-ready error with the build's output.
func TestDockerTargetBuildsADockerfile(t *testing.T) {
	pool := dockerPool(t)
	image := mockImage(t, pool)
	dir := t.TempDir()
	dockerfile := filepath.Join(dir, "Dockerfile")
	require.NoError(t, os.WriteFile(dockerfile, []byte("FROM "+image+"\nENV IDVKIT_ONLY=randaverify\n"), 0o600))

	tg := startDocker(t, target.DockerConfig{Dockerfile: dockerfile})
	require.NoError(t, tg.Ready(context.Background()))
	assert.Contains(t, tg.Describe(), "docker build of "+dockerfile)
	ep, err := tg.Open(context.Background(), "randaverify")
	require.NoError(t, err)
	status, apis := capabilities(t, ep.ControlURL, "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, []string{"randaverify"}, apis)
	built := tg.ContainerName() + ":build"
	_, err = pool.Client.InspectImage(built)
	require.NoError(t, err)
	require.NoError(t, tg.Close())
	require.NoError(t, tg.Close(), "Close is idempotent")
	assert.True(t, gone(t, pool, tg.ContainerName()))
	_, err = pool.Client.InspectImage(built)
	assert.ErrorIs(t, err, dc.ErrNoSuchImage, "the image built is removed")

	require.NoError(t, os.WriteFile(dockerfile, []byte("FROM idvkit-conform-test/no-such-base:1\nCOPY idvkit /idvkit\n"), 0o600))
	tg = startDocker(t, target.DockerConfig{Dockerfile: dockerfile})
	err = tg.Ready(context.Background())
	require.ErrorIs(t, err, target.ErrImageMissing, "a base image is looked up, never pulled")
	assert.Contains(t, err.Error(), "FROM idvkit-conform-test/no-such-base:1: image not found")

	require.NoError(t, os.WriteFile(dockerfile, []byte("FROM "+image+"\nCOPY no-such-file /x\n"), 0o600))
	tg = startDocker(t, target.DockerConfig{Dockerfile: dockerfile})
	err = tg.Ready(context.Background())
	require.ErrorIs(t, err, target.ErrBuildFailed)
	var notReady *target.NotReadyError
	require.ErrorAs(t, err, &notReady)
	assert.Contains(t, notReady.Error(), "no-such-file")
	assert.Contains(t, notReady.Error(), "the build's output:\n")
	assert.Contains(t, notReady.Reason, "COPY no-such-file /x")
}

// Ctrl-C: a start under way stops when its context ends or when Close is called (from another
// goroutine, as a signal handler would), and the container is removed either way.
func TestDockerTargetStopsAStartUnderWay(t *testing.T) {
	pool := dockerPool(t)
	image := mockImage(t, pool)
	neverReady := target.DockerConfig{Image: image, Env: []string{"IDVKIT_ONLY=rambase"},
		HealthPath: "/_mock/no-such-health", ReadyTimeout: time.Minute}
	waitForContainer := func(name string) {
		t.Helper()
		require.Eventually(t, func() bool { return !gone(t, pool, name) }, 20*time.Second, 100*time.Millisecond)
	}

	for _, how := range []string{"context", "close"} {
		tg := startDocker(t, neverReady)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- tg.Ready(ctx) }()
		waitForContainer(tg.ContainerName())
		stopped := time.Now()
		if how == "context" {
			cancel()
		} else {
			go func() { _ = tg.Close() }()
			require.NoError(t, tg.Close())
		}
		select {
		case err := <-done:
			var notReady *target.NotReadyError
			assert.ErrorAs(t, err, &notReady, how)
			if how == "context" {
				assert.ErrorIs(t, err, context.Canceled)
			} else {
				assert.ErrorIs(t, err, target.ErrTargetClosed)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: Ready did not return", how)
		}
		cancel()
		assert.True(t, gone(t, pool, tg.ContainerName()), how)
		t.Logf("%s: stopped in %s", how, time.Since(stopped).Round(time.Millisecond))
	}
}

// The safety net: the daemon kills a container at its expiry even when nobody closes the target (as
// if idvkit died), and the next Docker target removes what is left.
func TestDockerTargetExpiresAndSweepsWhatADeadRunLeft(t *testing.T) {
	pool := dockerPool(t)
	image := mockImage(t, pool)
	forgotten, err := target.Docker(target.DockerConfig{Image: image, Env: []string{"IDVKIT_ONLY=rambase"}, Expire: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = forgotten.Close() })
	require.NoError(t, forgotten.Ready(context.Background()))

	var state dc.State
	require.Eventually(t, func() bool {
		c, found := pool.ContainerByName(forgotten.ContainerName())
		if found {
			state = c.Container.State
		}
		return found && !state.Running
	}, 20*time.Second, 200*time.Millisecond, "killed at its expiry")
	assert.Equal(t, 137, state.ExitCode, "SIGKILL")
	time.Sleep(time.Second) // past the expiry's second

	require.NoError(t, startDocker(t, target.DockerConfig{Image: image, Env: []string{"IDVKIT_ONLY=rambase"}}).Ready(context.Background()))
	assert.True(t, gone(t, pool, forgotten.ContainerName()), "swept by the next target")
}

// A config that cannot work is refused before anything starts, as a config error (the CLI exits 2).
func TestDockerConfigErrors(t *testing.T) {
	dockerfile := filepath.Join(t.TempDir(), "Dockerfile")
	require.NoError(t, os.WriteFile(dockerfile, []byte("FROM scratch\n"), 0o600))
	for _, c := range []struct {
		cfg  target.DockerConfig
		want string
	}{
		{target.DockerConfig{}, "give an image or a Dockerfile"},
		{target.DockerConfig{Image: "idvkit:dev", Dockerfile: dockerfile}, "not both"},
		{target.DockerConfig{Dockerfile: filepath.Join(t.TempDir(), "nope")}, "no such file"},
		{target.DockerConfig{Dockerfile: t.TempDir()}, "is not a file"},
		{target.DockerConfig{Image: "idvkit@sha256:0123"}, "digest"},
		{target.DockerConfig{Image: "idvkit:"}, "repository[:tag]"},
		{target.DockerConfig{Image: "idvkit:dev", Env: []string{"NOVALUE"}}, `"NOVALUE": want KEY=VALUE`},
		{target.DockerConfig{Image: "idvkit:dev", BasePath: "rambase"}, "BasePath"},
		{target.DockerConfig{Image: "idvkit:dev", HealthPath: "healthz"}, "HealthPath"},
		{target.DockerConfig{Image: "idvkit:dev", Expire: time.Millisecond}, "Expire"},
		{target.DockerConfig{Image: "idvkit:dev", AddrEnv: "A=B"}, "AddrEnv"},
	} {
		_, err := target.Docker(c.cfg)
		require.ErrorIs(t, err, target.ErrDockerConfig, c.want)
		assert.Contains(t, err.Error(), c.want)
		var notReady *target.NotReadyError
		assert.False(t, errors.As(err, &notReady), "a config error is not a not-ready error: %s", c.want)
	}
	tg, err := target.Docker(target.DockerConfig{Image: "idvkit:dev", BasePath: "/rambase/"})
	require.NoError(t, err)
	assert.Equal(t, "docker image idvkit:dev", tg.Describe(), "nothing started yet")
	assert.False(t, tg.Isolated())
	assert.NoError(t, tg.Close(), "closing a target never started")
}
