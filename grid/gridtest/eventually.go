package gridtest

import (
	"testing"
	"time"
)

// Timeout is how long Eventually waits: generous, because it only matters when a test is about
// to fail, and tests run in parallel on small machines. Interval is how often it looks.
const (
	Timeout  = 30 * time.Second
	Interval = 20 * time.Millisecond
)

// Eventually waits for cond to hold, asking every Interval, and fails the test naming what it
// waited for if it still does not after Timeout. It asserts nothing about how long it took.
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	EventuallyWithin(tb, Timeout, what, cond)
}

// EventuallyWithin is Eventually with a timeout of its own, for waits that are known to be
// longer (a NATS cluster electing a leader, a server process starting).
func EventuallyWithin(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(Interval)
	}
}
