package web

import (
	"bytes"
	"container/list"
	"net/http"
	"sync"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// The per-view cache of the dashboard's figures (docs/deploy.md "The per-view cache"): the
// JSON answers of summary, units, trend, categories and tiers, for a few seconds. A `stats`
// notice drops the answers about the units it names or a unit above them, at once; the TTL
// bounds what a notice cannot say (a replica that has not replayed the change yet, a notice
// lost with a NATS connection). Jurisdiction is checked before (guard), on every request.

// Bounds of the cache.
const (
	statsCacheTTL      = 5 * time.Second
	statsCacheEntries  = 4096
	statsCacheBytes    = 32 << 20
	statsCacheEntryMax = 1 << 20 // a larger answer is not kept
	// statsCacheTouched bounds the units remembered as changed since a request began.
	statsCacheTouched = 50_000
)

// statsKey is everything that changes a cached answer's body.
type statsKey struct {
	route, unit, category, from, to, by, lang, today string
}

type statsEntry struct {
	key     statsKey
	body    []byte
	ctype   string
	expires time.Time
}

// statsCache is an LRU of answers bounded in entries and bytes, each kept for ttl.
type statsCache struct {
	ttl        time.Duration
	maxEntries int
	maxBytes   int
	now        func() time.Time

	mu      sync.Mutex
	entries map[statsKey]*list.Element
	byUnit  map[string]map[statsKey]struct{}
	lru     list.List // front: most recently used
	bytes   int
	// gen counts notices; touched is the gen of the last notice about each unit (or a unit
	// below it) and floor the gen below which touched has been forgotten. An answer computed
	// while a notice about its unit came is not kept: it may predate the change.
	gen, floor uint64
	touched    map[string]uint64
}

func newStatsCache(ttl time.Duration) *statsCache {
	if ttl <= 0 {
		ttl = statsCacheTTL
	}
	return &statsCache{ttl: ttl, maxEntries: statsCacheEntries, maxBytes: statsCacheBytes, now: time.Now,
		entries: map[statsKey]*list.Element{}, byUnit: map[string]map[statsKey]struct{}{}, touched: map[string]uint64{}}
}

// get returns a live answer, and the generation to pass to put when there is none.
func (c *statsCache) get(k statsKey) (*statsEntry, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[k]; ok {
		e := el.Value.(*statsEntry)
		if c.now().Before(e.expires) {
			c.lru.MoveToFront(el)
			return e, c.gen
		}
		c.remove(el)
	}
	return nil, c.gen
}

// put keeps an answer computed from generation gen on, unless a notice about its unit came
// since.
func (c *statsCache) put(k statsKey, gen uint64, ctype string, body []byte) {
	if len(body) > statsCacheEntryMax {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen < c.floor || c.touched[k.unit] > gen {
		return
	}
	if el, ok := c.entries[k]; ok {
		c.remove(el)
	}
	e := &statsEntry{key: k, body: body, ctype: ctype, expires: c.now().Add(c.ttl)}
	c.entries[k] = c.lru.PushFront(e)
	if c.byUnit[k.unit] == nil {
		c.byUnit[k.unit] = map[statsKey]struct{}{}
	}
	c.byUnit[k.unit][k] = struct{}{}
	c.bytes += len(body)
	for len(c.entries) > c.maxEntries || c.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
}

func (c *statsCache) remove(el *list.Element) {
	e := el.Value.(*statsEntry)
	c.lru.Remove(el)
	delete(c.entries, e.key)
	if set := c.byUnit[e.key.unit]; set != nil {
		delete(set, e.key)
		if len(set) == 0 {
			delete(c.byUnit, e.key.unit)
		}
	}
	c.bytes -= len(e.body)
}

// changed drops the answers about the units named (the stats applier names the deepest unit
// of each change: a grid, or the unit above it when the case has none) and about every unit
// above them.
func (c *statsCache) changed(units []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if len(c.touched) > statsCacheTouched {
		clear(c.touched)
		c.floor = c.gen
	}
	for _, u := range units {
		for _, a := range ancestorsOf(u) {
			c.touched[a] = c.gen
			for k := range c.byUnit[a] {
				c.remove(c.entries[k])
			}
		}
	}
}

// ancestorsOf is the code's county, township, village and grid, as far as the code reaches
// (a unit's code begins with its parent's).
func ancestorsOf(code string) []string {
	var out []string
	for l := grid.County; l <= grid.Grid && l.CodeLength() <= len(code); l++ {
		out = append(out, code[:l.CodeLength()])
	}
	return out
}

// statsRecorder keeps what a handler writes, to be cached and then sent.
type statsRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *statsRecorder) Header() http.Header { return r.header }
func (r *statsRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *statsRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// cachedStats answers a JSON question from the cache, or asks fn and keeps its answer; files
// (csv, xlsx) are not kept. The Server-Timing header says which.
func (s *Server) cachedStats(fn func(http.ResponseWriter, *http.Request, statsRequest) error) func(http.ResponseWriter, *http.Request, statsRequest) error {
	return func(w http.ResponseWriter, r *http.Request, req statsRequest) error {
		if req.format != "json" || s.statsCache == nil {
			return fn(w, r, req)
		}
		k := statsKey{route: r.Pattern, unit: req.Unit, category: req.Category, from: req.From.Format(time.DateOnly),
			to: req.To.Format(time.DateOnly), by: req.by, lang: req.lang, today: req.today.Format(time.DateOnly)}
		e, gen := s.statsCache.get(k)
		if e != nil {
			w.Header().Set("Server-Timing", "cache;desc=hit")
			w.Header().Set("Content-Type", e.ctype)
			_, _ = w.Write(e.body)
			return nil
		}
		rec := &statsRecorder{header: http.Header{}}
		if err := fn(rec, r, req); err != nil {
			return err
		}
		if rec.status == http.StatusOK {
			s.statsCache.put(k, gen, rec.header.Get("Content-Type"), bytes.Clone(rec.body.Bytes()))
		}
		for name, v := range rec.header {
			w.Header()[name] = v
		}
		w.Header().Set("Server-Timing", "cache;desc=miss")
		if rec.status != 0 {
			w.WriteHeader(rec.status)
		}
		_, _ = w.Write(rec.body.Bytes())
		return nil
	}
}

// statsUnitsChanged is the stats notice's path through this process: the cache drops what it
// held about the units first, so that the dashboards told next reload fresh figures.
func (s *Server) statsUnitsChanged(units []string) {
	if s.statsCache != nil {
		s.statsCache.changed(units)
	}
	s.hub.deliverStats(units)
}
