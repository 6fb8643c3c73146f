package memory_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
)

// BenchmarkListPage reads a page of 10 from kinds of 1k and 100k records, 100 per owner: one
// owner's newest, and the whole kind's from its middle. The time per read should barely move
// with the kind's size, since List costs the page, not a scan.
func BenchmarkListPage(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		s := memory.New()
		for i := range n {
			rec := store.Record{Kind: "req", Key: fmt.Sprint(i), Value: i, Owner: fmt.Sprintf("owner%d", i%(n/100))}
			if _, err := s.Create(b.Context(), rec); err != nil {
				b.Fatal(err)
			}
		}
		for _, c := range []struct {
			name, owner string
			page        store.Page
		}{
			{"owner", "owner7", store.Page{Limit: 10}},
			{"kind-middle", "", store.Page{Offset: n / 2, Limit: 10}},
		} {
			b.Run(fmt.Sprintf("records=%d/%s", n, c.name), func(b *testing.B) {
				for b.Loop() {
					recs, _, err := s.List(b.Context(), "req", c.owner, store.NewestFirst, c.page)
					if err != nil || len(recs) != 10 {
						b.Fatal(len(recs), err)
					}
				}
			})
		}
	}
}

// BenchmarkSweepWithNothingDue sweeps kinds of 1k and 100k live records none of which is due: the
// sweeper runs every minute under the store's lock, so its cost must follow what is due, not what
// is stored (it scanned every record before the retention index).
func BenchmarkSweepWithNothingDue(b *testing.B) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1_000, 100_000} {
		s := memory.New()
		for i := range n {
			rec := store.Record{Kind: "session", Key: fmt.Sprint(i), Value: i, RetainUntil: now.Add(time.Duration(i%1440) * time.Minute).Add(time.Hour)}
			if _, err := s.Create(b.Context(), rec); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			for b.Loop() {
				if swept, err := s.Sweep(b.Context(), now); err != nil || swept != 0 {
					b.Fatal(swept, err)
				}
			}
		})
	}
}
