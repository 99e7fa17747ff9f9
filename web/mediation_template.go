package web

import (
	"net/http"

	"github.com/griddispatch/griddispatch/dispatch"
)

// The agreement's template, one for the county (docs/mediation.md, "Template"): administrators
// read it, county administrators change it; an unknown placeholder is refused.

// handleAgreementTemplate: GET /api/admin/agreement-template -> {title, body, placeholders}.
func (s *Server) handleAgreementTemplate(w http.ResponseWriter, r *http.Request) {
	t, err := s.mediations.Template(r.Context())
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"title": t.Title, "body": t.Body, "placeholders": dispatch.Placeholders,
		"max_title": dispatch.MaxTemplateTitleChars, "max_body": dispatch.MaxTemplateBodyChars})
}

// handleAgreementTemplateSave: PUT /api/admin/agreement-template {title, body} -> the template.
func (s *Server) handleAgreementTemplateSave(w http.ResponseWriter, r *http.Request) {
	var t dispatch.AgreementTemplate
	if err := decodeJSON(w, r, 48<<10, &t); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if err := s.mediations.SaveTemplate(r.Context(), t, principalFrom(r.Context()).Member.ID); err != nil {
		writeError(w, s.logger, err)
		return
	}
	s.handleAgreementTemplate(w, r)
}
