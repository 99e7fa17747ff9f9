package web

import (
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// A main case's merged reports on its page (并单, docs/cases-api.md): staff who read the case
// see who else reported it; a reporter reading their own case does not see the other
// reporters' names.

type mergedReportJSON struct {
	ID           int64     `json:"id"`
	ReporterName string    `json:"reporter_name"`
	ReceivedAt   time.Time `json:"received_at"`
	Excerpt      string    `json:"excerpt"`
	Metres       float64   `json:"metres"` // from the main case's location
}

// mergedOf is the page's merged_reports and merged_total (the list holds at most
// dispatch.MaxMergedReports), and merged_into for a merged report.
func mergedOf(d dispatch.CaseDetail, staff bool) (list []mergedReportJSON, total int, into *int64) {
	list = []mergedReportJSON{}
	if d.MergedInto != 0 {
		into = &d.MergedInto
	}
	if !staff {
		return list, 0, into
	}
	for _, r := range d.MergedReports {
		list = append(list, mergedReportJSON{ID: r.ID, ReporterName: r.ReporterName, ReceivedAt: r.ReceivedAt,
			Excerpt: r.Excerpt, Metres: r.Metres})
	}
	return list, d.MergedTotal, into
}

// readsAsStaff: the member reads the case by an assignment, not only as its reporter.
func (a access) readsAsStaff(c dispatch.CaseSummary) bool {
	return under(c.Unit, a.reads) || under(c.Centre, a.reads)
}
