package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// Notifications lists and marks a member's notifications; dispatch.Notifier is one.
type Notifications interface {
	List(ctx context.Context, member int64, limit int) ([]dispatch.Notification, int, error)
	MarkRead(ctx context.Context, member, upTo int64) error
}

type notificationJSON struct {
	ID           int64      `json:"id"`
	CaseID       int64      `json:"case_id"`
	TransitionID int64      `json:"transition_id"`
	Kind         string     `json:"kind"`
	UnitName     string     `json:"unit_name"`
	Category     string     `json:"category"`
	CreatedAt    time.Time  `json:"created_at"`
	ReadAt       *time.Time `json:"read_at"`
}

// handleMyNotifications: GET /api/my/notifications?limit=N -> the member's latest, newest first.
func (s *Server) handleMyNotifications(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, 50, dispatch.MaxListedNotifications)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, unread, err := s.notifications.List(r.Context(), principalFrom(r.Context()).Member.ID, limit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]notificationJSON, len(list))
	for i, n := range list {
		out[i] = notificationJSON{ID: n.ID, CaseID: n.CaseID, TransitionID: n.TransitionID, Kind: n.Kind,
			UnitName: n.UnitName, Category: n.Category, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
	}
	writeJSON(w, http.StatusOK, map[string]any{"unread": unread, "notifications": out})
}

// notificationsRead marks as read every notification up to an id.
type notificationsRead struct {
	UpTo int64 `json:"up_to"`
}

const maxNotificationsReadBody = 1 << 10

func (req notificationsRead) check() error {
	if req.UpTo <= 0 {
		return fmt.Errorf("%w: up_to must be a notification id", ErrBadRequest)
	}
	return nil
}

// handleNotificationsRead: POST /api/my/notifications/read {"up_to": id} -> 204.
func (s *Server) handleNotificationsRead(w http.ResponseWriter, r *http.Request) {
	var req notificationsRead
	if err := decodeJSON(w, r, maxNotificationsReadBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if err := req.check(); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if err := s.notifications.MarkRead(r.Context(), principalFrom(r.Context()).Member.ID, req.UpTo); err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
