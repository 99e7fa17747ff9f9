package web

import (
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// handleStatsSummary: GET /api/stats/summary -> the KPI tiles, the tiers and the backlog.
func (s *Server) handleStatsSummary(w http.ResponseWriter, r *http.Request, req statsRequest) error {
	c, err := s.stats.Summary(r.Context(), req.StatsFilter)
	if err != nil {
		return err
	}
	byDay, err := s.stats.OpenByDay(r.Context(), req.StatsFilter)
	if err != nil {
		return err
	}
	refs, err := s.statsGrid.Refs(r.Context(), []string{req.Unit})
	if err != nil {
		return err
	}
	out := summaryOf(c.Figures())
	out.Unit = statsUnitJSON{Code: req.Unit, Name: refs[req.Unit].Name, Level: int(grid.LevelOfCode(req.Unit))}
	out.From, out.To, out.Category = req.From.Format(time.DateOnly), req.To.Format(time.DateOnly), req.Category
	out.Backlog = backlogOf(dispatch.Backlog(byDay, req.today))
	if out.Aged, err = s.stats.Aged(r.Context(), req.StatsFilter, req.today); err != nil {
		return err
	}
	out.AgedDays = dispatch.AgedDays
	if ok, err := s.mediationApplies(r.Context(), req.Category); err != nil {
		return err
	} else if !ok {
		out.MediationSuccessRate = nil
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// figureRow is the figures of a ranking or breakdown row.
func figureRow(f dispatch.Figures) map[string]any {
	return map[string]any{"received": f.Received, "closed": f.Closed, "closure_rate": f.ClosureRate,
		"on_time_rate": f.OnTimeRate, "settled_low_rate": f.SettledLowRate,
		"mediation_success_rate": f.MediationSuccessRate, "open": f.Open, "overdue": f.Overdue,
		"callback_rate": f.CallbackRate, "satisfaction_rate": f.SatisfactionRate, // 回访
		"merged": f.Merged} // 并单: apart from received
}

var figureColumns = []tableColumn{
	{"received", "受理", "Received", colInt}, {"closed", "办结", "Closed", colInt},
	{"closure_rate", "办结率", "Closure rate", colRate}, {"on_time_rate", "按期办结率", "On-time rate", colRate},
	{"settled_low_rate", "矛盾不上交率", "Settled low", colRate},
	{"mediation_success_rate", "调解成功率", "Mediation success", colRate},
	{"open", "在办", "Open", colInt}, {"overdue", "逾期", "Overdue", colInt},
	{"callback_rate", "回访率", "Callback rate", colRate}, {"satisfaction_rate", "满意率", "Satisfaction", colRate},
	{"merged", "并单", "Merged", colInt}, // duplicate reports, not in 受理 (docs/metrics.md)
}

// handleStatsUnits: GET /api/stats/units -> one row per child unit, every child listed.
func (s *Server) handleStatsUnits(w http.ResponseWriter, r *http.Request, req statsRequest) error {
	sums, err := s.stats.Children(r.Context(), req.StatsFilter)
	if err != nil {
		return err
	}
	level := grid.LevelOfCode(req.Unit)
	var children []grid.ChildUnit
	if level == grid.Grid {
		refs, err := s.statsGrid.Refs(r.Context(), []string{req.Unit})
		if err != nil {
			return err
		}
		children = []grid.ChildUnit{{UnitRef: refs[req.Unit]}}
	} else {
		level++
		if children, err = s.statsGrid.ChildrenDuring(r.Context(), req.Unit, req.From, req.To); err != nil {
			return err
		}
	}
	byCode := map[string]dispatch.Counters{}
	for _, u := range sums {
		byCode[u.Code] = u.Counters
	}
	mediation, err := s.mediationApplies(r.Context(), req.Category)
	if err != nil {
		return err
	}
	rows := make([]map[string]any, 0, len(children))
	for _, ch := range children {
		c := byCode[ch.Code]
		if c == nil {
			c = dispatch.NewCounters() // no cases
		}
		f := c.Figures()
		row := figureRow(f)
		row["code"], row["name"] = ch.Code, ch.Name
		// ranked only with enough cases (FiguresOptions.RankingMinCases), and at least one
		row["ranked"] = f.Received > 0 && f.Received >= int64(s.figures.RankingMinCases)
		if !mediation {
			row["mediation_success_rate"] = (*float64)(nil)
		}
		if ch.RetiredOn != "" { // a past period lists the units its cases were reported in
			row["retired_on"] = ch.RetiredOn
			row["name"] = ch.Name + retiredMark(req.lang, ch.RetiredOn)
		}
		rows = append(rows, row)
	}
	t := table{name: "units", columns: append([]tableColumn{{"code", "代码", "Code", colCode}, {"name", "单位", "Unit", colText}},
		figureColumns...), rows: rows}
	return s.writeTable(w, req, t, map[string]any{"level": int(level), "units": rows,
		"ranking_min_cases": s.figures.RankingMinCases})
}

// handleStatsCategories: GET /api/stats/categories -> one row per category with cases.
func (s *Server) handleStatsCategories(w http.ResponseWriter, r *http.Request, req statsRequest) error {
	sums, err := s.stats.Categories(r.Context(), req.StatsFilter)
	if err != nil {
		return err
	}
	cats, err := s.intake.Categories(r.Context())
	if err != nil {
		return err
	}
	byCode := map[string]dispatch.Category{} // 调解成功率 only for disputes (stats_words.go)
	for _, k := range cats {
		byCode[k.Code] = k
	}
	rows := make([]map[string]any, 0, len(sums))
	for _, u := range sums {
		row := figureRow(u.Counters.Figures())
		k := byCode[u.Code]
		row["code"], row["group"], row["name"] = u.Code, k.Group, k.NameZH
		if k.Group != disputeGroup {
			row["mediation_success_rate"] = (*float64)(nil)
		}
		if req.lang == "en" {
			row["name"] = k.NameEN
		}
		rows = append(rows, row)
	}
	t := table{name: "categories", columns: append([]tableColumn{{"code", "代码", "Code", colText},
		{"name", "类别", "Category", colText}}, figureColumns...), rows: rows}
	return s.writeTable(w, req, t, map[string]any{"categories": rows})
}

// handleStatsTrend: GET /api/stats/trend -> one point per week or month of the period.
func (s *Server) handleStatsTrend(w http.ResponseWriter, r *http.Request, req statsRequest) error {
	points, err := s.stats.Trend(r.Context(), req.StatsFilter, req.by)
	if err != nil {
		return err
	}
	byPeriod := map[time.Time]dispatch.Counters{}
	for _, p := range points {
		byPeriod[p.Period] = p.Counters
	}
	// every week or month of the period, empty ones too; partial: cut by the period or not over
	// yet (today is not over either); current: holding today
	periods := trendPeriods(req.From, req.To, req.by)
	rows := make([]map[string]any, 0, len(periods))
	for _, p := range periods {
		c := byPeriod[p]
		if c == nil {
			c = dispatch.NewCounters()
		}
		f := c.Figures()
		end := periodEnd(p, req.by)
		from, to := p, end
		if from.Before(req.From) {
			from = req.From
		}
		if to.After(req.To) {
			to = req.To
		}
		rows = append(rows, map[string]any{"period": p.Format(time.DateOnly), "from": from.Format(time.DateOnly),
			"to": to.Format(time.DateOnly), "received": f.Received, "closed": f.Closed, "closure_rate": f.ClosureRate,
			"on_time_rate": f.OnTimeRate, "partial": !from.Equal(p) || !to.Equal(end) || !end.Before(req.today),
			"current": !p.After(req.today) && !end.Before(req.today)})
	}
	t := table{name: "trend", columns: []tableColumn{{"from", "起", "From", colText}, {"to", "止", "To", colText},
		{"received", "受理", "Received", colInt}, {"closed", "办结", "Closed", colInt},
		{"closure_rate", "办结率", "Closure rate", colRate}, {"on_time_rate", "按期办结率", "On-time rate", colRate}}, rows: rows}
	return s.writeTable(w, req, t, map[string]any{"by": req.by, "points": rows})
}

// handleStatsTiers: GET /api/stats/tiers -> the tier breakdown as a table.
func (s *Server) handleStatsTiers(w http.ResponseWriter, r *http.Request, req statsRequest) error {
	c, err := s.stats.Summary(r.Context(), req.StatsFilter)
	if err != nil {
		return err
	}
	tiers := tiersJSON(c.Figures())
	rows := make([]map[string]any, 0, len(tiers))
	for _, t := range tiers {
		rows = append(rows, map[string]any{"tier": t.Tier, "tier_name": tierName(t.Tier, req.lang), "arrived": t.Arrived,
			"escalated": t.Escalated, "escalation_rate": t.EscalationRate, "closed": t.Closed, "on_time": t.OnTime,
			"mediated": t.Mediated, "unsettled": t.Unsettled, "open": t.Open, "overdue": t.Overdue,
			"median": t.Median, "p90": t.P90})
	}
	t := table{name: "tiers", columns: []tableColumn{{"tier_name", "层级", "Tier", colText},
		{"arrived", "到达", "Arrived", colInt}, {"escalated", "上报", "Escalated", colInt},
		{"escalation_rate", "上报率", "Escalation rate", colRate}, {"closed", "办结", "Closed", colInt},
		{"on_time", "按期办结", "On time", colInt}, {"mediated", "调解成功", "Mediated", colInt},
		{"unsettled", "调解不成", "Unsettled", colInt}, {"open", "在办", "Open", colInt}, {"overdue", "逾期", "Overdue", colInt},
		{"median", "办结时长中位数", "Median time to close", colBin}, {"p90", "办结时长P90", "P90 time to close", colBin}}, rows: rows}
	return s.writeTable(w, req, t, map[string]any{"tiers": rows})
}

func tierName(t dispatch.Tier, lang string) string {
	zh := []string{"", "县级", "乡镇级", "村级", "网格"}
	en := []string{"", "County", "Township", "Village", "Grid"}
	if lang == "en" {
		return en[t]
	}
	return zh[t]
}

// retiredMark follows the name of a unit retired by a grid change set.
func retiredMark(lang, on string) string {
	if lang == "en" {
		return " (retired " + on + ")"
	}
	return "（" + on + "撤销）"
}
