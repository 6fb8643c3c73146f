//go:debug urlmaxqueryparams=2

// Command querylimit prints how many query parameters apihttp.Query takes from a query of three,
// in a program whose //go:debug line lowers net/url's limit to two: TestParseQueryFollowsGoDebug
// runs it.
package main

import (
	"fmt"
	"net/http/httptest"

	"github.com/idvkit/idvkit/mockserver/apihttp"
)

func main() {
	fmt.Println(len(apihttp.Query(httptest.NewRequest("GET", "/?a=1&b=2&c=3", nil))))
}
