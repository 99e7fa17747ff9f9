// Package demohistory generates the demo's past (docs/demo-history.md): past events and their
// cases, each with the rows the live system would have written had it taken them through intake,
// the mediation centres and the timer, and writes them to the database in bulk.
//
// Generation is pure and deterministic: the same world, options and seed give the same rows. A
// day is generated on its own (from its own random stream), so days can be generated in parallel
// and twice (once to count, once to write) with the same result. A case is played by the
// domain's own rules, through hooks package dispatch exports for it (dispatch.StartingCentre,
// CentreAbove, CentreBelow, NoCentreReason; Action.Target, Action.TimerMarksLate; the
// category's Deadlines; the timer's Reason constants; RebuildStats), never by a copy of them.
// This package imports dispatch and dispatch never imports it (imports_test.go at the root): the
// live system knows nothing of generated history.
//
// Where things are:
//
//   - options, rows, sharing cases among days, generating a day: history.go
//   - one case's life, step by step: case.go
//   - places (weighted grid leaves) and people (reporters, mediators, supervisors): place.go
//   - volume by category, season, Spring Festival, weekday and hour: calendar.go
//   - the Chinese texts: text.go
//   - reading the world and writing days over parallel COPY connections: store.go
//   - the binary COPY encoder: copy.go
//   - dropping and restoring constraints for a bulk load: bulk_store.go
package demohistory
