package geo

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// CRS is a geographic coordinate system a county's map data may come in (docs/grid.md, "The
// datum question"). The grid is kept in WGS84 (EPSG:4326), which is what phones report.
type CRS string

// The coordinate systems an import may be in.
const (
	// WGS84 is EPSG:4326, what GPS receivers and phones report.
	WGS84 CRS = "wgs84"
	// CGCS2000 is EPSG:4490, China's national datum since 2008 (天地图, most government GIS).
	// It differs from WGS84 by a few centimetres, far below a micro-grid, so it is taken as is.
	CGCS2000 CRS = "cgcs2000"
	// GCJ02 is 国测局坐标 ("Mars coordinates": AMap/高德, Tencent, Google China): WGS84 offset by a
	// published obfuscation, 100-700 m depending on the place.
	GCJ02 CRS = "gcj02"
	// BD09 is Baidu's: GCJ-02 offset once more, about 1 km from WGS84 in all.
	BD09 CRS = "bd09"
)

// CRSNames lists the coordinate systems ParseCRS takes.
var CRSNames = []CRS{WGS84, CGCS2000, GCJ02, BD09}

// ParseCRS reads a coordinate system's name as the import flag gives it.
func ParseCRS(s string) (CRS, error) {
	c := CRS(strings.ToLower(strings.TrimSpace(s)))
	switch c {
	case WGS84, CGCS2000, GCJ02, BD09:
		return c, nil
	case "gcj-02":
		return GCJ02, nil
	case "bd-09":
		return BD09, nil
	}
	return "", fmt.Errorf("%w: %q; want one of wgs84, cgcs2000, gcj02, bd09", ErrUnknownCRS, s)
}

// ToWGS84 converts a point of this coordinate system to WGS84.
func (c CRS) ToWGS84(p orb.Point) orb.Point {
	switch c {
	case GCJ02:
		return GCJ02ToWGS84(p)
	case BD09:
		return GCJ02ToWGS84(BD09ToGCJ02(p))
	}
	return p
}

// MultiPolygonToWGS84 converts every vertex of mp to WGS84, in place.
func (c CRS) MultiPolygonToWGS84(mp orb.MultiPolygon) {
	if c == WGS84 || c == CGCS2000 || c == "" {
		return
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for i, p := range ring {
				ring[i] = c.ToWGS84(p)
			}
		}
	}
}

// The GCJ-02 obfuscation as published (the "eviltransform" algorithm): a position-dependent
// offset on the Krasovsky 1940 ellipsoid, applied only inside a rough box around China.
const (
	krasovskyA  = 6378245.0
	krasovskyE2 = 0.00669342162296594323
)

// InChina is the rough box inside which GCJ-02 differs from WGS84; outside it both are the same.
func InChina(p orb.Point) bool {
	return p[0] >= 72.004 && p[0] <= 137.8347 && p[1] >= 0.8293 && p[1] <= 55.8271
}

// WGS84ToGCJ02 applies the GCJ-02 offset to a WGS84 point.
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if !InChina(p) {
		return p
	}
	dLon, dLat := gcjOffset(p[0], p[1])
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// GCJ02ToWGS84 removes the GCJ-02 offset. The offset has no closed inverse, so the WGS84 point
// is found by iterating until its GCJ-02 image is within 1e-10 degrees (about 0.01 mm) of p;
// three or four rounds suffice.
func GCJ02ToWGS84(p orb.Point) orb.Point {
	if !InChina(p) {
		return p
	}
	w := p
	for range 30 {
		g := WGS84ToGCJ02(w)
		dLon, dLat := g[0]-p[0], g[1]-p[1]
		w = orb.Point{w[0] - dLon, w[1] - dLat}
		if math.Abs(dLon) < 1e-10 && math.Abs(dLat) < 1e-10 {
			break
		}
	}
	return w
}

func gcjOffset(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105.0, lat-35.0
	dLat = -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLon = 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	common := (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLat += common + (20.0*math.Sin(y*math.Pi)+40.0*math.Sin(y/3.0*math.Pi))*2.0/3.0 +
		(160.0*math.Sin(y/12.0*math.Pi)+320.0*math.Sin(y*math.Pi/30.0))*2.0/3.0
	dLon += common + (20.0*math.Sin(x*math.Pi)+40.0*math.Sin(x/3.0*math.Pi))*2.0/3.0 +
		(150.0*math.Sin(x/12.0*math.Pi)+300.0*math.Sin(x/30.0*math.Pi))*2.0/3.0
	rad := lat / 180.0 * math.Pi
	magic := 1 - krasovskyE2*math.Sin(rad)*math.Sin(rad)
	sqrtMagic := math.Sqrt(magic)
	dLat = dLat * 180.0 / (krasovskyA * (1 - krasovskyE2) / (magic * sqrtMagic) * math.Pi)
	dLon = dLon * 180.0 / (krasovskyA / sqrtMagic * math.Cos(rad) * math.Pi)
	return dLon, dLat
}

// bdPi is the constant of Baidu's published BD-09 transform.
const bdPi = math.Pi * 3000.0 / 180.0

// GCJ02ToBD09 applies Baidu's BD-09 offset to a GCJ-02 point.
func GCJ02ToBD09(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// BD09ToGCJ02 removes Baidu's BD-09 offset, as Baidu publishes it.
func BD09ToGCJ02(p orb.Point) orb.Point {
	x, y := p[0]-0.0065, p[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdPi)
	return orb.Point{z * math.Cos(theta), z * math.Sin(theta)}
}
