package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// testSealKey seals the parties' numbers in the tests' fixtures (dispatch.NewMediations).
var testSealKey = bytes.Repeat([]byte{0x5a}, 32)

// idWithCheck completes 17 digits with their GB 11643 check character.
func idWithCheck(d17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(d17[i]-'0') * w[i]
	}
	return d17 + string("10X98765432"[sum%11])
}

var (
	applicantID  = idWithCheck("14080219800312002")
	respondentID = idWithCheck("14080219751120153")
)

// mediationBody is a record of two parties; settled with the terms when terms is not "".
func mediationBody(version int, terms string) string {
	outcome := "pending"
	if terms != "" {
		outcome = "settled"
	}
	b, _ := json.Marshal(map[string]any{"version": version, "facts": "两户因排水沟堵塞发生争执，东户院内积水。", "claims": "东户请求西户疏通排水沟。",
		"outcome": outcome, "terms": terms,
		"parties": []map[string]string{
			{"role": "applicant", "name": "张建国", "id_number": applicantID, "phone": "13912345678"},
			{"role": "respondent", "name": "李秀英", "id_number": respondentID, "phone": "13887654321"}},
		"mediators": []map[string]any{{"name": "赵德明（人民调解员）"}}})
	return string(b)
}

// mediationsOf reads the case's record as token does.
func mediationsOf(t *testing.T, fx *caseAPI, token string) []map[string]any {
	t.Helper()
	r := call(t, "GET", fx.caseURL("/mediations"), token, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET mediations: %d %v", r.status, r.body)
	}
	var out []map[string]any
	for _, m := range r.body["mediations"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

func partiesOf(m map[string]any) (ids, phones []string) {
	for _, p := range m["parties"].([]any) {
		ids = append(ids, p.(map[string]any)["id_number"].(string))
		phones = append(phones, p.(map[string]any)["phone"].(string))
	}
	return ids, phones
}

// recordMediation accepts the case at the village and records a mediation there.
func recordMediation(t *testing.T, fx *caseAPI, terms string) map[string]any {
	t.Helper()
	if r := fx.act(t, fx.village, "accept", ""); r.status != http.StatusOK {
		t.Fatalf("accept: %d %v", r.status, r.body)
	}
	r := call(t, "POST", fx.caseURL("/mediations"), fx.village, mediationBody(0, terms))
	if r.status != http.StatusCreated {
		t.Fatalf("record: %d %v", r.status, r.body)
	}
	return r.body
}

// The owner centre reads the numbers in full; a centre the case went to, the supervisor above
// and the reporter's phone read them masked, and the database holds them sealed.
func TestMediationMasking(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	m := recordMediation(t, fx, "")
	if ids, phones := partiesOf(m); ids[0] != applicantID || phones[1] != "13887654321" || m["owned"] != true {
		t.Fatalf("the owner's answer: %v %v owned=%v", ids, phones, m["owned"])
	}
	// The attempt is the case's 调处 too: one history row, without the parties.
	var state, reason string
	if err := fx.pool.QueryRow(context.Background(), `SELECT c.state, h.reason FROM cases c JOIN case_history h ON h.case_id = c.id
		WHERE c.id = $1 AND h.transition = 'mediate'`, fx.caseID).Scan(&state, &reason); err != nil || state != "mediating" ||
		reason != "登记调解记录（第1次）：调解中" {
		t.Errorf("the case after recording: %s %q %v", state, reason, err)
	}
	// The case goes up to the township, which reads the village's record but does not own it.
	if r := fx.act(t, fx.village, "mediate", "双方意见分歧较大"); r.status != http.StatusOK {
		t.Fatalf("mediate: %d %v", r.status, r.body)
	}
	if r := fx.act(t, fx.village, "escalate", "需镇司法所协调"); r.status != http.StatusOK {
		t.Fatalf("escalate: %d %v", r.status, r.body)
	}
	masked := []string{"1408**********" + applicantID[14:], "1408**********" + respondentID[14:]}
	for name, token := range map[string]string{"township centre": fx.township, "township supervisor": fx.supervisor, "reporter's phone": fx.token} {
		list := mediationsOf(t, fx, token)
		if len(list) != 1 {
			t.Fatalf("%s: %d records", name, len(list))
		}
		ids, phones := partiesOf(list[0])
		if ids[0] != masked[0] || ids[1] != masked[1] || phones[0] != "139****5678" || phones[1] != "138****4321" || list[0]["owned"] != false {
			t.Errorf("%s reads %v %v owned=%v; want masked", name, ids, phones, list[0]["owned"])
		}
	}
	if r := call(t, "GET", fx.caseURL("/mediations"), fx.otherSupervisor, ""); r.status != http.StatusNotFound {
		t.Errorf("a supervisor of another township: %d, want 404", r.status)
	}
	// Still the village's: it reads in full after the case left, and only it changes the record.
	ids, _ := partiesOf(mediationsOf(t, fx, fx.village)[0])
	if ids[0] != applicantID {
		t.Errorf("the owner after the case left: %v", ids)
	}
	id := int64(m["id"].(float64))
	if r := call(t, "PUT", fx.caseURL(fmt.Sprintf("/mediations/%d", id)), fx.township, mediationBody(1, "")); r.status != http.StatusForbidden {
		t.Errorf("the township changes the village's record: %d %v", r.status, r.body)
	}
	if r := call(t, "PUT", fx.caseURL(fmt.Sprintf("/mediations/%d", id)), fx.village, mediationBody(1, "")); r.status != http.StatusOK {
		t.Errorf("the village changes its record: %d %v", r.status, r.body)
	}
	// The township records its own attempt, which it owns.
	if r := fx.act(t, fx.township, "accept", ""); r.status != http.StatusOK {
		t.Fatalf("township accept: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", fx.caseURL("/mediations"), fx.township, mediationBody(0, "")); r.status != http.StatusCreated || r.body["seq"] != 2.0 ||
		r.body["owned"] != true {
		t.Fatalf("township records: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", fx.caseURL("/mediations"), fx.village, mediationBody(0, "")); r.status != http.StatusForbidden {
		t.Errorf("the village records on a case it no longer holds: %d", r.status)
	}
	// A dump of the database: no number or phone in full, anywhere in the record's tables or
	// the audit log.
	var dump string
	if err := fx.pool.QueryRow(context.Background(), `SELECT concat_ws(' ',
		(SELECT string_agg(p::text, ' ') FROM mediation_parties p), (SELECT string_agg(encode(id_sealed, 'escape') || encode(phone_sealed, 'escape'), ' ') FROM mediation_parties),
		(SELECT string_agg(l::text, ' ') FROM audit_log l WHERE action LIKE 'mediation.%'))`).Scan(&dump); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{applicantID, respondentID, "13912345678", "13887654321"} {
		if strings.Contains(dump, secret) || strings.Contains(dump, secret[len(secret)-8:]) {
			t.Errorf("the database holds %s in the clear", secret)
		}
	}
	if !strings.Contains(dump, masked[0]) || !strings.Contains(dump, "mediation.save") {
		t.Errorf("the masked number or the audit entry is missing: %.300s", dump)
	}
}

// Bad records are refused field by field; the wrong members and states are refused as such.
func TestMediationValidation(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	if r := call(t, "POST", fx.caseURL("/mediations"), fx.village, mediationBody(0, "")); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a queued case: %d %v, want 422", r.status, r.body)
	}
	if r := fx.act(t, fx.village, "accept", ""); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	good := mediationBody(0, "西户于三日内疏通排水沟。")
	badID := idWithCheck("14080219800312002")
	badID = badID[:17] + map[bool]string{true: "1", false: "2"}[badID[17] != '1']
	for _, c := range []struct {
		name, body, token, field string
		status                   int
	}{
		{"wrong check digit", strings.Replace(good, applicantID, badID, 1), fx.village, "parties[0].id_number", 400},
		{"short ID", strings.Replace(good, applicantID, applicantID[:15], 1), fx.village, "parties[0].id_number", 400},
		{"bad phone", strings.Replace(good, "13912345678", "<script>", 1), fx.village, "parties[0].phone", 400},
		{"bad role", strings.Replace(good, `"respondent"`, `"judge"`, 1), fx.village, "parties[1].role", 400},
		{"settled without terms", strings.Replace(good, "西户于三日内疏通排水沟。", "", 1), fx.village, "terms", 400},
		{"a member who does not mediate here", strings.Replace(good, `{"name":"赵德明（人民调解员）"}`,
			fmt.Sprintf(`{"member_id":%d,"name":""}`, fx.memberID(t, "13900000013")), 1), fx.village, "mediators[0].member_id", 400},
		{"unknown field", strings.Replace(good, `"facts"`, `"verdict":1,"facts"`, 1), fx.village, "", 400},
		{"facts too long", strings.Replace(good, "两户因排水沟堵塞发生争执，东户院内积水。", strings.Repeat("事", 5001), 1), fx.village, "facts", 400},
		{"the township above", good, fx.township, "", 403},
		{"the supervisor", good, fx.supervisor, "", 403},
		{"the reporter", good, fx.token, "", 403},
		{"a neighbouring village", good, fx.neighbour, "", 404},
	} {
		r := call(t, "POST", fx.caseURL("/mediations"), c.token, c.body)
		if r.status != c.status || c.field != "" && r.body["field"] != c.field {
			t.Errorf("%s: %d %v; want %d on %q", c.name, r.status, r.body, c.status, c.field)
		}
		if c.status == 400 && (strings.Contains(fmt.Sprint(r.body), badID) || strings.Contains(fmt.Sprint(r.body), applicantID)) {
			t.Errorf("%s: the refusal repeats the number: %v", c.name, r.body)
		}
	}
	if r := call(t, "POST", fx.caseURL("/mediations"), fx.village, `{"facts":"`+strings.Repeat("x", 70<<10)+`"}`); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a body too large: %d", r.status)
	}
	// A member of the centre as mediator: named from the member record.
	me := fx.memberID(t, "13900000011")
	r := call(t, "POST", fx.caseURL("/mediations"), fx.village, strings.Replace(good, `{"name":"赵德明（人民调解员）"}`,
		fmt.Sprintf(`{"member_id":%d,"name":"whatever"}`, me), 1))
	if r.status != http.StatusCreated {
		t.Fatalf("good record: %d %v", r.status, r.body)
	}
	if med := r.body["mediators"].([]any)[0].(map[string]any); med["name"] != "成员0011" || r.body["settled_on"] == nil ||
		!strings.HasPrefix(r.body["code"].(string), fmt.Sprintf("（%d）140802001001调字第%d-1号", time.Now().Year(), fx.caseID)) {
		t.Errorf("record: %v", r.body)
	}
	// A stale version is refused.
	id := int64(r.body["id"].(float64))
	if r := call(t, "PUT", fx.caseURL(fmt.Sprintf("/mediations/%d", id)), fx.village, mediationBody(7, "")); r.status != http.StatusConflict {
		t.Errorf("stale version: %d", r.status)
	}
	if r := call(t, "PUT", fx.caseURL("/mediations/999999"), fx.village, mediationBody(1, "")); r.status != http.StatusNotFound {
		t.Errorf("no such record: %d", r.status)
	}
	lists := call(t, "GET", fx.caseURL("/mediations"), fx.village, "")
	if lists.body["may_record"] != true || len(lists.body["centre_mediators"].([]any)) != 1 {
		t.Errorf("the form's choices: %v", lists.body)
	}
}

// The agreement: the owner's PDF has the numbers in full, a reader's masked; an unsettled
// record has none.
func TestAgreementPDF(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	m := recordMediation(t, fx, "")
	pdfURL := fx.caseURL(fmt.Sprintf("/mediations/%v/agreement.pdf", m["id"]))
	if r := call(t, "GET", pdfURL, fx.village, ""); r.status != http.StatusUnprocessableEntity || r.body["error"] != "not_settled" {
		t.Errorf("unsettled: %d %v", r.status, r.body)
	}
	r := call(t, "PUT", fx.caseURL(fmt.Sprintf("/mediations/%v", m["id"])), fx.village, mediationBody(1, "一、西户于三日内疏通排水沟。\n二、费用双方各半。"))
	if r.status != http.StatusOK {
		t.Fatalf("settle: %d %v", r.status, r.body)
	}
	code := r.body["code"].(string)
	status, header, pdf := do(t, "GET", pdfURL, fx.village, nil)
	if status != http.StatusOK || header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("owner's PDF: %d %s", status, pdf)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"人民调解协议书", code, "东阜村", "张建国", applicantID, "13912345678", "李秀英", respondentID,
		"西户于三日内疏通排水沟。", "费用双方各半。", "赵德明", "两户因排水沟堵塞发生争执"} {
		if !strings.Contains(text, want) {
			t.Errorf("the owner's PDF lacks %q: %s", want, text)
		}
	}
	status, _, pdf = do(t, "GET", pdfURL, fx.supervisor, nil)
	if status != http.StatusOK {
		t.Fatalf("supervisor's PDF: %d", status)
	}
	text = pdfText(t, pdf)
	if strings.Contains(text, applicantID) || strings.Contains(text, "13912345678") || !strings.Contains(text, "1408**********"+applicantID[14:]) ||
		!strings.Contains(text, "查阅副本") {
		t.Errorf("the supervisor's PDF is not masked: %s", text)
	}
}

// The county's template: administrators read it, county administrators change it, unknown
// placeholders are refused, and the next agreement follows it.
func TestAgreementTemplate(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t, withMember("13900000021", "140802", grid.RoleAdmin), withMember("13900000022", "140802001", grid.RoleAdmin))
	county, township := fx.tokens["13900000021"], fx.tokens["13900000022"]
	r := call(t, "GET", fx.base+"/api/admin/agreement-template", township, "")
	if r.status != http.StatusOK || r.body["title"] != "人民调解协议书" || !strings.Contains(r.body["body"].(string), "{{terms}}") {
		t.Fatalf("the default template: %d %v", r.status, r.body)
	}
	put := func(token, title, body string) response {
		b, _ := json.Marshal(map[string]string{"title": title, "body": body})
		return call(t, "PUT", fx.base+"/api/admin/agreement-template", token, string(b))
	}
	if r := put(county, "协议书", "{{terms}} {{signature}}"); r.status != http.StatusBadRequest || r.body["error"] != "bad_template" ||
		!strings.Contains(r.body["message"].(string), "signature") {
		t.Errorf("unknown placeholder: %d %v", r.status, r.body)
	}
	if r := put(township, "协议书", "{{terms}}"); r.status != http.StatusForbidden {
		t.Errorf("a township administrator: %d", r.status)
	}
	if r := put(fx.village, "协议书", "{{terms}}"); r.status != http.StatusForbidden {
		t.Errorf("a mediator: %d", r.status)
	}
	if r := put(county, "{{centre}}调解协议", "案号{{case_code}}\n约定：{{terms}}\n{{date}}"); r.status != http.StatusOK {
		t.Fatalf("save: %d %v", r.status, r.body)
	}
	m := recordMediation(t, fx, "西户疏通排水沟。")
	_, _, pdf := do(t, "GET", fx.caseURL(fmt.Sprintf("/mediations/%v/agreement.pdf", m["id"])), fx.village, nil)
	if text := pdfText(t, pdf); !strings.Contains(text, "东阜村调解协议") || !strings.Contains(text, "约定：西户疏通排水沟。") ||
		strings.Contains(text, "纠纷主要事实") {
		t.Errorf("the agreement does not follow the saved template: %s", text)
	}
	audit := call(t, "GET", fx.base+"/api/admin/audit?action=agreement_template.save", county, "")
	if entries := audit.body["entries"].([]any); len(entries) != 1 {
		t.Errorf("audit: %v", audit.body)
	}
}
