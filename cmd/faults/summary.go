package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// sum is what the summary's first line counts.
type sum struct {
	Sent, Acknowledged, Stored, Duplicates, Lost, Unacknowledged int64
}

func (r *scenarioResult) sum() sum {
	lg := r.Loadgen
	return sum{Sent: lg.Reports, Acknowledged: lg.AckedReports, Stored: lg.Check.Events,
		// Acknowledged as new twice, stored as another event than acknowledged, or a client id
		// stored twice (the first check).
		Duplicates: lg.FreshTwice + lg.Check.WrongEvent + r.Checks[0].Bad,
		Lost:       lg.Check.Missing, Unacknowledged: lg.Waiting}
}

// ok is the verdict: nothing lost or duplicated, every phone and the console back, every check.
func (r *scenarioResult) ok() bool {
	s := r.sum()
	ok := s.Lost == 0 && s.Duplicates == 0 && s.Unacknowledged == 0 && r.Loadgen.CheckOK && r.Loadgen.Consistent &&
		r.LateLive && s.Acknowledged > 0
	for _, f := range r.Faults {
		ok = ok && f.Phones.Never == 0 && f.Console.Resumed >= 0
	}
	for _, c := range r.Checks {
		ok = ok && c.ok()
	}
	return ok
}

func (r *scenarioResult) print(w io.Writer, cfg Config) bool {
	s := r.sum()
	ok := r.ok()
	replicas := ""
	if sc := scenarios[r.Name]; sc.natsNodes > 1 {
		replicas = fmt.Sprintf(", streams with %d replica(s)", r.Replicas)
	}
	fmt.Fprintf(w, "\n== scenario %s: %d NATS node(s), %d griddispatch process(es)%s; loadgen %d phones, %g reports/s for %s: %s\n",
		r.Name, scenarios[r.Name].natsNodes, scenarios[r.Name].servers, replicas, cfg.Workers, cfg.Rate, cfg.Duration, okOrFailed(ok))
	fmt.Fprintf(w, "sent %d  acknowledged %d  stored %d  duplicates %d  lost %d  unacknowledged at the end %d\n",
		s.Sent, s.Acknowledged, s.Stored, s.Duplicates, s.Lost, s.Unacknowledged)
	lg := r.Loadgen
	fmt.Fprintf(w, "phones: %d messages (%d resends), %d acks (%d duplicates), %d connections lost, %d reconnections, %d messages lost with a connection and sent again; errors:",
		lg.Messages, lg.Resends, lg.Acks, lg.DupAcks, lg.Disconnects, lg.Reconnects, lg.Abandoned)
	if len(lg.Errors) == 0 {
		fmt.Fprint(w, " none")
	}
	for _, code := range slices.Sorted(maps.Keys(lg.Errors)) {
		fmt.Fprintf(w, " %s=%d", code, lg.Errors[code])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-36s %6s %9s %7s %22s %30s %9s\n", "fault (recovery: seconds from the kill)", "at", "restarted", "ready",
		"phones acked again", "console updates again", "relayed")
	for _, f := range r.Faults {
		phones := "not interrupted"
		if f.Phones.Interrupted > 0 {
			phones = fmt.Sprintf("%s (%d phones)", secs(f.Phones.Back), f.Phones.Interrupted)
			if f.Phones.Never > 0 {
				phones = fmt.Sprintf("NEVER for %d of %d", f.Phones.Never, f.Phones.Interrupted)
			}
		}
		console := "NEVER"
		switch {
		case f.Console.Resumed == 0:
			console = "no pause"
		case f.Console.Resumed > 0:
			console = fmt.Sprintf("%s (pause %s)", secs(f.Console.Resumed), secs(f.Console.Pause))
		}
		if f.Console.Resubscribed > 0 {
			console += fmt.Sprintf(" resub %d", f.Console.Resubscribed)
		}
		fmt.Fprintf(w, "%-36s %6s %9s %7s %22s %30s %9s\n", f.What, secs(f.Killed.Sub(r.Start)), secs(f.Restarted.Sub(f.Killed)),
			secs(f.Ready.Sub(f.Killed)), phones, console, secs(f.Relayed.Sub(f.Killed)))
	}
	fmt.Fprintf(w, "stored: %d events, %d cases, %d history rows, %d outbox rows\n",
		r.Totals.Events, r.Totals.Cases, r.Totals.History, r.Totals.Outbox)
	// Frames sent while the console was away are not replayed; a console reloads its queue over
	// HTTP after reconnecting (docs/cases-api.md), so missing ones are counted, not failed.
	fmt.Fprintf(w, "console: %d case frames for %d of the %d transitions (%d never received), %d seen twice; updates after the last fault: %s\n",
		r.Frames, r.Distinct, r.Totals.History, r.Totals.History-int64(r.Distinct), r.Repeated, yesNo(r.LateLive))
	for _, a := range r.Apps {
		if a.Step == "fault" {
			fmt.Fprintf(w, "apps after fault %d: the phone's report acknowledged as case %d after %s, shown live in the console after %s (connection drops so far: phone %d, console %d)\n",
				a.N, a.CaseID, secs(time.Duration(a.PhoneAckedMs)*time.Millisecond), secs(time.Duration(a.ConsoleSeenMs)*time.Millisecond), a.PhoneDrops, a.ConsoleDrops)
		}
	}
	c := lg.Check
	fmt.Fprintf(w, "  %-6s every acknowledged report stored exactly once as its event, located ones with their one case (%d acknowledged: %d events, %d cases, %d unlocated; missing %d, wrong event %d, wrong case %d)\n",
		okOrFailed(lg.CheckOK), c.Acked, c.Events, c.Cases, c.Unlocated, c.Missing, c.WrongEvent, c.WrongCases+c.CaseForUnloc)
	fmt.Fprintf(w, "  %-6s the phones' acks agree with each other (none acknowledged as new twice)\n", okOrFailed(lg.Consistent))
	for _, ch := range r.Checks {
		detail := ""
		switch {
		case ch.Err != nil:
			detail = fmt.Sprintf(": %v", ch.Err)
		case ch.Bad > 0:
			detail = fmt.Sprintf(": %d rows break it", ch.Bad)
		}
		fmt.Fprintf(w, "  %-6s %s%s\n", okOrFailed(ch.ok()), ch.What, detail)
	}
	return ok
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

func okOrFailed(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAILED"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}
