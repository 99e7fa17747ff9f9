package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// check is one verdict of the final checks: what was checked and how many rows break it.
type check struct {
	What string
	Bad  int64
	Err  error
}

func (c check) ok() bool { return c.Bad == 0 && c.Err == nil }

// storeChecks are counted in PostgreSQL once the load is over; each counts what breaks a rule.
var storeChecks = []struct{ what, sql string }{
	{"no client_id stored as two events",
		`SELECT count(*) FROM (SELECT client_id FROM events GROUP BY client_id HAVING count(*) > 1) d`},
	{"every located event has exactly one case",
		`SELECT count(*) FROM events e WHERE e.unit_code IS NOT NULL
		 AND (SELECT count(*) FROM cases c WHERE c.event_id = e.id) <> 1`},
	{"no unlocated event has a case",
		`SELECT count(*) FROM events e JOIN cases c ON c.event_id = e.id WHERE e.unit_code IS NULL`},
	// Stuck outside a queue: an open case must sit at a mediation centre of its tier or the
	// nearest one above (docs/routing.md), above its own unit, with a deadline unless the
	// reporter is verifying; a closed case must say when it closed.
	{"no case stuck outside a queue",
		`SELECT count(*) FROM cases c LEFT JOIN units u ON u.code = c.centre_code
		 WHERE (c.state <> 'closed' AND NOT coalesce(c.level BETWEEN 1 AND 3 AND u.has_centre AND u.level <= c.level
		        AND starts_with(c.unit_code, c.centre_code) AND c.closed_at IS NULL
		        AND (c.state = 'verifying' OR c.deadline_at IS NOT NULL), false))
		    OR (c.state = 'closed' AND c.closed_at IS NULL)`},
	{"every case's last history row is where the case is",
		`SELECT count(*) FROM cases c LEFT JOIN LATERAL (
		     SELECT to_state, level, centre_code FROM case_history h WHERE h.case_id = c.id ORDER BY h.id DESC LIMIT 1) h ON true
		 WHERE h.to_state IS DISTINCT FROM c.state OR h.level IS DISTINCT FROM c.level
		    OR h.centre_code IS DISTINCT FROM c.centre_code`},
	// A case's version counts its transitions, the first included: one history row each.
	{"no transition missing or duplicated in case_history (rows = version)",
		`SELECT count(*) FROM cases c WHERE c.version <> (SELECT count(*) FROM case_history h WHERE h.case_id = c.id)`},
	{"no case with two first history rows",
		`SELECT count(*) FROM (SELECT case_id FROM case_history WHERE from_state IS NULL GROUP BY case_id HAVING count(*) > 1) d`},
	{"outbox fully relayed to NATS",
		`SELECT count(*) FROM outbox WHERE published_at IS NULL`},
}

// storeTotals are the counts the summary shows.
type storeTotals struct {
	Events, Cases, History, Outbox int64
}

func countStore(ctx context.Context, conn *pgx.Conn) (storeTotals, error) {
	var t storeTotals
	err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM cases),
		(SELECT count(*) FROM case_history), (SELECT count(*) FROM outbox)`).Scan(&t.Events, &t.Cases, &t.History, &t.Outbox)
	return t, err
}

// waitRelayed waits until the outbox has no unpublished row, or within has passed.
func waitRelayed(ctx context.Context, conn *pgx.Conn, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		var n int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&n); err != nil {
			return err
		}
		if n == 0 || time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func runStoreChecks(ctx context.Context, conn *pgx.Conn) []check {
	var out []check
	for _, c := range storeChecks {
		r := check{What: c.what}
		r.Err = conn.QueryRow(ctx, c.sql).Scan(&r.Bad)
		out = append(out, r)
	}
	return out
}

// streamChecks compares what JetStream holds with what committed: every outbox row of a
// stream's subjects stored there exactly once under its id, nothing stored that no outbox row
// holds, and every case_history row carried by exactly one case message.
func streamChecks(ctx context.Context, conn *pgx.Conn, natsURL string) ([]check, error) {
	var out []check
	history := map[int64]int{}
	for _, s := range []struct{ stream, subjects string }{
		{"CASES", `subject LIKE 'case.%' OR subject LIKE 'event.%'`},
		{"GRID", `subject LIKE 'grid.%' OR subject LIKE 'catalogue.%'`},
	} {
		msgs, err := readStream(ctx, natsURL, s.stream)
		if err != nil {
			return nil, err
		}
		inStream := msgIDs(msgs)
		for _, m := range msgs {
			if m.TransitionID != 0 {
				history[m.TransitionID]++
			}
		}
		rows, _ := conn.Query(ctx, `SELECT id FROM outbox WHERE `+s.subjects)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, err
		}
		committed := make(map[int64]bool, len(ids))
		var missing, twice, extra int64
		for _, id := range ids {
			committed[id] = true
			switch n := inStream[id]; {
			case n == 0:
				missing++
			case n > 1:
				twice++
			}
		}
		for id := range inStream {
			if !committed[id] {
				extra += int64(inStream[id])
			}
		}
		out = append(out,
			check{What: fmt.Sprintf("%s: every outbox row in the stream (%d rows, %d messages)", s.stream, len(ids), len(msgs)), Bad: missing},
			check{What: fmt.Sprintf("%s: no outbox row stored twice", s.stream), Bad: twice},
			check{What: fmt.Sprintf("%s: nothing stored that did not commit", s.stream), Bad: extra})
	}
	rows, _ := conn.Query(ctx, `SELECT id FROM case_history`)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	var missing, twice int64
	for _, id := range ids {
		switch n := history[id]; {
		case n == 0:
			missing++
		case n > 1:
			twice++
		}
		delete(history, id)
	}
	out = append(out,
		check{What: fmt.Sprintf("every case_history transition on NATS (%d rows)", len(ids)), Bad: missing},
		check{What: "no transition on NATS twice", Bad: twice},
		check{What: "no transition on NATS that history lacks", Bad: int64(len(history))})
	return out, nil
}
