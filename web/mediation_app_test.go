package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestMediationAgreementInTheConsole: the village mediator records a mediation with two
// parties, settles it, prints the agreement and uploads its signed copy, at a desk, at 360 px
// and in English; the township's supervisor reads it masked (mediation_agreement.mjs). The PDF
// the console saved has the centre's name, the case code, the parties and the terms.
func TestMediationAgreementInTheConsole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console", "admin"), withLive(), withMember("13900000004", "140802", grid.RoleAdmin),
		withMember("13900000002", "140802001001", grid.RoleMediator), withMember("13900000003", "140802001", grid.RoleSupervisor))
	id := fx.submit(t, "13900000001", "两户因排水沟发生争执")
	if _, err := dispatch.NewCases(fx.pool).Apply(ctx, dispatch.Transition{CaseID: id, Version: 1, Action: dispatch.ActAccept,
		ActorID: fx.memberID(t, "13900000002")}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	copyPNG := filepath.Join(out, "signed.png")
	if err := os.WriteFile(copyPNG, pngBytes(t, 200), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout := browserScript(t, "mediation_agreement.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password,
		"PHONE_M=13900000002", "PHONE_S=13900000003", "PHONE_A=13900000004", fmt.Sprintf("CASE_ID=%d", id), "ID_A="+applicantID, "ID_B="+respondentID,
		"OUT_DIR="+out, "COPY_PNG="+copyPNG)
	var got struct {
		Done bool   `json:"done"`
		PDF  string `json:"pdf"`
		Code string `json:"code"`
	}
	if err := json.Unmarshal(stdout, &got); err != nil || !got.Done {
		t.Fatalf("script output %q: %v", stdout, err)
	}
	pdf, err := os.ReadFile(got.PDF)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	wantCode := fmt.Sprintf("140802001001调字第%d-1号", id)
	for _, want := range []string{"人民调解协议书", "东阜村", wantCode, got.Code, "申请人：张建国", applicantID, "被申请人：李秀英", respondentID,
		"西户于三日内疏通排水沟。", "疏通费用由双方各半承担。", "赵德明", "两户因排水沟堵塞发生争执"} {
		if !strings.Contains(text, want) {
			t.Errorf("the agreement lacks %q:\n%s", want, text)
		}
	}
	var copies, referrals int
	if err := fx.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM mediation_copies), (SELECT count(*) FROM mediation_referrals WHERE kind = 'court')`).
		Scan(&copies, &referrals); err != nil {
		t.Fatal(err)
	}
	if copies != 1 || referrals != 1 {
		t.Errorf("%d signed copies and %d court referrals, want 1 and 1", copies, referrals)
	}
}
