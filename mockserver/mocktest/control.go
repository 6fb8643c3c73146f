package mocktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/webhook"
	"github.com/idvkit/idvkit/openapi"
)

// Control calls an operation of the control API (openapi/control.yaml) by its operationId, as a test
// of a real implementation would: path holds its path parameters by name, body (nil for none) is sent
// as JSON, and a JSON answer is decoded into out (nil: not read). An answer other than a 2xx is an
// error with the control API's message. Each API's own operations have a typed method too
// (CompleteEeidRequest, ...); this one reaches any, a new API's before it has its method.
func (s *Server) Control(operationID string, path map[string]string, body, out any) error {
	op := openapi.MustLoad(openapi.Control).Operation(operationID)
	if op == nil {
		return fmt.Errorf("mocktest: the control API has no operation %s", operationID)
	}
	target := op.Path
	for name, value := range path {
		target = strings.ReplaceAll(target, "{"+name+"}", url.PathEscape(value))
	}
	if strings.Contains(target, "{") {
		return fmt.Errorf("mocktest: %s: a path parameter of %s is missing", operationID, op.Path)
	}
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("mocktest: %s: %w", operationID, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(op.Method, s.ControlURL()+target, rd)
	if err != nil {
		return fmt.Errorf("mocktest: %s: %w", operationID, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return fmt.Errorf("mocktest: %s: %w", operationID, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("mocktest: %s: reading the answer: %w", operationID, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e)
		return fmt.Errorf("mocktest: %s %s: %s: %s", op.Method, target, resp.Status, e.Message)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("mocktest: %s: the answer: %w", operationID, err)
		}
	}
	return nil
}

// Outbox lists what the mock has sent to people (emailed one-time passwords, reset and
// identification links), oldest first: to one address, or to everyone for "".
func (s *Server) Outbox(to string) ([]outbox.Message, error) {
	return s.mock.Outbox().List(context.Background(), to, "")
}

// Deliveries lists every webhook the mock has sent, oldest first, each with its exact body and
// headers, its state and every attempt (when on the mock's clock, the receiver's status or why there
// was none). Settle first to see the attempts a clock move started.
func (s *Server) Deliveries() ([]webhook.Delivery, error) {
	return s.mock.Webhooks().Log(context.Background(), "")
}
