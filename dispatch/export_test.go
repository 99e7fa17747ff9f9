package dispatch

import "time"

// SetClock makes cs count the deadlines its transitions set from at instead of the database's
// now(), so that a test can stand on a Friday afternoon or before a holiday week.
func (cs *Cases) SetClock(at time.Time) { cs.clock = func() time.Time { return at } }

// Batches says how many batches cs's transitions were taken in, and how many transitions those
// held: the difference is commits shared (case_batch.go).
func (cs *Cases) Batches() (batches, transitions int64) {
	return cs.queue.batches.Load(), cs.queue.calls.Load()
}

// SetBatching sets how many batches of cs's transitions may commit at once, and how many
// transitions a batch may hold (1: each in a transaction of its own, as before batching).
func (cs *Cases) SetBatching(slots, limit int) {
	cs.queue = newApplyQueue(slots)
	cs.queue.limit = max(1, limit)
}

// HoldBatches takes every batch slot of cs, so that its transitions queue until release: the
// first caller to get a slot back then commits all of them in one batch.
func (cs *Cases) HoldBatches() (release func()) {
	q := cs.queue
	for range cap(q.slots) {
		q.slots <- struct{}{}
	}
	return func() {
		for range cap(q.slots) {
			<-q.slots
		}
	}
}

// Queued is how many of cs's transitions wait for a batch.
func (cs *Cases) Queued() int {
	cs.queue.mu.Lock()
	defer cs.queue.mu.Unlock()
	return len(cs.queue.waiting)
}
