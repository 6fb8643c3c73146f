package target

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
