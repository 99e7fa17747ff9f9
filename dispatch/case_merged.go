package dispatch

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// A main case's merged reports (并单, docs/cases.md "Duplicates"): the case page lists the
// reports merged into it, so that the centre working it sees every reporter and what each one
// saw; a merged report's page names the case it follows.

// MergedReport is a report merged into a main case.
type MergedReport struct {
	ID           int64     `db:"id"` // the merged case
	ReporterName string    `db:"reporter_name"`
	ReceivedAt   time.Time `db:"received_at"`
	Excerpt      string    `db:"excerpt"` // the description, cut to SummaryChars
	Metres       float64   `db:"metres"`  // from the main case's location
}

// mergedReportRow is a row of selectMergedReports: a report and how many there are in all.
type mergedReportRow struct {
	MergedReport
	Total int `db:"total"`
}

// MaxMergedReports bounds the list on a case page; MergedTotal still counts them all.
const MaxMergedReports = 50

// selectMergedReports: the reports merged into $1, oldest first, with how many there are in
// all (the window counts before LIMIT). Served by case_merges_main_idx.
const selectMergedReports = `
SELECT g.case_id AS id, m.name AS reporter_name, e.received_at, left(e.description, 140) AS excerpt,
       ST_Distance(e.location::geography, me.location::geography) AS metres, count(*) OVER () AS total
FROM case_merges g JOIN cases d ON d.id = g.case_id JOIN events e ON e.id = d.event_id
JOIN members m ON m.id = e.reporter_id
JOIN cases mc ON mc.id = g.main_id JOIN events me ON me.id = mc.event_id
WHERE g.main_id = $1
ORDER BY e.received_at, g.case_id
LIMIT $2`

// readMerges fills d's merged reports and, for a merged report, the main case it follows.
func readMerges(ctx context.Context, q querier, d *CaseDetail) error {
	rows, err := q.Query(ctx, selectMergedReports, d.ID, MaxMergedReports)
	if err != nil {
		return err
	}
	d.MergedReports, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (MergedReport, error) {
		r, err := pgx.RowToStructByName[mergedReportRow](row)
		d.MergedTotal = r.Total
		return r.MergedReport, err
	})
	if err != nil || d.State != StateClosed { // only a closed case can have been merged
		return err
	}
	err = q.QueryRow(ctx, `SELECT main_id FROM case_merges WHERE case_id = $1`, d.ID).Scan(&d.MergedInto)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return err
}
