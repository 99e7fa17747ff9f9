package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The mediation record's routes in the jurisdiction matrix (TestJurisdictionMatrix): whoever
// reads the case reads the record; only the mediators of the case's centre record one, and only
// those of the centre that owns it change it, list and read its signed copies and refer it.
// They run after the other rows: recording needs the case accepted, which the first one does.
func init() {
	owner := "44 34 +4 34 34 34 34 34 34"
	matrix = append(matrix,
		matrixRow{"GET /api/cases/{id}/mediations", "case-reader", caseStaff, getPath(func(x matrixTarget) string { return fmt.Sprintf("/api/cases/%d/mediations", x.caseID) })},
		matrixRow{"POST /api/cases/{id}/mediations", "case-reader", owner, tryRecordMediation},
		matrixRow{"PUT /api/cases/{id}/mediations/{mid}", "case-reader", owner, trySaveMediation},
		matrixRow{"GET /api/cases/{id}/mediations/{mid}/agreement.pdf", "case-reader", caseStaff, onMediation("GET", "/agreement.pdf", "")},
		matrixRow{"POST /api/cases/{id}/mediations/{mid}/copies", "case-reader", owner, tryMediationCopy},
		matrixRow{"GET /api/cases/{id}/mediations/{mid}/copies/{sha256}", "case-reader", "44 44 +4 44 44 44 44 44 44", tryMediationCopyFile},
		matrixRow{"POST /api/cases/{id}/mediations/{mid}/referrals", "case-reader", owner,
			onMediation("POST", "/referrals", `{"kind": "peoples", "body": "村人民调解委员会", "referred_on": "`+time.Now().Format(time.DateOnly)+`", "reason": "矩阵"}`)},
		matrixRow{"PUT /api/cases/{id}/mediations/{mid}/referrals/{rid}", "case-reader", owner, tryReferralResult},
		matrixRow{"GET /api/admin/agreement-template", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/agreement-template" })},
		matrixRow{"PUT /api/admin/agreement-template", "county-admin", countyAdmins,
			send("PUT", "/api/admin/agreement-template", `{"title": "人民调解协议书", "body": "{{parties}}\n{{terms}}\n{{centre}} {{date}}"}`)})
}

// firstMediation is the target case's first record and its version (id 999999 when none).
func firstMediation(t *testing.T, c matrixCall) (int64, int) {
	t.Helper()
	var id int64 = 999999
	version := 1
	err := c.env.pool.QueryRow(context.Background(), `SELECT id, version FROM mediations WHERE case_id = $1 ORDER BY seq LIMIT 1`,
		c.target.caseID).Scan(&id, &version)
	if err != nil && !strings.Contains(err.Error(), "no rows") {
		t.Fatal(err)
	}
	return id, version
}

func onMediation(method, suffix, body string) func(*testing.T, matrixCall) int {
	return func(t *testing.T, c matrixCall) int {
		id, _ := firstMediation(t, c)
		return status(t, c, method, fmt.Sprintf("/api/cases/%d/mediations/%d%s", c.target.caseID, id, suffix), body)
	}
}

func tryRecordMediation(t *testing.T, c matrixCall) int {
	if _, err := c.env.pool.Exec(context.Background(), `UPDATE cases SET state = 'accepted' WHERE id = $1 AND state = 'queued'`,
		c.target.caseID); err != nil {
		t.Fatal(err)
	}
	return status(t, c, "POST", fmt.Sprintf("/api/cases/%d/mediations", c.target.caseID), mediationBody(0, ""))
}

func trySaveMediation(t *testing.T, c matrixCall) int {
	id, version := firstMediation(t, c)
	return status(t, c, "PUT", fmt.Sprintf("/api/cases/%d/mediations/%d", c.target.caseID, id), mediationBody(version, "西户疏通排水沟。"))
}

func tryMediationCopy(t *testing.T, c matrixCall) int {
	up := call(t, "POST", c.env.base+"/api/photos", c.token, string(pngBytes(t, 77)))
	sha, _ := up.body["sha256"].(string)
	b, _ := json.Marshal(map[string]string{"sha256": sha})
	return onMediation("POST", "/copies", string(b))(t, c)
}

func tryMediationCopyFile(t *testing.T, c matrixCall) int {
	id, _ := firstMediation(t, c)
	sha := strings.Repeat("0", 64)
	_ = c.env.pool.QueryRow(context.Background(), `SELECT sha256 FROM mediation_copies WHERE mediation_id = $1 LIMIT 1`, id).Scan(&sha)
	return status(t, c, "GET", fmt.Sprintf("/api/cases/%d/mediations/%d/copies/%s", c.target.caseID, id, sha), "")
}

func tryReferralResult(t *testing.T, c matrixCall) int {
	id, _ := firstMediation(t, c)
	var rid int64 = 999999
	version := 1
	_ = c.env.pool.QueryRow(context.Background(), `SELECT id, version FROM mediation_referrals WHERE mediation_id = $1 ORDER BY id LIMIT 1`, id).
		Scan(&rid, &version)
	body := fmt.Sprintf(`{"version": %d, "result": "settled", "result_on": %q, "result_note": "矩阵"}`, version, time.Now().Format(time.DateOnly))
	return status(t, c, "PUT", fmt.Sprintf("/api/cases/%d/mediations/%d/referrals/%d", c.target.caseID, id, rid), body)
}
