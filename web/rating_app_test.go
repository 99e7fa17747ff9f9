package web_test

import (
	"context"
	"encoding/json"
	"testing"
)

// TestRatingFlagOnTheDashboard: a village's 五面红旗 self-assessment reviewed and publicly shown,
// a county supervisor awards it 平安红旗 on the dashboard and then removes it (摘旗) with a reason;
// the counts per level, the map's colour and the indicator sheet follow (rating_flag.mjs).
func TestRatingFlagOnTheDashboard(t *testing.T) {
	t.Parallel()
	fx := ratingFixture(t, withBrowser("dashboard"))
	ratedVillage(t, fx)
	out := browserScript(t, "rating_flag.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_C="+countySupervis,
		"VILLAGE="+ratingVillage)
	var got struct {
		Done bool `json:"done"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !got.Done {
		t.Fatalf("script output %q: %v", out, err)
	}
	var held bool
	var reason, actor string
	if err := fx.pool.QueryRow(context.Background(), `SELECT h.held, d.reason, m.phone FROM rating_holdings h
		JOIN rating_decisions d ON d.unit_code = h.unit_code AND d.mark = h.mark AND d.action = 'remove'
		JOIN members m ON m.id = d.actor_id WHERE h.unit_code = $1 AND h.mark = 2`, ratingVillage).Scan(&held, &reason, &actor); err != nil {
		t.Fatal(err)
	}
	if held || reason != "发生越级上访，平安指标下滑" || actor != countySupervis {
		t.Errorf("after 摘旗: held %v, reason %q, by %s", held, reason, actor)
	}
}

// TestRatingSelfAssessmentOnAPhone: the village's mediator enters its indicators with evidence
// in 评星定级 at 360 px and submits them for review (rating_self.mjs).
func TestRatingSelfAssessmentOnAPhone(t *testing.T) {
	t.Parallel()
	fx := ratingFixture(t, withBrowser("dashboard"))
	out := browserScript(t, "rating_self.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_V="+villageMediator,
		"VILLAGE="+ratingVillage)
	var got struct {
		Done bool `json:"done"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !got.Done {
		t.Fatalf("script output %q: %v", out, err)
	}
	var state string
	var entries int
	if err := fx.pool.QueryRow(context.Background(), `SELECT a.state, (SELECT count(*) FROM rating_entries e JOIN members m ON m.id = e.entered_by
		WHERE e.assessment_id = a.id AND m.phone = $2) FROM rating_assessments a WHERE a.unit_code = $1`, ratingVillage, villageMediator).Scan(&state, &entries); err != nil {
		t.Fatal(err)
	}
	if state != "submitted" || entries != 8 {
		t.Errorf("after the self-assessment: %s with %d entries by the mediator", state, entries)
	}
}
