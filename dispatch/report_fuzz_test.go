package dispatch

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzCatalogue is a catalogue with a category a grid worker may close, one it may not, and one
// retired.
var fuzzCatalogue = map[string]Category{
	"neighbour": {Code: "neighbour", Group: "dispute", NameZH: "邻里纠纷", NameEN: "Neighbour dispute", StartLevel: 3, GridMayClose: true, Active: true},
	"land":      {Code: "land", Group: "dispute", NameZH: "土地纠纷", NameEN: "Land dispute", StartLevel: 2, Active: true},
	"retired":   {Code: "retired", Group: "other", NameZH: "旧", NameEN: "Old", StartLevel: 3},
}

var fuzzNow = time.Date(2026, 11, 22, 0, 30, 0, 0, time.UTC)

const fuzzPhoto = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// FuzzReportCheck checks that Report.check never panics, that it refuses with a
// ValidationError naming a field and saying why, and that every report it accepts keeps the
// bounds of docs/protocol.md: a UUID client id, an active category, 1-2,000 characters of
// UTF-8 without NUL, WGS84 coordinates, an accuracy of 0-100 km, a time in the last 90 days,
// at most 9 distinct photo hashes.
func FuzzReportCheck(f *testing.F) {
	type seed struct {
		clientID, category, severity, description, note, photos string
		lon, lat, accuracy                                      float64
		ageSeconds                                              int64
		onSpot                                                  bool
	}
	for _, s := range []seed{
		{"6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "neighbour", "normal", "两户因排水沟发生争执", "", "", 111.02, 35.02, 12, 3600, false},
		{"6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F", "neighbour", "urgent", "fixed on the spot", "劝解双方", fuzzPhoto, -180, 90, 0, -599, true},
		{"6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "land", "normal", strings.Repeat("争", MaxDescriptionChars), "", fuzzPhoto + "," + fuzzPhoto, 180, -90, 1e5, 89 * 86400, true},
		{"6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f\n", "retired", "URGENT", "a\x00b", "\xff", strings.Repeat(fuzzPhoto+",", 10), 1e308, -1e-308, -0.5, -1 << 62, false},
		{"'; DROP TABLE events;--", "neighbour' OR '1'='1", "normal", "<script>alert(1)</script>", "{{.}}", "../../etc/passwd", 181, 91, 1e300, 1 << 62, false},
		{"", "", "", "", "", "", 0, 0, 0, 0, false},
	} {
		f.Add(s.clientID, s.category, s.severity, s.description, s.note, s.photos, s.lon, s.lat, s.accuracy, s.ageSeconds, s.onSpot)
	}
	f.Fuzz(func(t *testing.T, clientID, category, severity, description, note, photos string,
		lon, lat, accuracy float64, ageSeconds int64, onSpot bool) {
		r := Report{ClientID: clientID, ReporterID: 7, Category: category, Severity: severity, Description: description,
			Lon: lon, Lat: lat, AccuracyM: accuracy, HappenedAt: fuzzNow.Add(-time.Duration(ageSeconds) * time.Second),
			HandledOnSpot: onSpot, OnSpotNote: note}
		if photos != "" {
			r.Photos = strings.Split(photos, ",")
		}
		err := r.check(fuzzCatalogue, fuzzNow)
		if err != nil {
			ve, ok := errors.AsType[*ValidationError](err)
			if !ok || !errors.Is(err, ErrInvalidReport) || ve.Field == "" || ve.Message == "" {
				t.Fatalf("refused with %#v; want a ValidationError with a field and a message", err)
			}
			return
		}
		cat := fuzzCatalogue[r.Category]
		n := utf8.RuneCountInString(r.Description)
		switch {
		case !uuidPattern.MatchString(r.ClientID):
			t.Fatalf("client id %q is not a UUID", r.ClientID)
		case !cat.Active:
			t.Fatalf("category %q is not an active one", r.Category)
		case r.Severity != "normal" && r.Severity != "urgent":
			t.Fatalf("severity %q", r.Severity)
		case !utf8.ValidString(r.Description) || n < 1 || n > MaxDescriptionChars || strings.ContainsRune(r.Description, 0):
			t.Fatalf("description of %d characters, UTF-8 %v", n, utf8.ValidString(r.Description))
		case !utf8.ValidString(r.OnSpotNote) || utf8.RuneCountInString(r.OnSpotNote) > MaxNoteChars || strings.ContainsRune(r.OnSpotNote, 0):
			t.Fatalf("on-spot note %q", r.OnSpotNote)
		case math.IsNaN(r.Lon) || math.IsNaN(r.Lat) || math.Abs(r.Lon) > 180 || math.Abs(r.Lat) > 90:
			t.Fatalf("point %v %v outside WGS84", r.Lon, r.Lat)
		case !(r.AccuracyM >= 0 && r.AccuracyM <= 1e5):
			t.Fatalf("accuracy %v", r.AccuracyM)
		case r.HappenedAt.After(fuzzNow.Add(maxClockSkew)) || r.HappenedAt.Before(fuzzNow.Add(-maxReportAge)):
			t.Fatalf("happened at %v, now %v", r.HappenedAt, fuzzNow)
		case r.HandledOnSpot && !cat.GridMayClose:
			t.Fatalf("%s closed on the spot", r.Category)
		case len(r.Photos) > MaxReportPhotos:
			t.Fatalf("%d photos", len(r.Photos))
		}
		seen := map[string]bool{}
		for _, h := range r.Photos {
			if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" || seen[h] {
				t.Fatalf("photo %q not a distinct SHA-256", h)
			}
			seen[h] = true
		}
	})
}

// TestReportCheckRefusesNUL: a NUL in a description passed check, failed the commit in
// PostgreSQL, and was answered "unavailable", so the phone resent it for ever.
func TestReportCheckRefusesNUL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ field, description, note string }{
		{"description", "两户\x00争执", ""},
		{"on_spot_note", "两户争执", "\x00"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			r := Report{ClientID: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", ReporterID: 7, Category: "neighbour",
				Severity: "normal", Description: tc.description, OnSpotNote: tc.note, Lon: 111, Lat: 35,
				HappenedAt: fuzzNow.Add(-time.Hour)}
			err := r.check(fuzzCatalogue, fuzzNow)
			if ve, ok := errors.AsType[*ValidationError](err); !ok || ve.Field != tc.field {
				t.Fatalf("got %v; want a ValidationError of %s", err, tc.field)
			}
		})
	}
}
