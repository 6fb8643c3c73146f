package mocktest

import (
	"context"

	"github.com/idvkit/idvkit/mockserver/eeid"
	"github.com/idvkit/idvkit/mockserver/webhook"
)

// eeID's control operations (openapi/control.yaml, x-api: eeid), each a method named after its
// operationId.

// EeidCompletion is how the person completes an eeID identification: the zero value is someone who
// matches every claim the request requires; Sub, such a person with another personal code (a
// mismatch, EE-10); Identity, whoever it says, in full.
type EeidCompletion struct {
	Identity *eeid.Identity `json:"identity,omitempty"`
	Sub      string         `json:"sub,omitempty"`
}

// CompleteEeidRequest completes an identification request as the person would on its link's page:
// the request is completed and its webhook sent (Settle, then Deliveries, to see it arrive).
func (s *Server) CompleteEeidRequest(id string, how EeidCompletion) error {
	return s.Control("completeEeidRequest", map[string]string{"id": id}, how, nil)
}

// AbortEeidRequest cancels an identification as the person would: the request stays pending and its
// link keeps working.
func (s *Server) AbortEeidRequest(id string) error {
	return s.Control("abortEeidRequest", map[string]string{"id": id}, nil, nil)
}

// ExpireEeidRequest lets a request's link expire now, without moving the clock.
func (s *Server) ExpireEeidRequest(id string) error {
	return s.Control("expireEeidRequest", map[string]string{"id": id}, nil, nil)
}

// SetEeidWebhook sets where a service's completions are sent (its path must contain
// eeid/webhooks/identification_requests), as the eeID manager does; "" sends none.
func (s *Server) SetEeidWebhook(clientID, url string) error {
	return s.Control("setEeidWebhook", map[string]string{"client_id": clientID}, map[string]string{"url": url}, nil)
}

// ListEeidDeliveries lists the webhooks sent to a service, oldest first, with every attempt.
func (s *Server) ListEeidDeliveries(clientID string) ([]webhook.Delivery, error) {
	if err := s.Control("listEeidDeliveries", map[string]string{"client_id": clientID}, nil, nil); err != nil {
		return nil, err // no such service
	}
	return s.mock.Webhooks().Log(context.Background(), clientID)
}

// ReplayEeidDelivery sends a delivery again, the same bytes and signature, and returns the new
// delivery's id.
func (s *Server) ReplayEeidDelivery(id string) (string, error) {
	var replay struct {
		ID string `json:"id"`
	}
	err := s.Control("replayEeidDelivery", map[string]string{"id": id}, nil, &replay)
	return replay.ID, err
}
