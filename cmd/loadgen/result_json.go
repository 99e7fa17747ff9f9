package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// writeJSON writes the result for another program (cmd/faults) to read.
func (r Result) writeJSON(path string) error {
	b, err := json.Marshal(struct {
		Result
		CheckOK    bool
		Consistent bool
	}{r, r.Check.OK(), r.consistent()})
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("--result-file: %w", err)
	}
	return nil
}
