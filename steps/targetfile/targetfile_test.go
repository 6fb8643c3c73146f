package targetfile_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps"
	"github.com/idvkit/idvkit/steps/targetfile"
)

// The receiver's settings come from the target file's webhook section, which the environment
// overrides under go test.
func TestTheWebhookSettingsReachThePlan(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/target.yaml"
	require.NoError(t, os.WriteFile(path, []byte("webhook: {listen: \"0.0.0.0:9911\", public_url: \"http://host.docker.internal:9911\", wait: 30s}\n"), 0o600))
	f, err := targetfile.Read(path)
	require.NoError(t, err)
	p, err := f.Plan()
	require.NoError(t, err)
	assert.Equal(t, steps.Webhook{Listen: "0.0.0.0:9911", PublicURL: "http://host.docker.internal:9911", Wait: 30 * time.Second}, p.Webhook)

	env := map[string]string{"IDVKIT_CONFIG": path, "IDVKIT_WEBHOOK_PUBLIC_URL": "http://10.0.0.5:9911", "IDVKIT_WEBHOOK_WAIT": "2s"}
	p, err = targetfile.PlanFromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	assert.Equal(t, steps.Webhook{Listen: "0.0.0.0:9911", PublicURL: "http://10.0.0.5:9911", Wait: 2 * time.Second}, p.Webhook)
}
