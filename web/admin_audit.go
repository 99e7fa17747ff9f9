package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// auditEntryJSON is one entry of the audit log (docs/admin.md, "Audit log").
type auditEntryJSON struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    *int64          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	MemberID   *int64          `json:"member_id"`
	MemberName string          `json:"member_name"`
	Units      []string        `json:"units"`
	Detail     json.RawMessage `json:"detail"`
}

// maxActionName bounds the action filter: the actions are short words with dots.
const maxActionName = 40

// auditEntries reads the entries the query asks for, in the administrator's subtrees.
func (s *Server) auditEntries(r *http.Request) ([]grid.AuditEntry, error) {
	a, _ := adminFrom(r.Context())
	q := r.URL.Query()
	member, err := queryInt(q.Get("member"), "member", 0, 1, 1<<62)
	if err != nil {
		return nil, err
	}
	before, err := queryInt(q.Get("before"), "before", 0, 1, 1<<62)
	if err != nil {
		return nil, err
	}
	limit, err := queryInt(q.Get("limit"), "limit", grid.MaxAuditPage, 1, grid.MaxAuditPage)
	if err != nil {
		return nil, err
	}
	action := q.Get("action")
	if len(action) > maxActionName || strings.Trim(action, "abcdefghijklmnopqrstuvwxyz_.") != "" {
		return nil, &FieldError{Field: "action", Message: "an action such as member.add or password.reset"}
	}
	return s.auth.grid.AuditLog(r.Context(), a, grid.AuditQuery{Member: member, Action: action, Before: before, Limit: int(limit)})
}

// handleAudit: GET /api/admin/audit?member=&action=&before=&limit= -> entries, newest first.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	entries, err := s.auditEntries(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]auditEntryJSON, len(entries))
	for i, e := range entries {
		out[i] = auditEntryJSON(e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}

// handleAuditCSV: GET /api/admin/audit.csv -> the same entries as CSV, UTF-8 with a byte
// order mark so that Excel reads the Chinese names.
func (s *Server) handleAuditCSV(w http.ResponseWriter, r *http.Request) {
	entries, err := s.auditEntries(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"id", "at", "actor_id", "actor_name", "action", "member_id", "member_name", "units", "detail"})
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	for _, e := range entries {
		_ = cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339), id(e.ActorID), defuse(e.ActorName),
			e.Action, id(e.MemberID), defuse(e.MemberName), strings.Join(e.Units, " "), defuse(string(e.Detail))})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		writeError(w, s.logger, fmt.Errorf("audit CSV: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
