package apihttp

import (
	"net/url"
	"strings"
	"sync"

	"github.com/idvkit/idvkit/openapi"
)

// parseQuery is url.ParseQuery, the same values and the same error, made cheap for what nearly
// every query and form is: no escapes (%), no '+', no ';' and a few parameters. Then each key and
// value is its substring as it stands, which is what url.ParseQuery returns for it too, without
// url's byte-by-byte unescape loop: on the verify path, whose query carries a 300-character
// token, that loop was a fifth of the handler's time. Anything else goes to url.ParseQuery.
func parseQuery(s string) (url.Values, error) {
	if strings.IndexByte(s, '%') >= 0 || strings.IndexByte(s, '+') >= 0 || strings.IndexByte(s, ';') >= 0 ||
		strings.Count(s, "&") >= fastQueryParams || !fastPathWithinLimit() {
		return url.ParseQuery(s)
	}
	v := make(url.Values)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		v[key] = append(v[key], value)
	}
	return v, nil
}

// fastQueryParams bounds the fast path's parameters far below net/url's limit on them (10,000),
// so parseQuery never has to judge that limit itself.
const fastQueryParams = 64

// fastPathWithinLimit reports whether net/url takes as many parameters as the fast path does (up
// to fastQueryParams: fewer '&' than that). Its limit can be lowered (urlmaxqueryparams, by GODEBUG,
// a //go:debug line or go.mod's godebug), so it is asked, once, with that many: when it refuses
// them, url.ParseQuery judges every query.
var fastPathWithinLimit = sync.OnceValue(func() bool {
	_, err := url.ParseQuery(strings.Repeat("&", fastQueryParams-1))
	return err == nil
})

// query returns r's query parameters as r.URL.Query does: a malformed pair is dropped.
func query(u *url.URL) url.Values {
	v, _ := parseQuery(u.RawQuery)
	return v
}

// formFailure says what is wrong with a form body url.ParseQuery refused: the first field whose
// value has a malformed %-escape or a ';' (which net/url no longer takes for '&'), named by its key
// when the key itself decodes; or, when no field is at fault, more fields than net/url takes.
func formFailure(body string) *openapi.Failure {
	for pair := range strings.SplitSeq(body, "&") {
		key, value, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(key)
		if err != nil || strings.Contains(key, ";") {
			return &openapi.Failure{Kind: openapi.KindBody, Rule: "encoding"}
		}
		if _, err := url.QueryUnescape(value); err != nil || strings.Contains(value, ";") {
			return &openapi.Failure{Kind: openapi.KindBody, Field: "/" + openapi.PointerToken(name), Rule: "encoding"}
		}
	}
	return &openapi.Failure{Kind: openapi.KindBody, Rule: "maxProperties"}
}
