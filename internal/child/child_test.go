package child

import (
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Stop ends the whole process group: the child and what it started (a server that npx starts),
// and removes the output file.
func TestStopEndsWhatTheChildStarted(t *testing.T) {
	dir := t.TempDir()
	pidFile := dir + "/grandchild"
	p, err := Start("group", dir, nil, "sh", "-c", "sleep 60 & echo $! >"+pidFile+"; echo started; wait")
	require.NoError(t, err)
	var grandchild int
	require.Eventually(t, func() bool {
		data, err := os.ReadFile(pidFile)
		grandchild, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		return err == nil && grandchild > 0
	}, 10*time.Second, 10*time.Millisecond)
	assert.NoError(t, p.Exited(), "running")
	require.NoError(t, syscall.Kill(grandchild, 0), "the grandchild runs")

	p.Stop()
	assert.Error(t, p.Exited(), "exited")
	assert.Eventually(t, func() bool { return syscall.Kill(grandchild, 0) != nil }, 5*time.Second, 10*time.Millisecond, "the grandchild is gone")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasSuffix(e.Name(), ".log"), "the output file is removed: %s", e.Name())
	}
}

// A child that exits says so, why, and the end of what it wrote: the last 8 KiB.
func TestAnExitedChildShowsTheEndOfItsOutput(t *testing.T) {
	p, err := Start("noisy/one", t.TempDir(), nil, "sh", "-c", "head -c 20000 /dev/zero | tr '\\0' a; echo; echo the-end; exit 3")
	require.NoError(t, err)
	defer p.Stop()
	<-p.Done()
	err = p.Exited()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "noisy/one exited: exit status 3")
	out := p.Output()
	assert.True(t, strings.HasPrefix(out, "--- noisy/one output ---\n...\n"), out[:40])
	assert.True(t, strings.HasSuffix(out, "the-end\n--- end of noisy/one output ---"))
	assert.Less(t, len(out), 8<<10+100)
}

func TestFreeAddrIsFree(t *testing.T) {
	addr, err := FreeAddr()
	require.NoError(t, err)
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	ln.Close()
}
