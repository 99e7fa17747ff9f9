package demohistory

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A bulk load of history drops, for its duration, the foreign keys of events, cases and
// case_history and the three indexes that it would insert into at random places, and makes them
// again afterwards (docs/demo-history.md): with them, each row costs PostgreSQL three
// foreign-key lookups (locking the rows they find) and three random index insertions, which
// made ten million cases take over half an hour on two cores (docs/benchmarks.md). The primary
// keys, the unique indexes (intake's idempotency rests on events_client_id_key) and the timer's
// partial indexes stay.
//
// Only what is listed here is dropped, and only if the live definitions are exactly these: a
// schema that has moved on is loaded the slow way rather than restored wrongly. While they are
// dropped, case_history's table comment says so (historyBulkMarker), in the same transaction as
// the drop: a load killed before it restored leaves the comment, and the next demo load restores
// the list and clears it (RestoreAfterLoad).

// historyBulkMarker is case_history's comment while a bulk load has its constraints dropped.
const historyBulkMarker = "griddispatch: a bulk load of history (demo load --history) dropped the foreign keys of " +
	"events, cases and case_history and three of their indexes; griddispatch demo load restores them"

type bulkObject struct {
	table, name string
	def         string // the foreign key as pg_get_constraintdef renders it; the index's "USING ..." part
	index       bool
}

var historyBulkObjects = []bulkObject{
	{"events", "events_reporter_id_fkey", "FOREIGN KEY (reporter_id) REFERENCES members(id)", false},
	{"events", "events_category_fkey", "FOREIGN KEY (category) REFERENCES categories(code)", false},
	{"events", "events_unit_code_fkey", "FOREIGN KEY (unit_code) REFERENCES units(code)", false},
	{"events", "events_unit_code_idx", "USING btree (unit_code)", true},
	{"cases", "cases_event_id_fkey", "FOREIGN KEY (event_id) REFERENCES events(id)", false},
	{"cases", "cases_unit_code_fkey", "FOREIGN KEY (unit_code) REFERENCES units(code)", false},
	{"cases", "cases_centre_code_fkey", "FOREIGN KEY (centre_code) REFERENCES units(code)", false},
	{"cases", "cases_unit_code_idx", "USING btree (unit_code)", true},
	{"cases", "cases_centre_state_idx", "USING btree (centre_code, state)", true},
	{"case_history", "case_history_case_id_fkey", "FOREIGN KEY (case_id) REFERENCES cases(id)", false},
	{"case_history", "case_history_actor_id_fkey", "FOREIGN KEY (actor_id) REFERENCES members(id)", false},
	{"case_history", "case_history_centre_code_fkey", "FOREIGN KEY (centre_code) REFERENCES units(code)", false},
}

// selectBulkObjects reads the listed objects as they are in the current schema: found, their
// definition, and for a foreign key whether it is validated.
const selectBulkObjects = `
SELECT o.name, coalesce(pg_get_constraintdef(k.oid), substring(pg_get_indexdef(i.indexrelid) FROM ' (USING .*)$'), ''),
       coalesce(k.convalidated, true), k.oid IS NOT NULL OR i.indexrelid IS NOT NULL
FROM unnest($1::text[], $2::text[]) AS o(tbl, name)
LEFT JOIN pg_constraint k ON k.conname = o.name AND k.conrelid = o.tbl::regclass AND k.contype = 'f'
LEFT JOIN pg_index i ON i.indexrelid = to_regclass(o.name) AND i.indrelid = o.tbl::regclass`

type bulkState struct {
	def       string
	validated bool
	exists    bool
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func readBulkObjects(ctx context.Context, q querier) (map[string]bulkState, error) {
	var tables, names []string
	for _, o := range historyBulkObjects {
		tables, names = append(tables, o.table), append(names, o.name)
	}
	rows, err := q.Query(ctx, selectBulkObjects, tables, names)
	if err != nil {
		return nil, fmt.Errorf("read constraints: %w", err)
	}
	found := map[string]bulkState{}
	var name string
	var s bulkState
	if _, err := pgx.ForEachRow(rows, []any{&name, &s.def, &s.validated, &s.exists}, func() error {
		found[name] = s
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read constraints: %w", err)
	}
	return found, nil
}

// dropForBulk drops the listed objects in one transaction, if each is there as listed; it
// reports whether it did.
func dropForBulk(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	dropped := false
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE events, cases, case_history IN ACCESS EXCLUSIVE MODE`); err != nil {
			return err
		}
		var comment *string
		if err := tx.QueryRow(ctx, `SELECT obj_description('case_history'::regclass, 'pg_class')`).Scan(&comment); err != nil {
			return err
		}
		found, err := readBulkObjects(ctx, tx)
		if err != nil || comment != nil {
			return err
		}
		for _, o := range historyBulkObjects {
			if s := found[o.name]; !s.exists || !s.validated || s.def != o.def {
				return nil
			}
		}
		for _, o := range historyBulkObjects {
			sql := fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", o.table, o.name)
			if o.index {
				sql = "DROP INDEX " + o.name
			}
			if _, err := tx.Exec(ctx, sql); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `COMMENT ON TABLE case_history IS '`+historyBulkMarker+`'`); err != nil {
			return err
		}
		dropped = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("drop constraints for a bulk load: %w", err)
	}
	return dropped, nil
}

// RestoreAfterLoad finishes a bulk load of history that was killed before it restored
// what it dropped; it does nothing otherwise. It reports whether it restored anything.
func RestoreAfterLoad(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	var marked bool
	if err := pool.QueryRow(ctx, `SELECT obj_description('case_history'::regclass, 'pg_class') IS NOT DISTINCT FROM $1`,
		historyBulkMarker).Scan(&marked); err != nil {
		return false, fmt.Errorf("look for an unfinished history load: %w", err)
	}
	if !marked {
		return false, nil
	}
	return true, restoreAfterBulk(ctx, pool)
}

// restoreAfterBulk makes again whatever of the list is missing or not validated, then clears the
// marker: first every missing foreign key as NOT VALID in one transaction (so new rows are
// checked again at once), then per table, in parallel, its indexes and the validation of its
// foreign keys, which neither blocks writers nor waits for the other tables. Validating scans the
// table once per key.
func restoreAfterBulk(ctx context.Context, pool *pgxpool.Pool) error {
	found, err := readBulkObjects(ctx, pool)
	if err != nil {
		return err
	}
	var missing []string
	perTable := map[string][]string{}
	for _, o := range historyBulkObjects {
		s := found[o.name]
		switch {
		case o.index && !s.exists:
			perTable[o.table] = append(perTable[o.table], fmt.Sprintf("CREATE INDEX %s ON %s %s", o.name, o.table, o.def))
		case !o.index && !s.exists:
			missing = append(missing, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", o.table, o.name, o.def))
			fallthrough
		case !o.index && !s.validated:
			perTable[o.table] = append(perTable[o.table], fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", o.table, o.name))
		}
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, sql := range missing {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("restore foreign keys: %w", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(perTable))
	for _, stmts := range perTable {
		wg.Go(func() {
			for _, sql := range stmts {
				if _, err := pool.Exec(ctx, sql); err != nil {
					errs <- fmt.Errorf("%s: %w", sql, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `COMMENT ON TABLE case_history IS NULL`); err != nil {
		return fmt.Errorf("clear the history load's marker: %w", err)
	}
	return nil
}

// alone reports whether no other client than this pool is connected to the database: a bulk
// load drops constraints that a running server relies on.
func alone(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	pids := []int64{}
	for _, c := range pool.AcquireAllIdle(ctx) {
		pids = append(pids, int64(c.Conn().PgConn().PID()))
		c.Release()
	}
	var others int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND NOT pid = ANY($1::int8[])`, pids).Scan(&others)
	return others == 0, err
}
