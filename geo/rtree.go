package geo

// A static R-tree over the polygons' bounding boxes, packed bottom-up by
// Sort-Tile-Recursive into flat arrays and searched without recursion.

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/paulmach/orb"
)

// nodeSize is the most children a node has: a node's hits fit a uint32
// mask, its children are a few cache lines read in order, and a city of
// 115,000 polygons is five levels of nodes. 8 and 32 measured no faster.
const nodeSize = 16

// maxStack bounds the search stack: a search holds at most nodeSize-1
// siblings per level, and 2^31 leaves (the most int32 can name) make eight
// levels.
const maxStack = 8 * nodeSize

// box32 is a bounding box rounded outwards to float32 and stored as
// order-preserving integer keys. Half the size of float64 halves the cache
// lines a walk reads; the metre or so of slack costs an occasional needless
// point-in-polygon test, never a wrong answer. Integer keys let a node test
// all its children without a branch each: Go compiles each float comparison
// to a branch (NaN must fail), their outcomes are unpredictable, and the
// float64 version walked the city's tree at half the speed.
type box32 struct{ minX, minY, maxX, maxY uint32 }

func newBox32(b orb.Bound) box32 {
	return box32{
		key32(down32(b.Min[0])), key32(down32(b.Min[1])),
		key32(up32(b.Max[0])), key32(up32(b.Max[1])),
	}
}

func down32(v float64) float32 {
	f := float32(v)
	if float64(f) > v {
		f = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	return f
}

func up32(v float64) float32 {
	f := float32(v)
	if float64(f) < v {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// key32 maps float32 to uint32 preserving order (-0 and +0 alike, NaN
// beyond the infinities). Rounding a float64 to float32 is monotone too, so
// a point inside a box before rounding is inside it after.
func key32(f float32) uint32 {
	if f == 0 {
		f = 0 // -0 becomes +0
	}
	u := math.Float32bits(f)
	if u>>31 != 0 {
		return ^u
	}
	return u | 1<<31
}

func unkey32(u uint32) float64 {
	if u>>31 != 0 {
		return float64(math.Float32frombits(u &^ (1 << 31)))
	}
	return float64(math.Float32frombits(^u))
}

// dist2 is the squared distance in metres from p to the box, with degrees
// scaled by kx and ky.
func (b *box32) dist2(p orb.Point, kx, ky float64) float64 {
	dx := max(unkey32(b.minX)-p[0], 0, p[0]-unkey32(b.maxX)) * kx
	dy := max(unkey32(b.minY)-p[1], 0, p[1]-unkey32(b.maxY)) * ky
	return dx*dx + dy*dy
}

// holds is 1 if the box holds the point with keys x and y, else 0, without
// a branch: the sign bit is set unless all four differences are >= 0.
func (b *box32) holds(x, y int64) uint32 {
	d := (x - int64(b.minX)) | (int64(b.maxX) - x) | (y - int64(b.minY)) | (int64(b.maxY) - y)
	return uint32(^d >> 63 & 1)
}

// rtree is a tree of boxes whose leaves carry the polygon they bound (28
// bytes a leaf), so the walk reaches a polygon's points without another
// dependent cache miss; that lookup cost a fifth of Covering's time.
type rtree struct {
	leaves []leafBox // in packed order
	nodes  []box32   // the lowest level first, the root last
	kids   []int32   // node j has children kids[2j] .. kids[2j+1]-1: leaves if j < low, else nodes
	low    int32
}

type leafBox struct {
	box32
	leaf
}

// packRTree builds the tree over bounds and returns it with order, the
// index in bounds of each leaf, whose leaf fields are left for the caller.
// A single leaf still gets a root node, so searches need not check.
func packRTree(bounds []orb.Bound) (t rtree, order []int32) {
	if len(bounds) == 0 {
		return rtree{}, nil
	}
	type item struct {
		b        orb.Bound
		ref, end int32 // a leaf's index in bounds; a node's children
	}
	level := make([]item, len(bounds))
	for i, b := range bounds {
		level[i] = item{b: b, ref: int32(i)}
	}
	centre := func(b orb.Bound, axis int) float64 { return b.Min[axis] + b.Max[axis] }
	byX := func(a, b item) int { return cmp.Compare(centre(a.b, 0), centre(b.b, 0)) }
	byY := func(a, b item) int { return cmp.Compare(centre(a.b, 1), centre(b.b, 1)) }

	nodes, n := 0, len(bounds)
	for n > 1 || nodes == 0 {
		n = (n + nodeSize - 1) / nodeSize
		nodes += n
	}
	t.leaves = make([]leafBox, len(bounds))
	t.nodes = make([]box32, 0, nodes)
	t.kids = make([]int32, 0, 2*nodes)
	order = make([]int32, len(bounds))
	for {
		// Sort-Tile-Recursive: vertical slices of whole nodes by centre x,
		// each slice by centre y, so runs of nodeSize are compact. Moving a
		// node moves its child range with it, so upper levels sort too.
		parents := (len(level) + nodeSize - 1) / nodeSize
		perSlice := int(math.Ceil(math.Sqrt(float64(parents)))) * nodeSize
		slices.SortFunc(level, byX)
		for i := 0; i < len(level); i += perSlice {
			slices.SortFunc(level[i:min(i+perSlice, len(level))], byY)
		}
		base := int32(len(t.nodes))
		if t.low == 0 {
			base = 0
			for i, it := range level {
				t.leaves[i].box32 = newBox32(it.b)
				order[i] = it.ref
			}
		} else {
			for _, it := range level {
				t.nodes = append(t.nodes, newBox32(it.b))
				t.kids = append(t.kids, it.ref, it.end)
			}
		}
		up := make([]item, 0, parents)
		for i := 0; i < len(level); i += nodeSize {
			end := min(i+nodeSize, len(level))
			b := level[i].b
			for _, c := range level[i+1 : end] {
				b = b.Union(c.b)
			}
			up = append(up, item{b, base + int32(i), base + int32(end)})
		}
		if t.low == 0 {
			t.low = int32(len(up))
		}
		level = up
		if len(level) == 1 {
			t.nodes = append(t.nodes, newBox32(level[0].b))
			t.kids = append(t.kids, level[0].ref, level[0].end)
			return t, order
		}
	}
}

// search calls visit with every leaf whose box holds p.
func (t *rtree) search(p orb.Point, visit func(l *leaf)) {
	if len(t.nodes) == 0 || p[0] != p[0] || p[1] != p[1] {
		return // NaN would have keys beyond every box, but why walk
	}
	x, y := int64(key32(float32(p[0]))), int64(key32(float32(p[1])))
	var stack [maxStack]int32
	stack[0] = int32(len(t.nodes) - 1)
	n := 1
	for n > 0 {
		n--
		j := stack[n]
		lo, hi := t.kids[2*j], t.kids[2*j+1]
		var inside uint32 // bit i: child lo+i holds p
		// Slicing once drops the bounds checks, and i&31 the check that a
		// shift is narrower than the mask.
		if j < t.low {
			kids := t.leaves[lo:hi]
			for i := range kids {
				inside |= kids[i].holds(x, y) << (i & 31)
			}
			for ; inside != 0; inside &= inside - 1 {
				visit(&kids[bits.TrailingZeros32(inside)].leaf)
			}
			continue
		}
		kids := t.nodes[lo:hi]
		for i := range kids {
			inside |= kids[i].holds(x, y) << (i & 31)
		}
		for ; inside != 0; inside &= inside - 1 {
			stack[n] = lo + int32(bits.TrailingZeros32(inside))
			n++
		}
	}
}

// nearest returns the id of the leaf with the least squared distance no
// greater than within2, the lowest id on a tie, and that distance; or -1.
// dist returns a leaf's squared distance, or any distance above the bound
// it is given when it cannot come within it.
func (t *rtree) nearest(p orb.Point, kx, ky, within2 float64, dist func(l *leaf, bound2 float64) float64) (int32, float64) {
	if len(t.nodes) == 0 {
		return -1, 0
	}
	best := int32(-1)
	var stack [maxStack]int32
	stack[0] = int32(len(t.nodes) - 1)
	n := 1
	for n > 0 {
		n--
		j := stack[n]
		if t.nodes[j].dist2(p, kx, ky) > within2 {
			continue // the bound shrank since this node was pushed
		}
		lo, hi := t.kids[2*j], t.kids[2*j+1]
		if j >= t.low {
			for c := lo; c < hi; c++ {
				if t.nodes[c].dist2(p, kx, ky) <= within2 {
					stack[n] = c
					n++
				}
			}
			continue
		}
		for c := lo; c < hi; c++ {
			lb := &t.leaves[c]
			if lb.dist2(p, kx, ky) > within2 {
				continue
			}
			if d := dist(&lb.leaf, within2); d < within2 || (d == within2 && (best < 0 || lb.id < best)) {
				best, within2 = lb.id, d
			}
		}
	}
	if best < 0 {
		return -1, 0
	}
	return best, within2
}
