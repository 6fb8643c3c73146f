package memory_test

import (
	"testing"

	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/store/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.RunTests(t, func(*testing.T) store.Store { return memory.New() })
}
