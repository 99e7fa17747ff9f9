package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// acked is one acknowledged report, as the phone was told.
type acked struct {
	ClientID string
	EventID  int64
	CaseID   int64
	Located  bool
}

// checkResult compares what phones were told with what PostgreSQL holds.
type checkResult struct {
	Acked        int64 // acknowledged reports checked
	Events       int64 // of which stored as exactly one event, the one acknowledged
	Cases        int64 // located ones with exactly one case, the one acknowledged
	Unlocated    int64 // unlocated ones stored with no unit and no case
	Missing      int64 // no event at all
	WrongEvent   int64 // an event, but not the one acknowledged
	WrongCases   int64 // located but not exactly one case, or not the acknowledged one
	CaseForUnloc int64 // unlocated but with a unit or a case
}

// OK is true when every acknowledged report is stored exactly once, as acknowledged.
func (r checkResult) OK() bool {
	return r.Acked > 0 && r.Events == r.Acked && r.Cases+r.Unlocated == r.Acked
}

// checkQuery joins the acknowledged client ids with events and cases. events.client_id is
// unique, yet the events are counted rather than trusted to that constraint.
const checkQuery = `
WITH ev AS (
    SELECT e.client_id, count(*) AS n, min(e.id) AS id, bool_and(e.unit_code IS NULL) AS unlocated
    FROM events e JOIN loadgen_acked a USING (client_id) GROUP BY e.client_id
), cs AS (
    SELECT e.client_id, count(*) AS n, min(c.id) AS id
    FROM events e JOIN loadgen_acked a USING (client_id) JOIN cases c ON c.event_id = e.id GROUP BY e.client_id
)
SELECT count(*),
       count(*) FILTER (WHERE ev.n = 1 AND ev.id = a.event_id),
       count(*) FILTER (WHERE a.located AND cs.n = 1 AND cs.id = a.case_id),
       count(*) FILTER (WHERE NOT a.located AND ev.unlocated AND cs.n IS NULL),
       count(*) FILTER (WHERE ev.n IS NULL),
       count(*) FILTER (WHERE ev.n IS NOT NULL AND (ev.n <> 1 OR ev.id <> a.event_id)),
       count(*) FILTER (WHERE a.located AND (cs.n IS DISTINCT FROM 1 OR cs.id <> a.case_id)),
       count(*) FILTER (WHERE NOT a.located AND (NOT ev.unlocated OR cs.n IS NOT NULL))
FROM loadgen_acked a LEFT JOIN ev USING (client_id) LEFT JOIN cs USING (client_id)`

// checkExactlyOnce loads the acknowledged reports into a temporary table with COPY and
// joins it with what is stored.
func checkExactlyOnce(ctx context.Context, conn *pgx.Conn, reports []acked) (checkResult, error) {
	var r checkResult
	_, err := conn.Exec(ctx, `CREATE TEMPORARY TABLE loadgen_acked (
        client_id uuid PRIMARY KEY, event_id bigint NOT NULL, case_id bigint NOT NULL, located boolean NOT NULL)
        ON COMMIT PRESERVE ROWS`)
	if err != nil {
		return r, fmt.Errorf("exactly-once check: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS loadgen_acked`)
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"loadgen_acked"}, []string{"client_id", "event_id", "case_id", "located"},
		pgx.CopyFromSlice(len(reports), func(i int) ([]any, error) {
			a := reports[i]
			return []any{a.ClientID, a.EventID, a.CaseID, a.Located}, nil
		}))
	if err != nil {
		return r, fmt.Errorf("exactly-once check: copy acknowledged reports: %w", err)
	}
	if n != int64(len(reports)) {
		return r, fmt.Errorf("exactly-once check: copied %d of %d reports", n, len(reports))
	}
	if _, err := conn.Exec(ctx, `ANALYZE loadgen_acked`); err != nil {
		return r, fmt.Errorf("exactly-once check: %w", err)
	}
	err = conn.QueryRow(ctx, checkQuery).Scan(&r.Acked, &r.Events, &r.Cases, &r.Unlocated, &r.Missing,
		&r.WrongEvent, &r.WrongCases, &r.CaseForUnloc)
	if err != nil {
		return r, fmt.Errorf("exactly-once check: %w", err)
	}
	return r, nil
}

// outboxBacklog counts committed changes not yet published to NATS.
func outboxBacklog(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var n int64
	err := conn.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&n)
	return n, err
}
