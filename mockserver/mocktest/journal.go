package mocktest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/idvkit/idvkit/mockserver/journal"
)

// Requests lists the requests sent to the mock's APIs that f selects (the zero Filter: every one), in
// the order they were answered: what the code under test sent, every value by its shape, and what it
// got. The control API's calls are not among them. The mock keeps the last 1000 (WithConfig's
// JournalSize).
func (s *Server) Requests(f journal.Filter) []journal.Request {
	items, _ := s.mock.Journal().Requests(f, 0)
	slices.Reverse(items)
	return items
}

// Violations lists the requests that broke an API's contract, as Requests does, each with its
// Violation, those AllowViolations allows included.
func (s *Server) Violations() []journal.Request {
	items, _ := s.mock.Journal().Violations(journal.Filter{}, 0)
	slices.Reverse(items)
	return items
}

// AllowViolations lets a test send requests that break the contract on purpose (bad input, to see
// how the code under test takes the refusal): New fails the test for none of the requests to the
// operation (its operationId, or "" for a path or method no operation has, or "*" for any) that broke
// one of the rules, each a rule's name ("required", "enum", "unknown", "path", ...) or the JSON
// pointer of the field ("/body/grant_type"). With no rules, any violation of the operation is allowed.
func AllowViolations(operation string, rules ...string) Option {
	return func(o *options) { o.allowed = append(o.allowed, allowance{operation, rules}) }
}

type allowance struct {
	operation string
	rules     []string
}

func (a allowance) allows(r journal.Request) bool {
	return (a.operation == "*" || a.operation == r.Operation) &&
		(len(a.rules) == 0 || slices.Contains(a.rules, r.Violation.Rule) || slices.Contains(a.rules, r.Violation.Pointer))
}

// maxListed is how many violations CheckContract spells out; it counts the rest.
const maxListed = 20

// CheckContract returns an error that lists every request the code under test sent that broke an
// API's contract and that AllowViolations does not allow, or nil when there is none: what New fails
// its test with when the test ends. Each names the request line (every value by its shape) and the
// status it got, the reason, and the operation, the field and the rule, enough to fix the client from
// the message alone.
//
// Each violation is judged as the journal records it, so one the journal has since let go of (past
// its size, or cleared by DELETE /_mock/violations) still fails the test.
func (s *Server) CheckContract() error {
	s.judged.Lock()
	broke, total := slices.Clone(s.broke), s.brokeTotal
	s.judged.Unlock()
	if total == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "mocktest: the code under test sent %s that broke the API contract:\n", requests(total))
	// The rules each operation broke, in the order they first appear, for the hint.
	var ops []string
	rules := map[string][]string{}
	for _, r := range broke {
		v := r.Violation
		operation := r.Operation
		if operation == "" {
			operation = "none"
		}
		fmt.Fprintf(&b, "\n  %s -> %d\n    %s\n    operation %s, field %s, rule %s", r.Line(), r.Status, v.Reason, operation, v.Pointer, v.Rule)
		if v.Spec != "" {
			fmt.Fprintf(&b, " (%s)", v.Spec)
		}
		b.WriteString("\n")
		if _, seen := rules[r.Operation]; !seen {
			ops = append(ops, r.Operation)
		}
		if !slices.Contains(rules[r.Operation], v.Rule) {
			rules[r.Operation] = append(rules[r.Operation], v.Rule)
		}
	}
	if total > len(broke) {
		fmt.Fprintf(&b, "\n  ... and %s more\n", requests(total-len(broke)))
	}
	var allow []string
	for _, op := range ops {
		args := []string{fmt.Sprintf("%q", op)}
		for _, rule := range rules[op] {
			args = append(args, fmt.Sprintf("%q", rule))
		}
		allow = append(allow, "mocktest.AllowViolations("+strings.Join(args, ", ")+")")
	}
	them := "them"
	if total == 1 {
		them = "it"
	}
	fmt.Fprintf(&b, "\nA test that sends %s on purpose allows %s: mocktest.New(t, %s)", them, them, strings.Join(allow, ", "))
	return errors.New(b.String())
}

// judge notes a violation the journal records unless an allowance allows it.
func (s *Server) judge(r journal.Request) {
	if slices.ContainsFunc(s.allowed, func(a allowance) bool { return a.allows(r) }) {
		return
	}
	s.judged.Lock()
	defer s.judged.Unlock()
	s.brokeTotal++
	if len(s.broke) < maxListed {
		s.broke = append(s.broke, r)
	}
}

func requests(n int) string {
	if n == 1 {
		return "1 request"
	}
	return fmt.Sprintf("%d requests", n)
}
