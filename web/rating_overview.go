package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// ratingOverviewJSON is the overview with its period.
type ratingOverviewJSON struct {
	*dispatch.RatingOverview
	From string `json:"from"`
	To   string `json:"to"`
}

func (s *Server) ratingOverview(r *http.Request) (ratingRequest, *dispatch.RatingOverview, error) {
	req, err := readRatingRequest(r, grid.County, grid.Township, grid.Village)
	if err != nil {
		return req, nil, err
	}
	o, err := s.ratings.Overview(r.Context(), req.scheme, req.unit, req.day, req.today)
	return req, o, err
}

// handleRatingOverview: GET /api/ratings/overview?unit=&scheme=&period= -> how many villages at
// or below the unit hold 0 … 5 marks, and each village's marks, warnings and rank.
func (s *Server) handleRatingOverview(w http.ResponseWriter, r *http.Request) {
	_, o, err := s.ratingOverview(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, ratingOverviewJSON{RatingOverview: o, From: o.From.Format(time.DateOnly), To: o.To.Format(time.DateOnly)})
}

// handleRatingMap: GET /api/ratings/map?unit= -> the villages at or below the unit as GeoJSON.
func (s *Server) handleRatingMap(w http.ResponseWriter, r *http.Request) {
	req, err := readRatingRequest(r, grid.County, grid.Township, grid.Village)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	body, err := s.ratings.VillageOutlines(r.Context(), req.unit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeCached(w, r, "application/geo+json; charset=utf-8", body)
}

// ratingRankingColumns: the ranking's columns in the files, as the dashboard's table shows them.
var ratingRankingColumns = []tableColumn{
	{key: "rank", zh: "名次", en: "Rank", kind: colInt},
	{key: "code", zh: "代码", en: "Code", kind: colCode},
	{key: "name", zh: "村（社区）", en: "Village", kind: colText},
	{key: "township", zh: "乡镇（街道）", en: "Township", kind: colText},
	{key: "held_count", zh: "持有数", en: "Held", kind: colInt},
	{key: "held", zh: "持有", en: "Marks held", kind: colText},
	{key: "warned", zh: "预警", en: "Warnings", kind: colText},
	{key: "removed", zh: "已摘", en: "Removed", kind: colText},
	{key: "score", zh: "本期得分合计", en: "Scores this period", kind: colText},
	{key: "state", zh: "本期评定", en: "This period", kind: colText},
}

var ratingStateWords = map[string][2]string{"": {"未开始", "not begun"}, "draft": {"自评中", "self-assessing"},
	"submitted": {"待审核", "to review"}, "returned": {"已退回", "returned"}, "notice": {"公示中", "public notice"},
	"awarded": {"已授予", "awarded"}}

// handleRatingRanking: GET /api/ratings/ranking?unit=&scheme=&period=&format=xlsx|csv&lang= -> the
// villages ranked by marks held, as a file.
func (s *Server) handleRatingRanking(w http.ResponseWriter, r *http.Request) {
	req, o, err := s.ratingOverview(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	lang, format := r.URL.Query().Get("lang"), r.URL.Query().Get("format")
	if lang != "en" {
		lang = "zh"
	}
	if format == "" {
		format = "xlsx"
	}
	if format != "xlsx" && format != "csv" {
		writeError(w, s.logger, &FieldError{Field: "format", Message: `"xlsx" or "csv"`})
		return
	}
	names := func(marks []int) string {
		var out []string
		for _, m := range marks {
			if m >= 1 && m <= len(o.Marks) {
				out = append(out, o.Marks[m-1])
			}
		}
		return strings.Join(out, "、")
	}
	t := table{name: "ratings", columns: ratingRankingColumns}
	for _, v := range o.Villages {
		word := ratingStateWords[v.State][0]
		if lang == "en" {
			word = ratingStateWords[v.State][1]
		}
		t.rows = append(t.rows, map[string]any{"rank": v.Rank, "code": v.Code, "name": v.Name, "township": v.Township,
			"held_count": len(v.Held), "held": names(v.Held), "warned": names(v.Warned), "removed": names(v.Removed),
			"score": fmt.Sprintf("%.2f", v.Score), "state": word})
	}
	var buf bytes.Buffer
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = t.writeXLSX(&buf, lang)
	} else {
		err = t.writeCSV(&buf, lang)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ratings-%s-%s-%s.%s"`, o.Scheme, req.unit,
		o.From.Format(time.DateOnly), format))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
