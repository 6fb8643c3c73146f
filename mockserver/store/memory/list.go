package memory

import (
	"math/rand/v2"

	"github.com/idvkit/idvkit/mockserver/store"
)

// node is the root of a list of records ordered by Seq, kept as a treap with subtree sizes: it
// appends, removes and reaches the i-th record in O(log n) expected, so a page of a List costs
// O(log n + page) however long the list. nil is the empty list.
type node struct {
	rec *store.Record
	// prio is random; keeping the tree a heap on it keeps it balanced in expectation.
	prio        uint64
	size        int
	left, right *node
}

func (n *node) len() int {
	if n == nil {
		return 0
	}
	return n.size
}

func (n *node) fix() *node {
	n.size = 1 + n.left.len() + n.right.len()
	return n
}

// push appends rec, whose Seq must be higher than every Seq in the list.
func (n *node) push(rec *store.Record) *node {
	return merge(n, &node{rec: rec, prio: rand.Uint64(), size: 1})
}

// remove removes the record with seq, if the list has it.
func (n *node) remove(seq uint64) *node {
	switch {
	case n == nil:
		return nil
	case seq < n.rec.Seq:
		n.left = n.left.remove(seq)
	case seq > n.rec.Seq:
		n.right = n.right.remove(seq)
	default:
		return merge(n.left, n.right)
	}
	return n.fix()
}

// merge joins two lists, every record of a coming before every record of b.
func merge(a, b *node) *node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = merge(a.right, b)
		return a.fix()
	default:
		b.left = merge(a, b.left)
		return b.fix()
	}
}

// appendRange appends copies of the records ranked lo to hi-1 (0 is the oldest), visiting only
// the nodes on the paths to lo and hi and those between.
func (n *node) appendRange(dst []store.Record, lo, hi int) []store.Record {
	if n == nil || lo >= hi {
		return dst
	}
	l := n.left.len()
	if lo < l {
		dst = n.left.appendRange(dst, lo, min(hi, l))
	}
	if lo <= l && l < hi {
		dst = append(dst, *n.rec)
	}
	if hi > l+1 {
		dst = n.right.appendRange(dst, max(lo-l-1, 0), hi-l-1)
	}
	return dst
}
