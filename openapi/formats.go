package openapi

import (
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// formatOptions make every validation here read format date and date-time as JSON Schema validators
// (Prism's ajv-formats) read RFC 3339: a day its month has. kin-openapi's own regexps let 2030-02-30
// through. The specs pin the rest of the written form with a pattern (mockserver/apikit/portable.go),
// so the two agree on every value. The validators are per call, not kin-openapi's process-wide
// registry, which a program embedding the mock may use for its own specs.
var formatOptions = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("date", layoutValidator(time.DateOnly)),
	openapi3.WithStringFormatValidator("date-time", layoutValidator(time.RFC3339Nano)),
}

// layoutValidator accepts what time.Parse reads with the layout, which refuses days past the
// month's end.
func layoutValidator(layout string) openapi3.StringFormatValidator {
	return openapi3.NewCallbackValidator(func(s string) error {
		_, err := time.Parse(layout, s)
		return err
	})
}
