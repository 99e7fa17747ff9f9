package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestPhoneUX walks the phone app through issue 15's five points in headless Chromium at 360 px
// (web/ui/e2e/phone_ux.mjs): the map in the report form with a pin dragged into the other
// micro-grid (the report carries the corrected place), offline outlines, a worker outside the
// grid; a 12-megapixel photo from the gallery downscaled before it is sent, with its progress;
// the form reset and the receipt (待发送, then 已送达 with the case number), 待发送 unlike 待受理,
// the 紧急 mark, the 核查通过 answer in view; 我的上报 paged past the first 100, searched, with
// descriptions and the case page's photos; 44-px tap targets and 退出 confirmed. With
// GRIDDISPATCH_SHOTS=dir it also saves screenshots at 360 and 1366 px.
func TestPhoneUX(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("phone"))
	worker := fx.memberID(t, "13900000001")
	fx.member(t, "13900000002", "140802001001", grid.RoleMediator)
	mediator := fx.memberID(t, "13900000002")
	photos := dispatch.NewPhotos(fx.dataDir, fx.pool)
	cases := dispatch.NewCases(fx.pool)
	report := func(desc string, photo []string) int64 {
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker, Category: "neighbour",
			Severity: "normal", Description: desc, Lon: 111.02, Lat: 35.02, HappenedAt: time.Now().Add(-2 * time.Hour), Photos: photo})
		if err != nil {
			t.Fatal(err)
		}
		return rc.CaseID
	}
	apply := func(id int64, a dispatch.Action, reason string, o dispatch.Outcome, photo []string) {
		var version int
		if err := fx.pool.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, id).Scan(&version); err != nil {
			t.Fatal(err)
		}
		if _, err := cases.Apply(ctx, dispatch.Transition{CaseID: id, Version: version, Action: a, ActorID: mediator,
			Reason: reason, Outcome: o, Photos: photo}); err != nil {
			t.Fatalf("case %d: %s: %v", id, a, err)
		}
	}
	// 104 older reports, the oldest of them beyond the first page of 100.
	report("最早的一条：水渠堵塞", nil)
	for i := range 103 {
		report(fmt.Sprintf("旧事 %d：路灯不亮", i), nil)
	}
	own, err := photos.Save(ctx, worker, pngBytes(t, 60))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := photos.Save(ctx, mediator, pngBytes(t, 200))
	if err != nil {
		t.Fatal(err)
	}
	photoCase := report("带照片的案件：围墙倒塌", []string{own.SHA256})
	apply(photoCase, dispatch.ActAccept, "", "", nil)
	apply(photoCase, dispatch.ActMediate, "现场查看，拍照留存", "", []string{theirs.SHA256})
	// A long report, as they are: the page is long, and the 核查通过 answer must come into view.
	verifyCase := report("待核查的案件：噪音扰民。"+strings.Repeat("楼下商铺夜间施工，噪音持续到凌晨，多户居民反映无法休息。", 30), nil)
	apply(verifyCase, dispatch.ActAccept, "", "", nil)
	apply(verifyCase, dispatch.ActMediate, "约双方面谈", "", nil)
	apply(verifyCase, dispatch.ActSettle, "双方达成协议："+strings.Repeat("施工方承诺夜间十点后停工，并向受影响住户致歉。", 12),
		dispatch.OutcomeMediated, []string{theirs.SHA256})

	var moved, big string
	browserScript(t, "phone_ux.mjs", func(line string) {
		var msg struct {
			Moved string `json:"moved"`
			Big   string `json:"big"`
		}
		if json.Unmarshal([]byte(line), &msg) == nil {
			moved, big = max(moved, msg.Moved), max(big, msg.Big)
		}
	}, "BASE_URL="+fx.base, "PHONE=13900000001", "PASSWORD="+password, "LON=111.02", "LAT=35.02",
		fmt.Sprintf("PHOTO_CASE=%d", photoCase), fmt.Sprintf("VERIFY_CASE=%d", verifyCase))

	// Point 1: the report says where the pin was dropped, in the other micro-grid.
	var lat float64
	var unit string
	if err := fx.pool.QueryRow(ctx, `SELECT ST_Y(location), coalesce(unit_code, '') FROM events WHERE client_id = $1`, moved).Scan(&lat, &unit); err != nil {
		t.Fatalf("the moved report %q: %v", moved, err)
	}
	if lat <= 35.05 || unit != "140802001001001002" {
		t.Errorf("moved report at lat %.5f in %q, want the pin's place in micro-grid 2", lat, unit)
	}
	// Point 2: the 12-MP photo arrived as a JPEG of at most 1600 px.
	var sha, contentType string
	var size int64
	err = fx.pool.QueryRow(ctx, `SELECT p.sha256, p.content_type, p.bytes FROM events e JOIN event_photos ep ON ep.event_id = e.id
		JOIN photos p ON p.sha256 = ep.sha256 WHERE e.client_id = $1`, big).Scan(&sha, &contentType, &size)
	if err != nil {
		t.Fatalf("the big photo's report %q: %v", big, err)
	}
	raw, err := os.ReadFile(filepath.Join(fx.dataDir, sha[:2], sha))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(raw))
	if err != nil || contentType != "image/jpeg" || max(cfg.Width, cfg.Height) != 1600 || size > 1<<20 {
		t.Errorf("uploaded photo: %s, %d bytes, %dx%d (%v); want a JPEG of 1600 px at most 1 MB", contentType, size, cfg.Width, cfg.Height, err)
	}
	// Point 3: the case verified from the phone is closed.
	var state string
	if err := fx.pool.QueryRow(ctx, `SELECT state FROM cases WHERE id = $1`, verifyCase).Scan(&state); err != nil || state != "closed" {
		t.Errorf("verified case: %q %v", state, err)
	}
}
