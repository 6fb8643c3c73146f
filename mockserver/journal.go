package mockserver

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/journal"
)

// The control API's view of the request journal (mockserver/journal): what clients sent to the APIs
// and what broke the contract, for a partner whose app hides the 4xx it got.

// Journal is the mock's request journal: every request to an API it serves.
func (s *Server) Journal() *journal.Journal { return s.journal }

// defaultJournalPage is how many entries a page of the journal holds unless asked for another number.
const defaultJournalPage = 50

// journalPage is the body of listRequests and listViolations.
type journalPage struct {
	Items   []journal.Request `json:"items"`
	HasMore bool              `json:"has_more"`
}

// listRequests is listRequests (GET /_mock/requests).
func (s *Server) listRequests(r *http.Request) (int, any, error) {
	return journalList(r, s.journal.Requests)
}

// listViolations is listViolations (GET /_mock/violations).
func (s *Server) listViolations(r *http.Request) (int, any, error) {
	return journalList(r, s.journal.Violations)
}

// clearJournal is clearRequests and clearViolations (DELETE /_mock/requests, /_mock/violations).
func (s *Server) clearJournal(*http.Request) (int, any, error) {
	s.journal.Clear()
	return http.StatusNoContent, nil, nil
}

// journalList answers a page of a list of the journal, as the request's query selects it. The spec has
// already checked each parameter's form, so one that does not parse is a bug.
func journalList(r *http.Request, list func(journal.Filter, int) ([]journal.Request, bool)) (int, any, error) {
	q := apihttp.Query(r)
	f := journal.Filter{API: q.Get("api"), Operation: q.Get("operation"), Status: q.Get("status")}
	limit := defaultJournalPage
	var err error
	if v := q.Get("since"); v != "" {
		if f.Since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return 0, nil, fmt.Errorf("since %q passed validation: %w", v, err)
		}
	}
	if v := q.Get("before"); v != "" {
		if f.Before, err = strconv.ParseUint(v, 10, 64); err != nil {
			return 0, nil, fmt.Errorf("before %q passed validation: %w", v, err)
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil {
			return 0, nil, fmt.Errorf("limit %q passed validation: %w", v, err)
		}
	}
	items, more := list(f, limit)
	if items == nil {
		items = []journal.Request{}
	}
	return http.StatusOK, journalPage{Items: items, HasMore: more}, nil
}
