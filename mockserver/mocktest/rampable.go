package mocktest

// Rampable's control operation (openapi/control.yaml, x-api: rampable), a method named after its
// operationId.

// SetRampableNextCode fixes the next code Rampable mails to an address, by a registration or a
// login (registered or not, matched without regard to case), so a test need not read the outbox:
// the codes after it are random again.
func (s *Server) SetRampableNextCode(email, code string) error {
	return s.Control("setRampableNextCode", map[string]string{"email": email}, map[string]string{"code": code}, nil)
}
