package mocktest

// RamBase's control operations (openapi/control.yaml, x-api: rambase), each a method named after its
// operationId.

// EndRamBaseSession ends the session of a RamBase access token, as a logout would: its ID
// verification token stops verifying at once (RB-11).
func (s *Server) EndRamBaseSession(accessToken string) error {
	return s.Control("endRamBaseSession", nil, map[string]string{"access_token": accessToken}, nil)
}
