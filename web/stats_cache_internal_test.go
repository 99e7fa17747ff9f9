package web

import (
	"fmt"
	"testing"
	"time"
)

// The cache holds at most its entries and bytes, dropping the least recently used.
func TestStatsCacheBounds(t *testing.T) {
	c := newStatsCache(time.Minute)
	c.maxEntries, c.maxBytes = 3, 100
	key := func(i int) statsKey {
		return statsKey{route: "GET /api/stats/summary", unit: fmt.Sprintf("140802%03d", i)}
	}
	for i := range 3 {
		_, gen := c.get(key(i))
		c.put(key(i), gen, "application/json", make([]byte, 10))
	}
	c.get(key(0)) // used: 1 is now the oldest
	_, gen := c.get(key(3))
	c.put(key(3), gen, "application/json", make([]byte, 10))
	if e, _ := c.get(key(1)); e != nil || len(c.entries) != 3 {
		t.Fatalf("entries %d, key 1 kept %v: want 3, the least recently used dropped", len(c.entries), e != nil)
	}
	_, gen = c.get(key(4))
	c.put(key(4), gen, "application/json", make([]byte, 85))
	if c.bytes > 100 || len(c.entries) != 2 {
		t.Fatalf("%d bytes in %d entries, want at most 100 bytes (the two oldest dropped)", c.bytes, len(c.entries))
	}
	_, gen = c.get(key(5))
	c.put(key(5), gen, "application/json", make([]byte, statsCacheEntryMax+1))
	if e, _ := c.get(key(5)); e != nil {
		t.Fatal("an answer over statsCacheEntryMax was kept")
	}
}

// An answer computed while a notice about its unit (or a unit below) came is not kept: it may
// have been read before the change.
func TestStatsCacheSkipsAnswersOlderThanANotice(t *testing.T) {
	c := newStatsCache(time.Minute)
	village, sibling := statsKey{unit: "140802001001"}, statsKey{unit: "140802001002"}
	_, gen := c.get(village)
	_, gen2 := c.get(sibling)
	c.changed([]string{"140802001001003"})
	c.put(village, gen, "application/json", []byte("{}"))
	c.put(sibling, gen2, "application/json", []byte("{}"))
	if e, _ := c.get(village); e != nil {
		t.Error("an answer begun before a change below its unit was kept")
	}
	if e, _ := c.get(sibling); e == nil {
		t.Error("an answer about a unit beside the change was not kept")
	}
	c.touched = map[string]uint64{}
	for i := range statsCacheTouched + 1 {
		c.touched[fmt.Sprint(i)] = c.gen
	}
	_, gen = c.get(village)
	c.changed([]string{"140802002001001"}) // forgets touched: every answer begun before is skipped
	c.put(village, gen, "application/json", []byte("{}"))
	if e, _ := c.get(village); e != nil || len(c.touched) > 5 {
		t.Errorf("after forgetting the touched units: kept %v, %d remembered", e != nil, len(c.touched))
	}
}
