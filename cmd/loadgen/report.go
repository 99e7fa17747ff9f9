package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

func (r Result) print(w io.Writer, perSecond bool) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
	fmt.Fprintf(w, "phones %d (members %d), window %s\n", r.Phones, r.Members, r.Window)
	if r.Interrupted {
		fmt.Fprintln(w, "INTERRUPTED before the window ended: the rates below are over the whole window")
	}
	fmt.Fprintf(w, "throughput: %.0f reports/s acknowledged within the window (sent %.0f/s); slowest second %d, median second %d; last ack %.1fs after start\n",
		r.Throughput, r.SentRate, r.SlowestSecond, r.MedianSecond, r.LastAck.Seconds())
	if perSecond {
		fmt.Fprintf(w, "acknowledged per second: %v\n", r.PerSecond)
	}
	fmt.Fprintf(w, "ack latency: p50 %s, p90 %s, p99 %s, max %s\n", ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max))
	fmt.Fprintf(w, "sent: %d reports (%d from outside the grid), %d messages with %d resends\n",
		r.Reports, r.Outside, r.Messages, r.Resends)
	fmt.Fprintf(w, "acked: %d reports, %d unlocated; %d ack frames, %d of them duplicates; %d status frames\n",
		r.AckedReports, r.UnlocatedAcked, r.Acks, r.DupAcks, r.Statuses)
	fmt.Fprintf(w, "unanswered: %d, disconnects: %d, errors:", r.Unanswered, r.Disconnects)
	if len(r.Errors) == 0 {
		fmt.Fprint(w, " none")
	}
	for _, code := range slices.Sorted(maps.Keys(r.Errors)) {
		fmt.Fprintf(w, " %s=%d", code, r.Errors[code])
	}
	fmt.Fprintln(w)
	if r.Reconnect {
		var longest time.Duration
		for _, in := range r.Interruptions {
			if !in.To.IsZero() {
				longest = max(longest, in.To.Sub(in.From))
			}
		}
		fmt.Fprintf(w, "reconnecting phones: %d reconnections, %d messages lost with their connection and sent again; "+
			"%d interruptions, the longest %.1fs; %d reports still unacknowledged\n",
			r.Reconnects, r.Abandoned, len(r.Interruptions), longest.Seconds(), r.Waiting)
	}
	fmt.Fprintf(w, "phones' view: %s (acked as new twice: %d, acks disagreeing: %d, unlocated %d of %d acked from outside)\n",
		okOrFailed(r.consistent()), r.FreshTwice, r.Disagreeing, r.UnlocatedAcked, r.AckedOutside)
	c := r.Check
	fmt.Fprintf(w, "exactly-once: %s: %d acknowledged, %d stored as exactly that one event, %d with exactly that one case, %d unlocated without a case",
		okOrFailed(c.OK()), c.Acked, c.Events, c.Cases, c.Unlocated)
	if !c.OK() {
		fmt.Fprintf(w, "; missing %d, wrong event %d, wrong cases %d, unlocated with a case %d",
			c.Missing, c.WrongEvent, c.WrongCases, c.CaseForUnloc)
	}
	fmt.Fprintln(w)
	switch {
	case r.OutboxBacklog == 0:
		fmt.Fprintln(w, "outbox: every committed report already published to NATS")
	case r.OutboxDrained < 0:
		fmt.Fprintf(w, "outbox: %d rows not yet published to NATS, still not all after --drain\n", r.OutboxBacklog)
	default:
		fmt.Fprintf(w, "outbox: %d rows not yet published to NATS at the check, all published %.1fs later\n",
			r.OutboxBacklog, r.OutboxDrained.Seconds())
	}
}

func okOrFailed(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAILED"
}
