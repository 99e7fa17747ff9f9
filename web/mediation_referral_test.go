package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Referrals: judicial confirmation of a settled agreement within 30 days, other bodies for any
// attempt, a result recorded later at its version. Signed copies: listed on the record, read by
// the owner centre only.
func TestMediationReferralsAndCopies(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	m := recordMediation(t, fx, "")
	url := func(suffix string) string { return fx.caseURL(fmt.Sprintf("/mediations/%v%s", m["id"], suffix)) }
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	refer := func(kind, on string) response {
		b, _ := json.Marshal(map[string]string{"kind": kind, "body": "东阜县人民法院", "referred_on": on, "reason": "申请司法确认"})
		return call(t, "POST", url("/referrals"), fx.village, string(b))
	}
	if r := refer("court", today); r.status != http.StatusUnprocessableEntity || r.body["error"] != "not_settled" {
		t.Errorf("court before settling: %d %v", r.status, r.body)
	}
	if r := refer("police", today); r.status != http.StatusBadRequest || r.body["field"] != "kind" {
		t.Errorf("unknown kind: %d %v", r.status, r.body)
	}
	if r := refer("administrative", "2099-01-01"); r.status != http.StatusBadRequest || r.body["field"] != "referred_on" {
		t.Errorf("a date to come: %d %v", r.status, r.body)
	}
	if r := call(t, "PUT", url(""), fx.village, mediationBody(1, "西户疏通排水沟。")); r.status != http.StatusOK {
		t.Fatalf("settle: %d %v", r.status, r.body)
	}
	if r := refer("court", today); r.status != http.StatusCreated {
		t.Fatalf("court: %d %v", r.status, r.body)
	}
	// An agreement of 40 days ago is past the time for confirmation.
	if _, err := fx.pool.Exec(context.Background(), `UPDATE mediations SET settled_on = settled_on - 40 WHERE id = $1`, m["id"]); err != nil {
		t.Fatal(err)
	}
	if r := refer("court", today); r.status != http.StatusUnprocessableEntity || r.body["error"] != "confirmation_lapsed" {
		t.Errorf("court after 40 days: %d %v", r.status, r.body)
	}
	if r := refer("other", today); r.status != http.StatusCreated {
		t.Errorf("the justice bureau: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", url("/referrals"), fx.township, `{"kind":"other","body":"司法所","referred_on":"`+today+`","reason":"x"}`); r.status != http.StatusForbidden {
		t.Errorf("a reader refers: %d", r.status)
	}
	r := call(t, "GET", fx.caseURL("/mediations"), fx.village, "")
	rec := r.body["mediations"].([]any)[0].(map[string]any)
	refs := rec["referrals"].([]any)
	if len(refs) != 2 || refs[0].(map[string]any)["result"] != "pending" || rec["confirm_by"] == nil {
		t.Fatalf("referrals: %v", rec)
	}
	rid := refs[0].(map[string]any)["id"]
	result := func(version int) response {
		return call(t, "PUT", url(fmt.Sprintf("/referrals/%v", rid)), fx.village,
			fmt.Sprintf(`{"version": %d, "result": "confirmed", "result_on": %q, "result_note": "法院裁定协议有效"}`, version, today))
	}
	if r := result(1); r.status != http.StatusOK || r.body["referrals"].([]any)[0].(map[string]any)["result"] != "confirmed" {
		t.Errorf("result: %d %v", r.status, r.body)
	}
	if r := result(1); r.status != http.StatusConflict {
		t.Errorf("the same result again at the old version: %d", r.status)
	}

	// Signed copies.
	status, up := upload(t, fx.base, fx.village, pngBytes(t, 42))
	if status != http.StatusCreated {
		t.Fatal(status)
	}
	sha := up["sha256"].(string)
	if r := call(t, "POST", url("/copies"), fx.village, fmt.Sprintf(`{"sha256": %q}`, sha)); r.status != http.StatusOK ||
		len(r.body["copies"].([]any)) != 1 {
		t.Fatalf("copy: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", url("/copies"), fx.village, fmt.Sprintf(`{"sha256": %q}`, "ab"+sha[2:])); r.status != http.StatusNotFound {
		t.Errorf("a photo not uploaded: %d %v", r.status, r.body)
	}
	if code, _, _ := do(t, "GET", url("/copies/"+sha), fx.village, nil); code != http.StatusOK {
		t.Errorf("the owner reads the copy: %d", code)
	}
	for name, token := range map[string]string{"township": fx.township, "supervisor": fx.supervisor, "reporter": fx.token} {
		if code, _, _ := do(t, "GET", url("/copies/"+sha), token, nil); code != http.StatusNotFound {
			t.Errorf("%s reads the signed copy: %d", name, code)
		}
		if code, _, _ := do(t, "GET", fx.base+"/api/photos/"+sha, token, nil); code != http.StatusNotFound {
			t.Errorf("%s reads the signed copy as a photo: %d", name, code)
		}
	}
	sup := call(t, "GET", fx.caseURL("/mediations"), fx.supervisor, "").body["mediations"].([]any)[0].(map[string]any)
	if len(sup["copies"].([]any)) != 0 || sup["copies_count"] != 1.0 {
		t.Errorf("the supervisor's view of the copies: %v %v", sup["copies"], sup["copies_count"])
	}
}
