package web

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/griddispatch/griddispatch/grid"
)

// inboundSeeds are frames from docs/protocol.md and docs/cases-api.md, and frames meant to
// break the decoder.
var inboundSeeds = []string{
	`{"type":"report","id":"r1","report":{"client_id":"6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f","category":"neighbour",
	  "severity":"normal","description":"两户因排水沟发生争执","lon":111.02,"lat":35.02,"accuracy_m":12,
	  "happened_at":"2026-11-22T08:30:00+08:00","handled_on_spot":false,"on_spot_note":"","photos":["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]}}`,
	`{"type":"report","id":"` + strings.Repeat("x", 64) + `","report":{"happened_at":"2026-11-22T00:30:00Z","photos":[]}}`,
	`{"type":"report","id":"` + strings.Repeat("x", 65) + `","report":{}}`,
	`{"type":"report","id":"r1"}`,
	`{"type":"subscribe","id":"s1","centre":"140802001"}`,
	`{"type":"subscribe","id":"s2","subtree":"140802","stats":true}`,
	`{"type":"unsubscribe","id":"s2","subtree":"140802001001001001"}`,
	`{"type":"subscribe","id":"s3","centre":"140802001001001"}`,
	`{"type":"subscribe","id":"s4","centre":"140802","subtree":"140802"}`,
	`{"type":"subscribe","id":"s5","centre":"140802","stats":true}`,
	`{"type":"subscribe","id":"s6","subtree":"１４０８０２"}`,
	`{"type":"report","id":"r1","report":{"lon":1e400}}`,
	`{"type":"report","id":"r1","report":{"lon":"NaN","lat":-Infinity}}`,
	`{"type":"report","id":"r1","report":{"happened_at":"10000-01-01T00:00:00Z"}}`,
	`{"type":"report","id":"r1","report":{"description":"a\u0000b<script>alert(1)</script>'; DROP TABLE events;--"}}`,
	"{\"type\":\"report\",\"id\":\"\xff\xfe\",\"report\":{\"description\":\"\xc3\x28\"}}",
	`{"type":"report","id":"r1","report":{}}{"type":"report"}`,
	`{"type":"report","id":"r1","report":{},"extra":1}`,
	`{"type":"ping"}`, `{"type":"hello","protocol":1}`, `{"TYPE":"REPORT","ID":"r1","Report":{}}`,
	`null`, `[]`, `""`, `{}`, ``, "\x00", `{"type":"report","id":"r1","report":` + strings.Repeat(`{"a":`, 2000),
	`[` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `]`,
}

// FuzzDecodeInbound checks the websocket decoder: it never panics; a refused frame is answered
// with an error frame of a documented code, a message, the frame's id whenever the frame is a
// well-formed object with one, a field for a refused report, and not retryable; an
// accepted one is a report with an id and a report object, or a subscription with an id and one
// unit code of a level it may name; and an accepted message encoded again decodes the same.
func FuzzDecodeInbound(f *testing.F) {
	for _, s := range inboundSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ef := decodeInbound(data)
		if ef != nil {
			checkErrorFrame(t, data, m, ef)
			return
		}
		checkInbound(t, m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("accepted message does not encode: %v", err)
		}
		again, ef := decodeInbound(b)
		if ef != nil {
			t.Fatalf("accepted message encoded as %s is refused: %+v", b, ef)
		}
		if !sameInbound(m, again) {
			t.Fatalf("round trip changed the message:\n%+v\n%+v", m, again)
		}
	})
}

func checkErrorFrame(t *testing.T, data []byte, m inbound, ef *errorFrame) {
	t.Helper()
	id, hasID := topLevelID(data)
	switch {
	case ef.Type != "error" || (ef.Code != "bad_message" && ef.Code != "unknown_type" && ef.Code != "invalid_report"):
		t.Fatalf("error frame of type %q code %q", ef.Type, ef.Code)
	case ef.Code == "invalid_report" && ef.Field == "":
		t.Fatalf("a refused report without the field at fault: %+v", ef)
	case ef.Message == "" || ef.Retryable:
		t.Fatalf("error frame %+v: no message, or retryable", ef)
	case ef.ID != m.ID:
		t.Fatalf("error frame id %q; the message's is %q", ef.ID, m.ID)
	case hasID && ef.ID != id:
		t.Fatalf("error frame id %q; the frame's is %q", ef.ID, id)
	}
	b, err := json.Marshal(ef)
	if err != nil || !json.Valid(b) || !utf8.Valid(b) {
		t.Fatalf("error frame does not encode as JSON: %v", err)
	}
}

// topLevelID reads a frame's id by encoding/json's token stream, apart from the decoder under
// test: the one member named exactly "id" of a well-formed UTF-8 object, a string of 1 to
// maxMessageID bytes (not one with an escaped lone surrogate, which encoding/json replaces).
func topLevelID(data []byte) (string, bool) {
	if !json.Valid(data) || !utf8.Valid(data) {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	var id string
	ids := 0
	for dec.More() {
		name, err := dec.Token()
		if err != nil {
			return "", false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", false
		}
		if name == "id" {
			ids++
			if json.Unmarshal(v, &id) != nil {
				return "", false
			}
		}
	}
	ok := ids == 1 && len(id) > 0 && len(id) <= maxMessageID && !strings.ContainsRune(id, utf8.RuneError)
	return id, ok
}

func checkInbound(t *testing.T, m inbound) {
	t.Helper()
	if len(m.ID) == 0 || len(m.ID) > maxMessageID || !utf8.ValidString(m.ID) {
		t.Fatalf("accepted id %q", m.ID)
	}
	switch m.Type {
	case "report":
		if m.Report == nil {
			t.Fatal("report accepted without a report object")
		}
		for _, s := range append([]string{m.Report.ClientID, m.Report.Category, m.Report.Severity,
			m.Report.Description, m.Report.OnSpotNote}, m.Report.Photos...) {
			if !utf8.ValidString(s) {
				t.Fatalf("report text %q is not UTF-8", s)
			}
		}
	case "subscribe", "unsubscribe":
		code := m.Centre + m.Subtree
		l := grid.LevelOfCode(code)
		switch {
		case (m.Centre == "") == (m.Subtree == ""):
			t.Fatalf("subscription to centre %q and subtree %q", m.Centre, m.Subtree)
		case strings.Trim(code, "0123456789") != "" || l == 0:
			t.Fatalf("subscription to %q, not a unit code", code)
		case m.Centre != "" && l > grid.Village:
			t.Fatalf("centre %q below the village tier", code)
		case m.Stats && m.Subtree == "":
			t.Fatal("stats without a subtree")
		}
	default:
		t.Fatalf("type %q accepted", m.Type)
	}
}

// sameInbound compares two messages; times compare as instants with the same offset, since
// each decoding makes a zone of its own.
func sameInbound(a, b inbound) bool {
	if (a.Report == nil) != (b.Report == nil) {
		return false
	}
	if a.Report != nil {
		ra, rb := *a.Report, *b.Report
		_, oa := ra.HappenedAt.Zone()
		_, ob := rb.HappenedAt.Zone()
		if !ra.HappenedAt.Equal(rb.HappenedAt) || oa != ob {
			return false
		}
		ra.HappenedAt, rb.HappenedAt = ra.HappenedAt.UTC(), rb.HappenedAt.UTC()
		a.Report, b.Report = &ra, &rb
	}
	return reflect.DeepEqual(a, b)
}

// TestDecodeInboundTrailingData: a frame of two JSON values was taken for its first; it is
// refused now, like an HTTP body with data after the object.
func TestDecodeInboundTrailingData(t *testing.T) {
	t.Parallel()
	_, ef := decodeInbound([]byte(`{"type":"report","id":"r1","report":{}}{"type":"report"}`))
	if ef == nil || ef.Code != "bad_message" {
		t.Fatalf("got %+v; want bad_message", ef)
	}
}
