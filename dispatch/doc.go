// Package dispatch is the domain: it turns a grid worker's report into a case, routes it to a
// mediation centre, moves it through the village, township and county tiers (DOMAIN.md) by the
// state machine, and publishes every committed transition on NATS JetStream. PostgreSQL is the
// source of truth; NATS carries only what has committed (through the outbox). It imports grid
// (units, paths, roles) and never web or cmd; the demo's generated past is dispatch/demohistory,
// which imports dispatch and never the reverse (the layers in the module's imports_test.go).
//
// Where each concept lives:
//
//   - reports and intake (a report durably becomes an event and a case): report.go, intake.go,
//     intake_store.go; a member's reports: report_store.go; photos: photo_store.go
//   - categories and their deadlines: category.go; the catalogue as edited: catalogue_store.go;
//     risk-grade rules: grade_rules_store.go
//   - routing (which centre takes a case, tiers above and below): routing.go
//   - the case machine (states, actions, who may take them): case_machine.go; the tiers a
//     case moves through (Tier: county, township, village, and the grid): tier.go
//   - transitions (checking and applying one): case_transition.go; concurrent ones sharing a
//     commit: case_batch.go; writing it, with the deadline it leaves: case_record.go; the
//     message it publishes: case_event.go
//   - working-day clocks and the calendar: calendar.go, calendar_clock.go, calendar_store.go
//   - the issue 16 transitions: case_decline.go, case_decline_query.go (退单), case_extension.go,
//     case_extension_pending.go, case_extension_query.go, case_park_review.go (延期, 挂账),
//     case_grade.go, case_leader.go (grading, 领导包案), case_callback.go (回访)
//   - duplicates and merging (并单): case_duplicates.go, case_merge.go, case_merged.go
//   - queues and case pages: case_query.go, case_query_store.go
//   - the deadline timer: escalator.go
//   - the outbox and its relay to JetStream: outbox.go, outbox_store.go
//   - the bus (the only files that use nats.go): bus.go, bus_streams.go, bus_live.go
//   - notifications: notifier.go, notification_store.go
//   - the dashboard's figures: stats.go (per-transition deltas), stats_applier.go and
//     stats_store.go (kept from the bus), stats_rebuild.go (recomputed from the history),
//     stats_query_store.go, stats_figures.go, stats_period.go (read)
//   - sentinel errors: errors.go
package dispatch
