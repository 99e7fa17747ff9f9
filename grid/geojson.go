package grid

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/geo"
)

// MaxGeoJSONBytes bounds an import file; a whole city at full detail is well below it.
const MaxGeoJSONBytes = 1 << 30

// FeatureError names the feature of an import file that is wrong, and why.
type FeatureError struct {
	Index int    // 0-based position in the file's "features" array
	Code  string // the feature's code, when it has one
	Err   error
}

func (e *FeatureError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("feature %d (code %s): %v", e.Index, e.Code, e.Err)
	}
	return fmt.Sprintf("feature %d: %v", e.Index, e.Err)
}

func (e *FeatureError) Unwrap() error { return e.Err }

// unitProperties is the properties object of a unit feature. Pointers tell missing from zero.
type unitProperties struct {
	Code       *string `json:"code"`
	Name       *string `json:"name"`
	Level      *int    `json:"level"`
	ParentCode *string `json:"parent_code"`
	Population *int    `json:"population,omitempty"`
	Households *int    `json:"households,omitempty"`
	// MediationCentre false: no mediation centre works at this unit (levels 1-3); absent: one does.
	MediationCentre *bool `json:"mediation_centre,omitempty"`
}

// ReadGeoJSON parses a FeatureCollection of units in WGS84 (or in the coordinate system its
// crs member names) and checks each feature on its own and against the others in the file
// (duplicate codes). Whether parents exist is for the store to decide, since they may already
// be stored.
func ReadGeoJSON(r io.Reader) ([]Unit, error) {
	units, _, err := ReadGeoJSONAs(r, "")
	return units, err
}

// ReadGeoJSONAs is ReadGeoJSON for a file whose coordinates are in crs ("" for what the file's
// crs member says, else WGS84); they are converted to WGS84 as they are read. It returns the
// coordinate system it took them to be. A crs member that is not a geographic system it reads,
// or that contradicts crs, is an error, never ignored (docs/grid.md, "The datum question").
func ReadGeoJSONAs(r io.Reader, crs geo.CRS) ([]Unit, geo.CRS, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxGeoJSONBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("read GeoJSON: %w", err)
	}
	if len(data) > MaxGeoJSONBytes {
		return nil, "", fmt.Errorf("%w: file is larger than %d bytes", ErrBadGeoJSON, MaxGeoJSONBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark, as Windows tools write
	var doc struct {
		Type     string            `json:"type"`
		CRS      json.RawMessage   `json:"crs"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrBadGeoJSON, err)
	}
	if doc.Type != "FeatureCollection" {
		return nil, "", fmt.Errorf("%w: type is %q; want FeatureCollection", ErrBadGeoJSON, doc.Type)
	}
	if crs, err = resolveCRS(doc.CRS, crs); err != nil {
		return nil, "", err
	}
	units, err := readFeatures(doc.Features, crs)
	return units, crs, err
}

// readFeatures reads every feature, and every problem of them (FeatureProblems): the units
// read are returned with the problems, for a report of what else is wrong.
func readFeatures(features []json.RawMessage, crs geo.CRS) ([]Unit, error) {
	c := newCollected(crs, "feature", len(features))
	for i, raw := range features {
		u, err := readFeature(raw)
		c.add(i, u, err)
	}
	return c.result()
}

func readFeature(raw json.RawMessage) (Unit, error) {
	var f struct {
		Type       string          `json:"type"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return Unit{}, fmt.Errorf("%w: %v", ErrBadGeoJSON, err)
	}
	if f.Type != "Feature" {
		return Unit{}, fmt.Errorf("%w: type is %q; want Feature", ErrBadGeoJSON, f.Type)
	}
	var p unitProperties
	if len(f.Properties) == 0 || string(f.Properties) == "null" {
		return Unit{}, fmt.Errorf("%w: properties are missing", ErrInvalidUnit)
	}
	if err := json.Unmarshal(f.Properties, &p); err != nil {
		return Unit{}, fmt.Errorf("%w: properties: %v", ErrInvalidUnit, err)
	}
	u, err := p.unit()
	if err != nil {
		return u, err
	}
	u.Geom, err = readGeometry(f.Geometry)
	return u, err
}

func (p unitProperties) unit() (Unit, error) {
	var u Unit
	switch {
	case p.Code == nil:
		return u, fmt.Errorf("%w: property code is missing", ErrInvalidUnit)
	case p.Level == nil:
		return Unit{Code: *p.Code}, fmt.Errorf("%w: property level is missing", ErrInvalidUnit)
	case p.Name == nil:
		return Unit{Code: *p.Code}, fmt.Errorf("%w: property name is missing", ErrInvalidUnit)
	}
	u = Unit{Code: *p.Code, Level: Level(*p.Level), Name: strings.TrimSpace(*p.Name),
		Population: p.Population, Households: p.Households}
	u.NoCentre = p.MediationCentre != nil && !*p.MediationCentre
	if p.ParentCode != nil {
		u.ParentCode = *p.ParentCode
	}
	if err := CheckCode(u.Code, u.Level, u.ParentCode); err != nil {
		return u, err
	}
	if err := checkAttributes(u); err != nil {
		return u, err
	}
	return u, nil
}

func checkAttributes(u Unit) error {
	if n := len([]rune(u.Name)); n == 0 || n > MaxNameLength {
		return fmt.Errorf("%w: name must have 1 to %d characters, has %d", ErrInvalidUnit, MaxNameLength, n)
	}
	if strings.ContainsRune(u.Name, 0) { // PostgreSQL text cannot hold NUL: the import would fail whole
		return fmt.Errorf("%w: name contains a NUL character", ErrInvalidUnit)
	}
	if u.Population != nil && *u.Population < 0 {
		return fmt.Errorf("%w: population %d is negative", ErrInvalidUnit, *u.Population)
	}
	if u.NoCentre && u.Level == County {
		return fmt.Errorf("%w: a county always has its mediation centre", ErrInvalidUnit)
	}
	if u.Households != nil && *u.Households < 0 {
		return fmt.Errorf("%w: households %d is negative", ErrInvalidUnit, *u.Households)
	}
	return nil
}

func readGeometry(raw json.RawMessage) (orb.MultiPolygon, error) {
	mp, err := geo.DecodePolygonal(raw)
	if err != nil {
		return nil, geometryError(err)
	}
	return mp, nil
}

// geometryError is geo's complaint about an imported geometry as the grid's: geo's message
// says what is wrong, ours says it is a grid geometry error.
func geometryError(err error) error {
	return fmt.Errorf("%w: %s", ErrBadGeometry, strings.TrimPrefix(err.Error(), geo.ErrBadGeometry.Error()+": "))
}

// featureWriter writes units as a FeatureCollection in the format ReadGeoJSON reads, one
// feature at a time, so a whole city is never held as one document.
type featureWriter struct {
	w     io.Writer
	count int
	err   error
}

func newFeatureWriter(w io.Writer) *featureWriter {
	fw := &featureWriter{w: w}
	_, fw.err = io.WriteString(w, `{"type":"FeatureCollection","features":[`+"\n")
	return fw
}

func (fw *featureWriter) write(u Unit) {
	if fw.err != nil {
		return
	}
	p := unitProperties{Code: &u.Code, Name: &u.Name, Level: (*int)(&u.Level),
		Population: u.Population, Households: u.Households}
	if u.NoCentre {
		p.MediationCentre = new(bool)
	}
	if u.ParentCode != "" {
		p.ParentCode = &u.ParentCode
	}
	feature := struct {
		Type       string         `json:"type"`
		Properties unitProperties `json:"properties"`
		Geometry   geo.Geometry   `json:"geometry"`
	}{"Feature", p, geo.EncodeMultiPolygon(u.Geom)}
	b, err := json.Marshal(feature)
	if err != nil {
		fw.err = err
		return
	}
	sep := ""
	if fw.count > 0 {
		sep = ",\n"
	}
	if _, fw.err = io.WriteString(fw.w, sep); fw.err == nil {
		_, fw.err = fw.w.Write(b)
	}
	fw.count++
}

func (fw *featureWriter) close() error {
	if fw.err != nil {
		return fw.err
	}
	_, err := io.WriteString(fw.w, "\n]}\n")
	return err
}
