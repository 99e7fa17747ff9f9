package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// limitParam reads the list routes' ?limit=: def when absent, else a whole number from 1 to max.
func limitParam(r *http.Request, def, max int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, &FieldError{Field: "limit", Message: fmt.Sprintf("must be a whole number from 1 to %d", max)}
	}
	return n, nil
}
