package apikit

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/webhook"
	"github.com/idvkit/idvkit/openapi"
)

// checkSpec: the API serves its spec as embedded from openapi/<name>.yaml (so `idvkit specs` lists
// it and the suite validates against it), OpenAPI 3.0.3, with its conformance rules, and every schema
// in it means the same to kin-openapi and to JSON Schema validators (portable.go).
func checkSpec(_ context.Context, k *kit) []string {
	embedded, err := openapi.Load(k.name)
	if err != nil {
		return []string{"openapi/" + k.name + ".yaml: " + err.Error()}
	}
	var problems []string
	spec := k.api.Spec()
	if spec != embedded {
		problems = append(problems, "Spec() is not the embedded openapi/"+k.name+".yaml (openapi.MustLoad(Name))")
	}
	if embedded.Version != "3.0.3" {
		problems = append(problems, "openapi/"+k.name+".yaml is OpenAPI "+embedded.Version+", not 3.0.3 (DESIGN, Specs)")
	}
	if len(embedded.Rules()) == 0 {
		problems = append(problems, "openapi/"+k.name+".yaml lists no rules under x-conformance-rules")
	}
	return append(problems, portability(k.name)...)
}

// portability lists the constructs of an embedded spec that validators read differently.
func portability(name string) []string {
	raw, err := openapi.Raw(name)
	if err != nil {
		return []string{err.Error()}
	}
	problems, err := nonPortable(raw)
	if err != nil {
		return []string{"openapi/" + name + ".yaml: " + err.Error()}
	}
	for i, p := range problems {
		problems[i] = "openapi/" + name + ".yaml: " + p
	}
	return problems
}

// checkOperations: the API has a handler for every operation of its spec and for nothing else (the
// composition refuses to serve it otherwise, at its first start).
func checkOperations(_ context.Context, k *kit) []string {
	var ids []string
	for _, op := range k.api.Spec().Operations() {
		ids = append(ids, op.ID)
	}
	handlers := slices.Collect(maps.Keys(k.api.Operations()))
	var problems []string
	for _, id := range missing(ids, handlers) {
		problems = append(problems, "Operations() has no handler for "+id+" of its spec")
	}
	for _, id := range missing(handlers, ids) {
		problems = append(problems, "Operations() has a handler for "+id+", which its spec does not have")
	}
	return problems
}

// checkControl: the API's own control operations are exactly those of openapi/control.yaml marked
// with its x-api, and the capabilities it adds are in control.yaml's Capability enum.
func checkControl(_ context.Context, k *kit) []string {
	control := openapi.MustLoad(openapi.Control)
	var marked []string
	for _, op := range control.Operations() {
		if op.Extension("x-api") == k.name {
			marked = append(marked, op.ID)
		}
	}
	var handlers, capabilities []string
	if c, ok := k.api.(mockapi.Controller); ok {
		handlers = slices.Collect(maps.Keys(c.ControlOperations()))
		capabilities = c.Capabilities()
	}
	var problems []string
	for _, id := range missing(marked, handlers) {
		problems = append(problems, "control.yaml's "+id+" is marked x-api: "+k.name+", and ControlOperations() has no handler for it")
	}
	for _, id := range missing(handlers, marked) {
		problems = append(problems, "ControlOperations() has "+id+", which control.yaml does not mark x-api: "+k.name)
	}
	problems = append(problems, missingHelpers(marked, reflect.TypeFor[*mocktest.Server]())...)
	enum := control.Enum("Capability")
	for _, c := range capabilities {
		if !slices.Contains(enum, c) {
			problems = append(problems, "capability "+c+" is not in control.yaml's Capability enum")
		}
	}
	return problems
}

// missingHelpers names the control operations of an API that server, mocktest's Server, has no typed
// method for: a Go test reaches each of an API's own control operations as a method named after it
// (completeEeidRequest is CompleteEeidRequest), as it reaches the others' (Control reaches any by its
// operationId until then).
func missingHelpers(operations []string, server reflect.Type) []string {
	var problems []string
	for _, id := range operations {
		method := strings.ToUpper(id[:1]) + id[1:]
		if _, ok := server.MethodByName(method); !ok {
			problems = append(problems, "mocktest.Server has no method "+method+" for control.yaml's "+id+
				" (a typed call of it, beside those of mockserver/mocktest/eeid.go)")
		}
	}
	return problems
}

// checkWebhooks: an API whose spec describes webhooks (x-webhooks) registers how they are signed
// (webhook.RegisterScheme), so that `idvkit webhook listen --api` checks them; one without none.
func checkWebhooks(_ context.Context, k *kit) []string {
	raw, err := openapi.Raw(k.name)
	if err != nil {
		return []string{err.Error()}
	}
	var doc struct {
		Webhooks map[string]any `yaml:"x-webhooks"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return []string{"openapi/" + k.name + ".yaml: " + err.Error()}
	}
	_, registered := webhook.SchemeOf(k.name)
	return webhookProblems(k.name, len(doc.Webhooks) > 0, registered)
}

// webhookProblems says what is wrong with an API whose spec has webhooks or not, and that has
// registered a webhook scheme or not.
func webhookProblems(api string, webhooks, registered bool) []string {
	switch {
	case webhooks && !registered:
		return []string{"openapi/" + api + ".yaml has x-webhooks, and no webhook.Scheme is registered for " + api + " (webhook.RegisterScheme in its package's init)"}
	case !webhooks && registered:
		return []string{"a webhook.Scheme is registered for " + api + ", whose spec has no x-webhooks"}
	}
	return nil
}
