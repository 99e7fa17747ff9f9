package web_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestConsoleDeclineReachesTheCentreAboveLive drives the console in Chromium: the township's
// consoles are open when the village declines a case (退单); the decline arrives live in the
// township's queue and its 待裁定退单 panel, which rules on it (web/ui/e2e/console_decline_live.mjs).
// The township's mediators are notified; the village's and the county's are not.
// GRIDDISPATCH_SHOTS=dir keeps screenshots.
func TestConsoleDeclineReachesTheCentreAboveLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	notifier := dispatch.NewNotifier(fx.pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := notifier.Bind(ctx, fx.bus); err != nil {
		t.Fatal(err)
	}
	fx.member(t, "13900000032", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000033", "140802001", grid.RoleMediator)
	fx.member(t, "13900000034", "140802", grid.RoleMediator)
	caseID := fx.report(t, "邻居加建围墙，影响通行")
	var done bool
	browserScript(t, "console_decline_live.mjs", func(line string) { done = done || line == `{"step":"ruled"}` },
		"BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_M=13900000032", "PHONE_T=13900000033",
		"CASE_ID="+strconv.FormatInt(caseID, 10))
	if !done {
		t.Fatal("the script never ruled on the decline")
	}
	township := fx.memberID(t, "13900000033")
	var who []int64
	gridtest.Eventually(t, "the decline's notification", func() bool {
		rows, err := fx.pool.Query(ctx, `SELECT n.member_id FROM notifications n JOIN case_history h ON h.id = n.transition_id
			WHERE n.case_id = $1 AND n.kind = 'decline' AND h.transition = 'decline' ORDER BY n.member_id`, caseID)
		if err != nil {
			t.Fatal(err)
		}
		who = who[:0]
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			who = append(who, id)
		}
		return rows.Err() == nil && len(who) > 0
	})
	if len(who) != 1 || who[0] != township {
		t.Fatalf("the decline notified %v; want the township's mediator %d only", who, township)
	}
}

// TestConsolePendingExtensions drives the console in Chromium: the township supervisor's list of
// pending extension requests fills live when the village asks, and empties when the request is
// approved from it, then refused (web/ui/e2e/console_extensions_pending.mjs).
func TestConsolePendingExtensions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	supervisor, mediator, caseID := fx.extensionCase(t)
	var done bool
	browserScript(t, "console_extensions_pending.mjs", func(line string) { done = done || line == `{"step":"decided"}` },
		"BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_S=13900000031", "PHONE_M=13900000032",
		"CASE_ID="+strconv.FormatInt(caseID, 10))
	if !done {
		t.Fatal("the script never decided the requests")
	}
	var rows int
	err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id
		WHERE h.case_id = $1 AND (h.transition, h.actor_id) IN (('extend_request', $2), ('extend_approve', $3), ('extend_refuse', $3))
		AND c.extension_until IS NULL`, caseID, mediator, supervisor).Scan(&rows)
	if err != nil || rows != 4 {
		t.Fatalf("request, approval, request, refusal: %d rows (%v), want 4", rows, err)
	}
}
