package web

import (
	"io"
	"net/http"

	"github.com/griddispatch/griddispatch/dispatch"
)

type photoJSON struct {
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Bytes       int    `json:"bytes"`
}

// handlePhotoUpload: POST /api/photos with the image as the body -> 201 {"sha256", ...}.
// The phone uploads photos first and lists their hashes in its report.
func (s *Server) handlePhotoUpload(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, dispatch.MaxPhotoBytes))
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	ph, err := s.photos.Save(r.Context(), principalFrom(r.Context()).Member.ID, data)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, photoJSON{SHA256: ph.SHA256, ContentType: ph.ContentType, Bytes: ph.Bytes})
}

// handlePhoto: GET /api/photos/{sha256} -> the image, to those allowed to see it.
func (s *Server) handlePhoto(w http.ResponseWriter, r *http.Request) {
	path, contentType, err := s.photos.Open(r.Context(), r.PathValue("sha256"), principalFrom(r.Context()).Member.ID)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	http.ServeFile(w, r, path)
}
