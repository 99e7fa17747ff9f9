package web

import (
	"net/http"
)

// Signed copies of an agreement: photos the owner centre uploads (POST /api/photos, as for any
// action's photos) and lists on the attempt. They carry the parties' numbers in full, so only
// the owner centre's mediators read them, through the route below rather than /api/photos.

// handleMediationCopy: POST /api/cases/{id}/mediations/{mid}/copies {"sha256"} -> the attempt.
func (s *Server) handleMediationCopy(w http.ResponseWriter, r *http.Request) {
	c, acc := caseFrom(r.Context()), accessFrom(r.Context())
	id, err := pathID(r.PathValue("mid"), "mediation record")
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var req struct {
		SHA256 string `json:"sha256"`
	}
	if err := decodeJSON(w, r, 1<<10, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if !isHash(req.SHA256) {
		writeError(w, s.logger, &FieldError{Field: "sha256", Message: "the SHA-256 of an uploaded photo, 64 hex digits"})
		return
	}
	if err := s.mediations.AddCopy(r.Context(), c.ID, id, req.SHA256, ownerOf(acc), acc.member); err != nil {
		writeError(w, s.logger, mediationError(err))
		return
	}
	s.writeMediation(w, r, http.StatusOK, id)
}

// handleMediationCopyFile: GET /api/cases/{id}/mediations/{mid}/copies/{sha256} -> the image,
// to the owner centre only (404 to everyone else, as for a photo that does not exist).
func (s *Server) handleMediationCopyFile(w http.ResponseWriter, r *http.Request) {
	c, acc := caseFrom(r.Context()), accessFrom(r.Context())
	id, err := pathID(r.PathValue("mid"), "mediation record")
	if err == nil {
		err = s.mediations.HasCopy(r.Context(), c.ID, id, r.PathValue("sha256"), ownerOf(acc))
	}
	var path, contentType string
	if err == nil {
		path, contentType, err = s.photos.CopyFile(r.Context(), r.PathValue("sha256"))
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	http.ServeFile(w, r, path)
}

func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
