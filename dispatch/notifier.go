package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Notifier records who must act on each transition (a new case in a centre's queue, an urge,
// an overdue flag, a verification task for the reporter). It is driven by the durable consumer
// NotifyConsumer, which every process binds: each message goes to one process and is
// redelivered if not acknowledged, and the notifications table's unique (transition, member)
// turns that at-least-once delivery into exactly one notification each.
type Notifier struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
}

// NotifyConsumer is the durable consumer's name on the CASES stream.
const NotifyConsumer = "notify"

// NewNotifier records and lists notifications in pool; Bind makes it consume.
func NewNotifier(pool *pgxpool.Pool, logger *slog.Logger) *Notifier {
	return &Notifier{pool: pool, logger: logger}
}

// Bind joins this process to the durable consumer; the bus stops it on Close.
func (n *Notifier) Bind(ctx context.Context, bus *Bus) error {
	return bus.ConsumeDurable(ctx, NotifyConsumer, SubjectCases, func(ctx context.Context, data []byte) error {
		err := n.Handle(ctx, data)
		if err != nil {
			n.logger.Warn("notifications not recorded; the message will come again", "err", err)
		}
		return err
	})
}

// insertNotifications: the mediators of the case's (new) centre for what lands in their queue,
// supervisors above the case too when it is overdue, the mediators of the nearest centre above
// a decline's (退单, to rule on it), the supervisors who may decide an extension request (延期),
// the leader a case is handed to (移交包案), the reporter for a verification task or a merge
// (并单), and the reporters of merged duplicates for the main case's outcome; never the actor.
const insertNotifications = `
INSERT INTO notifications (member_id, transition_id, case_id, kind)
SELECT DISTINCT r.member_id, $1::bigint, $2::bigint, $3::text FROM (
    SELECT member_id FROM assignments
    WHERE $3 IN ('reported', 'escalate', 'return', 'transfer', 'rework', 'urge', 'overdue', 'park_review_due')
      AND role = 'mediator' AND unit_code = $4
    UNION ALL
    SELECT member_id FROM assignments
    WHERE $3 = 'overdue' AND role = 'supervisor' AND starts_with($5, unit_code)
    UNION ALL
    SELECT $6::bigint WHERE $3 IN ('settle', 'merge')
    UNION ALL
    -- 退单: the mediators of the nearest centre above the one that declined, who rule on it.
    SELECT a.member_id FROM assignments a
    WHERE $3 = 'decline' AND a.role = 'mediator' AND a.unit_code = (
        SELECT u.code FROM units u WHERE u.has_centre AND u.retired_at IS NULL
          AND starts_with($4, u.code) AND u.code <> $4 ORDER BY length(u.code) DESC LIMIT 1)
    UNION ALL
    -- 延期: the supervisors who may decide the request, at the centre's unit or above.
    SELECT member_id FROM assignments
    WHERE $3 = 'extend_request' AND role = 'supervisor' AND starts_with($4, unit_code)
    UNION ALL
    -- 移交包案: the leader the case is handed to.
    SELECT to_leader FROM case_leader_changes WHERE $3 = 'lead_handover' AND history_id = $1
    UNION ALL
    -- 并单: the reporters of the duplicates merged into the case follow its outcome.
    SELECT e.reporter_id FROM case_merges m JOIN cases d ON d.id = m.case_id JOIN events e ON e.id = d.event_id
    WHERE $3 IN ('settle', 'verify', 'rework', 'close_unverified') AND m.main_id = $2
) r
WHERE r.member_id IS DISTINCT FROM $7::bigint
ON CONFLICT (transition_id, member_id) DO NOTHING`

// Handle records the notifications of one case message. An error leaves the message
// unacknowledged, to be delivered again.
func (n *Notifier) Handle(ctx context.Context, data []byte) error {
	var ev CaseEvent
	if err := json.Unmarshal(data, &ev); err != nil || ev.TransitionID == 0 {
		n.logger.Warn("notifier: not a case message", "err", err)
		return nil // nothing to redeliver for
	}
	var actor *int64
	if ev.Actor != 0 {
		actor = &ev.Actor
	}
	if _, err := n.pool.Exec(ctx, insertNotifications, ev.TransitionID, ev.CaseID, ev.Action, ev.Centre, ev.Unit,
		ev.Reporter, actor); err != nil {
		return fmt.Errorf("notify transition %d: %w", ev.TransitionID, err)
	}
	return nil
}
