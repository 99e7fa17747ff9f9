package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// checkTimeout bounds each readiness check so a hung dependency reports as not ready rather
// than hanging the probe.
const checkTimeout = 2 * time.Second

// handleHealth says the process is up. It touches no dependency, so an orchestrator restarts
// the process only when the process itself is stuck.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady runs every check concurrently and answers 200 only if all pass. Details name
// the failing dependency but not connection strings.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	results := make(map[string]string, len(s.checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	ready := true
	for _, c := range s.checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
			defer cancel()
			err := c.Fn(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				ready = false
				results[c.Name] = err.Error()
				s.logger.Warn("not ready", "check", c.Name, "err", err)
				return
			}
			results[c.Name] = "ok"
		}()
	}
	wg.Wait()
	status, code := "ready", http.StatusOK
	if !ready {
		status, code = "not ready", http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"status": status, "checks": results})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
