package target

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/openapi"
)

// The images a Dockerfile builds from, which must be present: scratch, earlier stages and names made
// of ARGs are not looked up.
func TestBaseImages(t *testing.T) {
	assert.Equal(t, []string{"idvkit:dev", "golang:latest", "reg.example:5000/team/base:1", "alpine:latest"}, baseImages(`
# FROM commented:out
FROM idvkit:dev
from --platform=linux/amd64 golang AS Build
RUN make
FROM scratch
COPY --from=build /x /x
FROM build AS again
FROM reg.example:5000/team/base:1
ARG BASE=alpine
FROM ${BASE}
FROM alpine
`))
	assert.Empty(t, baseImages("FROM scratch\nCOPY idvkit /idvkit\n"))
}

func TestSplitImage(t *testing.T) {
	for ref, want := range map[string][2]string{
		"idvkit":                      {"idvkit", "latest"},
		"idvkit:dev":                  {"idvkit", "dev"},
		"reg.example:5000/idvkit":     {"reg.example:5000/idvkit", "latest"},
		"reg.example:5000/idvkit:1.2": {"reg.example:5000/idvkit", "1.2"},
	} {
		repo, tag, err := splitImage(ref)
		assert.NoError(t, err, ref)
		assert.Equal(t, want, [2]string{repo, tag}, ref)
	}
	for _, ref := range []string{"", ":dev", "idvkit:", "idvkit@sha256:abc", "id vkit"} {
		_, _, err := splitImage(ref)
		assert.Error(t, err, ref)
	}
}

// An API is reached at the shortest base path of its spec's servers, under the address or the prefix
// that serves it: the root for RamBase's, and for RandaVerify's, whose vendor serves it at its root
// and at /v1; /v1 for an API whose vendor serves it only there, where the mock serves it only.
func TestAnAPIIsReachedAtTheShortestBasePathOfItsSpec(t *testing.T) {
	assert.Empty(t, basePath("rambase"))
	assert.Empty(t, basePath("randaverify"))
	assert.Empty(t, basePath("widgets"), "no embedded spec")
	assert.Equal(t, "/randaverify", (&prefixed{api: "randaverify"}).path())
	spec, err := openapi.Parse("status", []byte(`openapi: 3.0.3
info: {title: status, version: "1"}
servers: [{url: "https://api.status.example/v1"}]
paths: {}
`))
	require.NoError(t, err)
	assert.Equal(t, "/v1", shortest(spec.BasePaths()))
	assert.Equal(t, "/v1", shortest([]string{"/v1/beta", "/v1"}))
}
