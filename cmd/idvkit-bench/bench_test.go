package main

import (
	"context"
	"testing"
)

// BenchmarkHandler is each hot path's handler in process, the mock's and the bare one's, with
// allocations: the same function the driver's allocs/req column comes from, so `go test -bench`
// shows an allocation regression. Throughput is what the driver measures, server alone. Beside
// them, a mock that journals nothing: what the mock's row costs more is what recording costs.
func BenchmarkHandler(b *testing.B) {
	for _, row := range hotPaths {
		b.Run(row.name, func(b *testing.B) {
			p, err := newInProcess(context.Background(), row, journaled)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(p.Close)
			q, err := newInProcess(context.Background(), row, unjournaled)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(q.Close)
			b.Run("mock", p.benchMock)
			b.Run("mock-unjournaled", q.benchMock)
			b.Run("bare", p.benchBare)
		})
	}
}
