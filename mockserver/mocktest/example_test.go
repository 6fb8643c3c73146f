package mocktest_test

import (
	"fmt"
	"log"
	"net/url"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// A client that sends a request the API's contract forbids gets the API's 4xx; if it swallows it, the
// test still fails: New ends the test with this message (CheckContract's), which names the field, the
// rule and the reason, so the client can be fixed from the message alone.
func ExampleServer_CheckContract() {
	m, err := mocktest.Start() // in a test: m := mocktest.New(t), which fails t with the message below
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	// The client under test forgets its secret.
	resp, err := m.Client().PostForm(m.APIURL("rambase")+"/oauth2/access_token",
		url.Values{"grant_type": {"client_credentials"}, "client_id": {"forecast-api"}})
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(m.CheckContract())
	// Output:
	// mocktest: the code under test sent 1 request that broke the API contract:
	//
	//   POST /rambase/oauth2/access_token -> 400
	//     POST /oauth2/access_token: body.client_secret is required
	//     operation getAccessToken, field /body/client_secret, rule required (rambase.yaml#/paths/~1oauth2~1access_token/post)
	//
	// A test that sends it on purpose allows it: mocktest.New(t, mocktest.AllowViolations("getAccessToken", "required"))
}
