package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/griddispatch/griddispatch/dispatch"
)

// GradeRules is what each risk grade does to a case, as county administrators edit it
// (docs/admin-api.md, "Grade rules"); dispatch.GradeRules is one.
type GradeRules interface {
	List(ctx context.Context) ([]dispatch.GradeRule, error)
	Save(ctx context.Context, r dispatch.GradeRule, by int64) error
}

// gradeRuleJSON is a grade's rule: the tier the case must be at least at ("": none) and its
// share of the category's tier deadline in percent.
type gradeRuleJSON struct {
	Grade       dispatch.Grade `json:"grade"`
	Tier        string         `json:"tier"`
	DeadlinePct int            `json:"deadline_pct"`
}

const maxGradeRuleBody = 1 << 10

func gradeRuleOf(r dispatch.GradeRule) gradeRuleJSON {
	out := gradeRuleJSON{Grade: r.Grade, DeadlinePct: r.DeadlinePct}
	if r.Tier != 0 {
		out.Tier = r.Tier.String()
	}
	return out
}

// handleGradeRules: GET /api/admin/grade-rules -> the rule of each grade, simple to difficult.
func (s *Server) handleGradeRules(w http.ResponseWriter, r *http.Request) {
	list, err := s.gradeRules.List(r.Context())
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]gradeRuleJSON, len(list))
	for i, g := range list {
		out[i] = gradeRuleOf(g)
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": out, "min_pct": dispatch.MinGradeDeadlinePct, "max_pct": dispatch.MaxGradeDeadlinePct})
}

// handleGradeRuleSave: PUT /api/admin/grade-rules/{grade} {"tier", "deadline_pct"} -> the rule.
func (s *Server) handleGradeRuleSave(w http.ResponseWriter, r *http.Request) {
	grade := dispatch.Grade(r.PathValue("grade"))
	if !grade.Valid() {
		writeError(w, s.logger, fmt.Errorf("%w: %w", ErrNotFound, dispatch.ErrUnknownGrade))
		return
	}
	var req gradeRuleJSON
	if err := decodeJSON(w, r, maxGradeRuleBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if req.Grade != "" && req.Grade != grade {
		writeError(w, s.logger, fmt.Errorf("%w: the body's grade must be the one in the path", ErrBadRequest))
		return
	}
	rule := dispatch.GradeRule{Grade: grade, DeadlinePct: req.DeadlinePct}
	if req.Tier != "" {
		var ok bool
		if rule.Tier, ok = dispatch.ParseTier(req.Tier); !ok {
			writeError(w, s.logger, &FieldError{Field: "tier", Message: `"village", "township", "county" or ""`})
			return
		}
	}
	if rule.DeadlinePct < dispatch.MinGradeDeadlinePct || rule.DeadlinePct > dispatch.MaxGradeDeadlinePct {
		writeError(w, s.logger, &FieldError{Field: "deadline_pct", Message: fmt.Sprintf("a percentage of the category's deadline, %d to %d",
			dispatch.MinGradeDeadlinePct, dispatch.MaxGradeDeadlinePct)})
		return
	}
	if err := s.gradeRules.Save(r.Context(), rule, principalFrom(r.Context()).Member.ID); err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, gradeRuleOf(rule))
}
