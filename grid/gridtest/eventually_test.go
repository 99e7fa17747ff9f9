package gridtest

import (
	"testing"
	"time"
)

func TestEventually(t *testing.T) {
	t.Parallel()
	n := 0
	Eventually(t, "the third look", func() bool { n++; return n == 3 })
	if n != 3 {
		t.Fatalf("looked %d times, want 3", n)
	}
}

// fatalRecorder stops at Fatalf as testing.T does, so that a timeout can be observed.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = format
	panic(r)
}

func TestEventuallyWithinFailsAfterItsTimeout(t *testing.T) {
	t.Parallel()
	r := &fatalRecorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil && p != r {
				panic(p)
			}
		}()
		EventuallyWithin(r, 50*time.Millisecond, "never", func() bool { return false })
	}()
	if r.msg == "" {
		t.Fatal("EventuallyWithin returned for a condition that never held")
	}
}
