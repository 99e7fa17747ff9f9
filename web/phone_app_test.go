package web_test

import (
	"context"
	"encoding/json"
	"testing"
)

// TestPhoneAppReportsOfflineExactlyOnce: in real Chromium at a phone's size, with a mocked GPS
// position, a grid worker signs in, goes offline, makes two reports, comes back online and sees
// both acknowledged with case numbers; each is in PostgreSQL exactly once, with one case.
func TestPhoneAppReportsOfflineExactlyOnce(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withBrowser("phone"))
	out := browserScript(t, "phone_offline.mjs", nil, "BASE_URL="+fx.base, "PHONE=13900000001", "PASSWORD="+password,
		"LON=111.02", "LAT=35.02")
	var got struct {
		Reports []struct {
			ClientID string `json:"client_id"`
			CaseID   int64  `json:"case_id"`
		} `json:"reports"`
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got.Reports) != 2 {
		t.Fatalf("script output %q: %v", out, err)
	}
	ctx := context.Background()
	for _, r := range got.Reports {
		var events, cases int
		var caseID int64
		err := fx.pool.QueryRow(ctx, `SELECT count(DISTINCT e.id), count(c.id), coalesce(min(c.id), 0)
			FROM events e LEFT JOIN cases c ON c.event_id = e.id WHERE e.client_id = $1`, r.ClientID).Scan(&events, &cases, &caseID)
		if err != nil {
			t.Fatal(err)
		}
		if events != 1 || cases != 1 || caseID != r.CaseID {
			t.Errorf("report %s: %d events, %d cases, case %d (the phone shows %d)", r.ClientID, events, cases, caseID, r.CaseID)
		}
	}
	var total int
	if err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&total); err != nil || total != 2 {
		t.Fatalf("events stored: %d (%v), want 2", total, err)
	}
	var photos int
	if err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM event_photos JOIN photos USING (sha256)
		WHERE content_type = 'image/png'`).Scan(&photos); err != nil || photos != 1 {
		t.Fatalf("photos attached: %d (%v), want the one picked offline", photos, err)
	}
	var urgent, verbatim int
	err := fx.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE severity = 'urgent'),
		count(*) FILTER (WHERE description = '两户因排水沟发生争执，需村调解。<b>原样</b>') FROM events`).Scan(&urgent, &verbatim)
	if err != nil || urgent != 1 || verbatim != 1 {
		t.Fatalf("urgent %d, stored verbatim %d (%v)", urgent, verbatim, err)
	}
}

// TestPhoneAppShowsCaseProgressLive: a transition committed on the server (here, closing the
// case with its outbox row, as the mediation workflow will) travels through the outbox relay
// and NATS to the reporter's phone, which shows it without a reload.
func TestPhoneAppShowsCaseProgressLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("phone"), withLive())

	closed := false
	browserScript(t, "phone_live.mjs", func(line string) {
		var msg struct {
			CaseID int64 `json:"case_id"`
			Closed int64 `json:"closed"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil {
			return
		}
		if msg.Closed != 0 {
			closed = true
		}
		if msg.CaseID == 0 {
			return
		}
		_, err := fx.pool.Exec(ctx, `WITH c AS (
				UPDATE cases SET state = 'closed', closed_at = now(), version = version + 1 WHERE id = $1
				RETURNING id, event_id, state, level, centre_code, unit_code)
			INSERT INTO outbox (subject, payload)
			SELECT 'case.closed.' || substr(unit_code, 1, 6) || '.' || substr(unit_code, 7, 3) || '.' || substr(unit_code, 10, 3)
			           || '.' || substr(unit_code, 13, 3) || '.' || substr(unit_code, 16, 3),
			       jsonb_build_object('case_id', c.id, 'event_id', c.event_id, 'state', c.state, 'level', c.level,
			                          'centre', c.centre_code, 'unit', c.unit_code, 'category', 'rubbish',
			                          'reporter', (SELECT reporter_id FROM events WHERE id = c.event_id))
			FROM c`, msg.CaseID)
		if err != nil {
			t.Errorf("closing case %d: %v", msg.CaseID, err)
		}
	}, "BASE_URL="+fx.base, "PHONE=13900000001", "PASSWORD="+password, "LON=111.02", "LAT=35.02")
	if !closed {
		t.Fatal("the phone never showed the case closed")
	}
}

// TestPhoneAppShowsRefusedReports: in Chromium, reports the server refuses before reading their
// fields (left in the outbox by an older app) are answered with their ids, shown as 被拒收 with
// the field at fault, and never sent again, while the good ones are acknowledged.
func TestPhoneAppShowsRefusedReports(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withBrowser("phone"))
	out := browserScript(t, "phone_refused.mjs", nil, "BASE_URL="+fx.base, "PHONE=13900000001", "PASSWORD="+password,
		"LON=111.02", "LAT=35.02")
	var got struct {
		Good    string   `json:"good"`
		Refused []string `json:"refused"`
	}
	if err := json.Unmarshal(out, &got); err != nil || got.Good == "" || len(got.Refused) != 2 {
		t.Fatalf("script output %q: %v", out, err)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM events WHERE client_id::text = ANY($1)`, got.Refused); n != 0 {
		t.Fatalf("%d refused reports stored", n)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM events e JOIN cases c ON c.event_id = e.id WHERE e.client_id = $1::uuid`, got.Good); n != 1 {
		t.Fatalf("the good report: %d events with a case, want 1", n)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM events`); n != 2 {
		t.Fatalf("%d events stored, want the 2 good ones", n)
	}
}
