// Package features embeds the Gherkin conformance features, one folder per API
// (features/<api>/<flow>.feature). Scenario tags: @id:<stable id>, @rule:<rule id>, @op:<operationId>,
// @needs:<control capability>, @policy for a scenario that checks only our own choices, where the
// vendor is silent. A step that checks our part of a vendor's rule (the exact status of a refusal the
// vendor requires, a detail) ends with "(policy: any 4xx)" or "(policy)" (see steps/policy.go).
package features

import "embed"

// FS holds every feature file, at <api>/<flow>.feature.
//
//go:embed */*.feature
var FS embed.FS
