package mockapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// DecodeSection decodes an API's section of the fixture set into v strictly: a key v does not have is
// an error that names it, so a misspelt fixture fails at start-up instead of being ignored.
func DecodeSection(api string, section json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(section))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s fixtures: %w", api, err)
	}
	return nil
}

// Seconds is a fixture setting written in seconds as a lifetime, or def when it is not set (zero).
func Seconds(n int, def time.Duration) time.Duration {
	if n > 0 {
		return time.Duration(n) * time.Second
	}
	return def
}
