// Package features embeds the Gherkin conformance features, one folder per API
// (features/<api>/<flow>.feature). Scenario tags: @id:<stable id>, @rule:<rule id>, @op:<operationId>,
// @needs:<control capability>, @policy for our own rules where the vendor is silent.
package features

import "embed"

// FS holds every feature file, at <api>/<flow>.feature.
//
//go:embed */*.feature
var FS embed.FS
