package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
)

func TestMyNotifications(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	ctx := context.Background()
	var payload []byte
	if err := fx.pool.QueryRow(ctx, `SELECT payload::text FROM outbox WHERE subject LIKE 'case.reported.%'`).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	// What the durable consumer does with the report's message.
	if err := dispatch.NewNotifier(fx.pool, slog.New(slog.NewTextHandler(io.Discard, nil))).Handle(ctx, payload); err != nil {
		t.Fatal(err)
	}
	r := call(t, "GET", fx.base+"/api/my/notifications", fx.village, "")
	list, _ := r.body["notifications"].([]any)
	if r.status != http.StatusOK || r.body["unread"] != 1.0 || len(list) != 1 {
		t.Fatalf("village mediator: %d %v", r.status, r.body)
	}
	first := list[0].(map[string]any)
	if first["kind"] != "reported" || first["case_id"] != float64(fx.caseID) || first["category"] != "neighbour" {
		t.Fatalf("notification: %v", first)
	}
	if r := call(t, "GET", fx.base+"/api/my/notifications", fx.township, ""); r.body["unread"] != 0.0 {
		t.Fatalf("the township was notified of the village's case: %v", r.body)
	}
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/my/notifications?limit=0", ""},
		{"POST", "/api/my/notifications/read", `{"up_to": 0}`},
		{"POST", "/api/my/notifications/read", `{"upto": 1}`},
	} {
		if r := call(t, tc.method, fx.base+tc.path, fx.village, tc.body); r.status != http.StatusBadRequest {
			t.Fatalf("%s %s %s: %d", tc.method, tc.path, tc.body, r.status)
		}
	}
	if r := call(t, "POST", fx.base+"/api/my/notifications/read", fx.village, fmt.Sprintf(`{"up_to": %v}`, first["id"])); r.status != http.StatusNoContent {
		t.Fatalf("mark read: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", fx.base+"/api/my/notifications", fx.village, ""); r.body["unread"] != 0.0 {
		t.Fatalf("after marking read: %v", r.body)
	}
}
