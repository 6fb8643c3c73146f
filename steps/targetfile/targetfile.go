// Package targetfile reads what `idvkit conform --config` and go test (IDVKIT_CONFIG) are told to
// check and how to reach it, a YAML file decoded strictly, overridden by flags or the environment,
// and turns it into the run's plan.
package targetfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/idvkit/idvkit/steps"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

// File is the file `idvkit conform --config` (and IDVKIT_CONFIG under go test) reads: what to
// check and how to reach it. Flags and environment variables override it. It is decoded strictly, so
// a misspelt key is an error naming the key and its line.
type File struct {
	API     string   `yaml:"api"`
	BaseURL string   `yaml:"base_url"`
	Control *Control `yaml:"control"`
	// Capabilities the target offers, declared; absent, they are discovered from the control API.
	Capabilities []string `yaml:"capabilities"`
	// Principals are credentials per role, for a target whose control API cannot make them.
	Principals map[string]steps.Principal `yaml:"principals"`
	// TestData are values a real target's test build fixes: a sandbox's one-time password (`otp`),
	// a reset code. Scenarios read them as ${test.<key>}; a message a target without an outbox
	// would have sent is read from the key named after its kind.
	TestData map[string]string `yaml:"test_data"`
	Webhook  Webhook           `yaml:"webhook"`
	Docker   Docker            `yaml:"docker"`

	StrictPolicy     bool     `yaml:"strict_policy"`
	FailOnSkip       bool     `yaml:"fail_on_skip"`
	MinRules         int      `yaml:"min_rules"`
	Tags             string   `yaml:"tags"`
	Timeout          Duration `yaml:"timeout"`
	ExpectedFailures string   `yaml:"expected_failures"` // a file of expected failures, relative to this one
}

// Control is the target's control API. `control: {url: ""}` declares that it has none, so its
// scenarios that need one are skipped, and reported as such, rather than the run stopping as not
// ready.
type Control struct {
	URL   *string `yaml:"url"`
	Token string  `yaml:"token"`
}

// Webhook is where the suite's webhook receiver listens, and the URL the implementation calls
// back (which differs when the implementation runs elsewhere, in a container say).
type Webhook struct {
	Listen    string `yaml:"listen"`
	PublicURL string `yaml:"public_url"`
	// Wait is how long a step waits for a delivery that has not arrived yet; zero: 15 s, longer
	// than the 10 s a sender gives a receiver, so a retry after a timed-out attempt still counts.
	Wait Duration `yaml:"wait"`
}

// Docker starts the implementation from an image or a Dockerfile (--docker-image,
// --dockerfile, --docker-env, --docker-base-path).
type Docker struct {
	Image      string   `yaml:"image"`
	Dockerfile string   `yaml:"dockerfile"`
	Env        []string `yaml:"env"`
	BasePath   string   `yaml:"base_path"`
}

// Duration is a time.Duration written as Go writes one: 90s, 2m.
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (write 90s or 2m)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// readStrict decodes one YAML document into out, refusing unknown keys; the error names the key and
// the line, as yaml.v3 reports them.
func readStrict(path string, out any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Read reads a target file, and fills in each principal's role, API and kind, which follow
// from its key. A relative expected-failures path is taken as relative to the file.
func Read(path string) (*File, error) {
	var c File
	if err := readStrict(path, &c); err != nil {
		return nil, err
	}
	c.Principals = completePrincipals(c.Principals)
	if c.ExpectedFailures != "" && !filepath.IsAbs(c.ExpectedFailures) {
		c.ExpectedFailures = filepath.Join(filepath.Dir(path), c.ExpectedFailures)
	}
	return &c, nil
}

// ReadPrincipals reads a file of role -> principal in the control API's Principal shape (role, api
// and kind may be left out), strictly, so a misspelt field is an error rather than a missing
// credential.
func ReadPrincipals(path string) (map[string]steps.Principal, error) {
	var raw map[string]steps.Principal
	if err := readStrict(path, &raw); err != nil {
		return nil, err
	}
	return completePrincipals(raw), nil
}

// completePrincipals sets each principal's role and API from its key, and its kind from whether it
// has a username.
func completePrincipals(ps map[string]steps.Principal) map[string]steps.Principal {
	for role, p := range ps {
		p.Role = role
		p.API, _, _ = strings.Cut(role, ".") // rambase.internal_user is RamBase's
		if p.Kind == "" {
			p.Kind = steps.KindClient
			if p.Username != "" {
				p.Kind = steps.KindUser
			}
		}
		ps[role] = p
	}
	return ps
}

// expectedFailure is one entry of an expected-failures file: a scenario, by its stable @id:, that the
// target is known to fail, and why.
type expectedFailure struct {
	ID     string `yaml:"id"`
	Reason string `yaml:"reason"`
}

// ReadExpectedFailures reads an expected-failures file: a list of {id, reason}, every reason given.
func ReadExpectedFailures(path string) (map[string]string, error) {
	var list []expectedFailure
	if err := readStrict(path, &list); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, e := range list {
		if e.ID == "" || e.Reason == "" {
			return nil, fmt.Errorf("%s: entry %d: every expected failure has an id and a reason", path, i+1)
		}
		out[e.ID] = e.Reason
	}
	return out, nil
}

// Plan turns the file, as flags or the environment have overridden it, into a plan: the target
// (the in-process mock when the file names none), the credentials, the expected failures and the
// verdict's rules. Its errors are the file's or the user's (a usage error), never the target's.
func (f *File) Plan() (suite.Plan, error) {
	p := suite.Plan{Config: suite.Config{API: f.API, Principals: f.Principals, StrictPolicy: f.StrictPolicy, Capabilities: f.Capabilities, TestData: f.TestData,
		Webhook: steps.Webhook{Listen: f.Webhook.Listen, PublicURL: f.Webhook.PublicURL, Wait: time.Duration(f.Webhook.Wait)}},
		Tags: f.Tags, Timeout: time.Duration(f.Timeout), FailOnSkip: f.FailOnSkip, MinRules: f.MinRules}
	if f.MinRules < 0 || f.Timeout < 0 {
		return p, errors.New("min_rules and timeout cannot be negative")
	}
	if f.ExpectedFailures != "" {
		expected, err := ReadExpectedFailures(f.ExpectedFailures)
		if err != nil {
			return p, err
		}
		p.Expected = expected
	}
	noControl := f.Control != nil && f.Control.URL != nil && *f.Control.URL == ""
	switch {
	case f.Docker.Image != "" || f.Docker.Dockerfile != "":
		if f.BaseURL != "" {
			return p, errors.New("a target is a base URL or a Docker image, not both")
		}
		if f.API == "" {
			return p, errors.New("name the API the container serves (--api, or api: in the file)")
		}
		dc := target.DockerConfig{Image: f.Docker.Image, Dockerfile: f.Docker.Dockerfile, Env: f.Docker.Env, BasePath: f.Docker.BasePath, API: f.API,
			NoControl: noControl}
		if f.Control != nil {
			dc.ControlToken = f.Control.Token
			if f.Control.URL != nil && *f.Control.URL != "" {
				return p, errors.New("a container's control API is found under its own address: give no control URL")
			}
		}
		docker, err := target.Docker(dc)
		if err != nil {
			return p, err
		}
		p.Target = docker
	case f.BaseURL != "":
		if f.API == "" {
			return p, errors.New("a base URL is one API's: name the API (--api, or api: in the file)")
		}
		if err := checkURL(f.BaseURL); err != nil {
			return p, fmt.Errorf("base URL %q: %w", f.BaseURL, err)
		}
		opts := []target.URLOption{target.WithAPI(f.API)}
		switch {
		case f.Control == nil:
		case noControl:
			opts = append(opts, target.WithoutControl())
		default:
			url := ""
			if f.Control.URL != nil {
				url = *f.Control.URL
				if err := checkURL(url); err != nil {
					return p, fmt.Errorf("control URL %q: %w", url, err)
				}
			}
			opts = append(opts, target.WithControl(url, f.Control.Token))
		}
		p.Target = target.URL(f.BaseURL, opts...)
	case f.Control != nil:
		return p, errors.New("a control API belongs to a target: give its base URL too")
	default:
		p.Target = target.InProcess()
	}
	return p, nil
}

// checkURL accepts an absolute http or https URL.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an absolute http:// or https:// URL")
	}
	return nil
}

// PlanFromEnv is the plan `go test` runs (TestFeatures): in-process by default, or the target a
// file (IDVKIT_CONFIG) or the environment names: IDVKIT_API and IDVKIT_BASE_URL, or
// IDVKIT_DOCKER_IMAGE or IDVKIT_DOCKERFILE with IDVKIT_DOCKER_ENV (KEY=VALUE, space-separated) and
// IDVKIT_DOCKER_BASE_PATH; IDVKIT_CONTROL_URL (set and empty: the target has no control API) and
// IDVKIT_CONTROL_TOKEN; IDVKIT_WEBHOOK_LISTEN, IDVKIT_WEBHOOK_PUBLIC_URL and IDVKIT_WEBHOOK_WAIT (the suite's
// webhook receiver); IDVKIT_PRINCIPALS, IDVKIT_EXPECTED_FAILURES (files); IDVKIT_TAGS;
// IDVKIT_TIMEOUT; IDVKIT_STRICT_POLICY=1, IDVKIT_FAIL_ON_SKIP=1 and IDVKIT_MIN_RULES. Each overrides
// the file.
func PlanFromEnv(lookup func(string) (string, bool)) (suite.Plan, error) {
	f := &File{}
	if path, ok := lookup("IDVKIT_CONFIG"); ok && path != "" {
		var err error
		if f, err = Read(path); err != nil {
			return suite.Plan{}, err
		}
	}
	str := func(key string, dst *string) {
		if v, ok := lookup(key); ok && v != "" {
			*dst = v
		}
	}
	str("IDVKIT_API", &f.API)
	str("IDVKIT_BASE_URL", &f.BaseURL)
	str("IDVKIT_TAGS", &f.Tags)
	str("IDVKIT_EXPECTED_FAILURES", &f.ExpectedFailures)
	str("IDVKIT_DOCKER_IMAGE", &f.Docker.Image)
	str("IDVKIT_DOCKERFILE", &f.Docker.Dockerfile)
	str("IDVKIT_DOCKER_BASE_PATH", &f.Docker.BasePath)
	str("IDVKIT_WEBHOOK_LISTEN", &f.Webhook.Listen)
	str("IDVKIT_WEBHOOK_PUBLIC_URL", &f.Webhook.PublicURL)
	if v, _ := lookup("IDVKIT_DOCKER_ENV"); v != "" {
		f.Docker.Env = strings.Fields(v)
	}
	if v, ok := lookup("IDVKIT_CONTROL_URL"); ok {
		f.Control = &Control{URL: &v}
		if tok, _ := lookup("IDVKIT_CONTROL_TOKEN"); tok != "" {
			f.Control.Token = tok
		}
	} else if tok, _ := lookup("IDVKIT_CONTROL_TOKEN"); tok != "" {
		if f.Control == nil {
			f.Control = &Control{}
		}
		f.Control.Token = tok
	}
	if path, _ := lookup("IDVKIT_PRINCIPALS"); path != "" {
		ps, err := ReadPrincipals(path)
		if err != nil {
			return suite.Plan{}, err
		}
		f.Principals = ps
	}
	for key, dst := range map[string]*bool{"IDVKIT_STRICT_POLICY": &f.StrictPolicy, "IDVKIT_FAIL_ON_SKIP": &f.FailOnSkip} {
		if v, _ := lookup(key); v != "" {
			*dst = v == "1" || v == "true"
		}
	}
	if v, _ := lookup("IDVKIT_MIN_RULES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return suite.Plan{}, fmt.Errorf("IDVKIT_MIN_RULES %q: %w", v, err)
		}
		f.MinRules = n
	}
	for key, dst := range map[string]*Duration{"IDVKIT_TIMEOUT": &f.Timeout, "IDVKIT_WEBHOOK_WAIT": &f.Webhook.Wait} {
		if v, _ := lookup(key); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return suite.Plan{}, fmt.Errorf("%s %q: %w", key, v, err)
			}
			*dst = Duration(d)
		}
	}
	return f.Plan()
}
