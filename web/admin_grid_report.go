package web

import (
	"slices"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
)

// importReportJSON is the import report of docs/admin-api.md: what the file holds, every
// problem at once, and a map of the file's units with their problems for the admin app.
type importReportJSON struct {
	DryRun              bool                 `json:"dry_run"`
	Committed           bool                 `json:"committed"`
	CRS                 geo.CRS              `json:"crs"`
	Units               int                  `json:"units"`
	FeatureProblems     []featureProblemJSON `json:"feature_problems"`
	MoreFeatureProblems int                  `json:"more_feature_problems,omitempty"`
	Problems            []problemJSON        `json:"problems"`
	Repairs             []repairJSON         `json:"repairs"`
	Result              struct {
		Inserted int `json:"inserted"`
		Updated  int `json:"updated"`
	} `json:"result"`
	Map featureCollectionJSON `json:"map"`
}

type featureProblemJSON struct {
	Index   int    `json:"index"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

type problemJSON struct {
	Code   string           `json:"code"`
	Name   string           `json:"name"`
	Level  grid.Level       `json:"level"`
	Kind   grid.ProblemKind `json:"kind"`
	AreaM2 float64          `json:"area_m2"`
	Other  string           `json:"other,omitempty"`
	Detail string           `json:"detail"`
}

type repairJSON struct {
	Code           string  `json:"code"`
	Name           string  `json:"name"`
	Reason         string  `json:"reason"`
	VerticesBefore int     `json:"vertices_before"`
	VerticesAfter  int     `json:"vertices_after"`
	AreaBeforeM2   float64 `json:"area_before_m2"`
	AreaAfterM2    float64 `json:"area_after_m2"`
	PartsAfter     int     `json:"parts_after"`
}

type featureCollectionJSON struct {
	Type     string        `json:"type"`
	Features []featureJSON `json:"features"`
}

type featureJSON struct {
	Type       string         `json:"type"`
	Properties map[string]any `json:"properties"`
	Geometry   geo.Geometry   `json:"geometry"`
}

func featureProblemsOf(fes []*grid.FeatureError) []featureProblemJSON {
	out := make([]featureProblemJSON, len(fes))
	for i, fe := range fes {
		msg := fe.Error()
		if fe.Err != nil {
			msg = fe.Err.Error()
		}
		out[i] = featureProblemJSON{Index: fe.Index, Code: fe.Code, Message: msg}
	}
	return out
}

func problemsOf(ps []grid.Problem) []problemJSON {
	out := make([]problemJSON, len(ps))
	for i, p := range ps {
		out[i] = problemJSON{Code: p.Code, Name: p.Name, Level: p.Level, Kind: p.Kind, AreaM2: p.AreaM2, Other: p.Other, Detail: p.Detail}
	}
	return out
}

// fill puts the store's report and the units read into rep.
func (rep *importReportJSON) fill(ir grid.ImportReport, units []grid.Unit) {
	rep.Committed, rep.Units = ir.Committed, len(units)
	rep.Result.Inserted, rep.Result.Updated = ir.Result.Inserted, ir.Result.Updated
	rep.Problems = problemsOf(ir.Problems)
	rep.Repairs = make([]repairJSON, len(ir.Repairs))
	for i, r := range ir.Repairs {
		rep.Repairs[i] = repairJSON{Code: r.Code, Name: r.Name, Reason: r.Reason, VerticesBefore: r.VerticesBefore,
			VerticesAfter: r.VerticesAfter, AreaBeforeM2: r.AreaBeforeM2, AreaAfterM2: r.AreaAfterM2, PartsAfter: r.PartsAfter}
	}
	kinds := map[string][]grid.ProblemKind{}
	for _, p := range ir.Problems {
		for _, c := range []string{p.Code, p.Other} {
			if c != "" && !slices.Contains(kinds[c], p.Kind) {
				kinds[c] = append(kinds[c], p.Kind)
			}
		}
	}
	rep.Map = featureCollectionJSON{Type: "FeatureCollection", Features: make([]featureJSON, len(units))}
	for i, u := range units {
		ks := kinds[u.Code]
		if ks == nil {
			ks = []grid.ProblemKind{}
		}
		rep.Map.Features[i] = featureJSON{Type: "Feature", Geometry: geo.EncodeMultiPolygon(u.Geom),
			Properties: map[string]any{"code": u.Code, "name": u.Name, "level": u.Level, "problems": ks}}
	}
}
