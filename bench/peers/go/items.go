package main

import (
	"fmt"
	"strings"

	"orgexamplebench"
)

// The items every peer builds the same way, so that each pair exchanges identical JSON
// (bench/src/shared/items.ts is the TypeScript twin).

// smallItem is the item the echo and stream scenarios carry.
func smallItem(i int64) orgexamplebench.Item {
	return orgexamplebench.Item{
		Id:     i,
		Name:   fmt.Sprintf("item-%d", i),
		Tags:   []string{"alpha", "beta", "gamma"},
		Score:  float64(i) + 0.5,
		Labels: map[string]string{"env": "bench", "tier": fmt.Sprintf("t%d", i%3)},
	}
}

// smallItems returns items 0..n-1.
func smallItems(n int) []orgexamplebench.Item {
	items := make([]orgexamplebench.Item, n)
	for i := range items {
		items[i] = smallItem(int64(i))
	}
	return items
}

// largeItemBytes is the size each item of a large message aims for: big enough that the message
// is bytes in transit rather than per-object overhead, small enough to still be many objects.
const largeItemBytes = 10000

// largeItems returns enough items of about largeItemBytes each to make a message of about size bytes.
func largeItems(size int) []orgexamplebench.Item {
	count := (size + largeItemBytes/2) / largeItemBytes
	if count < 1 {
		count = 1
	}
	items := make([]orgexamplebench.Item, count)
	for i := range items {
		item := smallItem(int64(i))
		item.Name = fmt.Sprintf("item-%d-", i) + strings.Repeat("x", largeItemBytes-100)
		items[i] = item
	}
	return items
}
