package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// insertReport writes one report in one statement: the event, and for a located event its
// case, the first history row and an outbox row; for an unlocated one an outbox row for triage.
// A client id seen before inserts nothing and returns no row. Case subjects are
// case.<transition>.<county>.<township>.<village>.<grid>.<micro-grid> (the unit code cut into
// its levels' digits), so a centre subscribes to its subtree with a wildcard.
const insertReport = `
WITH e AS (
    INSERT INTO events (client_id, reporter_id, category, severity, description, location, accuracy_m,
                        happened_at, unit_code, outside_metres, handled_on_spot, on_spot_note)
    VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_MakePoint($6, $7), 4326), $8, $9, $10, $11, $12, $13)
    ON CONFLICT (client_id) DO NOTHING
    RETURNING id, unit_code
), c AS (
    INSERT INTO cases (event_id, unit_code, state, level, centre_code, closed_at)
    SELECT e.id, e.unit_code, $14, $15, $16, CASE WHEN $14 = 'closed' THEN now() END
    FROM e WHERE e.unit_code IS NOT NULL
    RETURNING id, event_id, state, level, centre_code, unit_code
), h AS (
    INSERT INTO case_history (case_id, actor_id, from_state, to_state, level, reason)
    SELECT c.id, $2, NULL, c.state, c.level, $17 FROM c
), p AS (
    INSERT INTO event_photos (event_id, sha256)
    SELECT e.id, unnest($19::text[]) FROM e
), o AS (
    INSERT INTO outbox (subject, payload)
    SELECT $18, jsonb_build_object('case_id', c.id, 'event_id', c.event_id, 'state', c.state,
                                   'level', c.level, 'centre', c.centre_code, 'unit', c.unit_code, 'category', $3,
                                   'reporter', $2::bigint)
    FROM c
    UNION ALL
    SELECT 'event.unlocated', jsonb_build_object('event_id', e.id, 'category', $3, 'reporter', $2::bigint)
    FROM e WHERE e.unit_code IS NULL
)
SELECT e.id, coalesce(c.id, 0) FROM e LEFT JOIN c ON c.event_id = e.id`

// selectExisting finds what an earlier send of the same client id stored.
const selectExisting = `
SELECT e.id, e.reporter_id, coalesce(c.id, 0), coalesce(c.state, ''), coalesce(c.level, 0)
FROM events e LEFT JOIN cases c ON c.event_id = e.id
WHERE e.client_id = $1`

func reportArgs(w *write) []any {
	r := w.report
	var unit *string
	if w.located {
		u := w.loc.Unit().Code
		unit = &u
	}
	return []any{r.ClientID, r.ReporterID, r.Category, r.Severity, r.Description, r.Lon, r.Lat,
		r.AccuracyM, r.HappenedAt, unit, w.loc.Metres, r.HandledOnSpot, r.OnSpotNote,
		w.state, w.level, w.centre, w.reason, w.subject, r.Photos}
}

// ownPhotos counts how many of the hashes the member uploaded.
func ownPhotos(ctx context.Context, pool *pgxpool.Pool, member int64, hashes []string) (int, error) {
	var n int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM photos WHERE sha256 = ANY($1) AND uploader_id = $2`, hashes, member).Scan(&n)
	return n, err
}

// commitBatch stores several reports in one transaction and one round trip, so concurrent
// reports share one synchronous commit.
func commitBatch(ctx context.Context, pool *pgxpool.Pool, batch []*write) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, w := range batch {
			b.Queue(insertReport, reportArgs(w)...)
		}
		res := tx.SendBatch(ctx, b)
		for _, w := range batch {
			err := res.QueryRow().Scan(&w.receipt.EventID, &w.receipt.CaseID)
			if errors.Is(err, pgx.ErrNoRows) {
				w.duplicate = true
				continue
			}
			if err != nil {
				res.Close()
				return fmt.Errorf("store report %s: %w", w.report.ClientID, err)
			}
		}
		if err := res.Close(); err != nil {
			return err
		}
		for _, w := range batch {
			if w.duplicate {
				if err := readExisting(ctx, tx, w); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func readExisting(ctx context.Context, tx pgx.Tx, w *write) error {
	var reporter int64
	var state string
	var level int16
	err := tx.QueryRow(ctx, selectExisting, w.report.ClientID).Scan(&w.receipt.EventID, &reporter, &w.receipt.CaseID, &state, &level)
	if err != nil {
		return fmt.Errorf("read earlier report %s: %w", w.report.ClientID, err)
	}
	if reporter != w.report.ReporterID {
		w.err = ErrClientIDTaken
		return nil
	}
	w.receipt.Duplicate = true
	if w.receipt.CaseID != 0 {
		w.receipt.State, w.receipt.Level = state, int(level)
	}
	return nil
}
