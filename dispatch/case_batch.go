package dispatch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Group commit for transitions. Apply calls that arrive together share one transaction: one
// round trip locks and reads all their cases, each is checked on its own, and one round trip
// writes those that pass, with the COMMIT. A transition that is refused (stale version, not
// yours, not allowed...) is simply left out of the write, so it does not affect the others;
// every caller is answered only once the shared COMMIT has returned. If anything in the shared
// transaction fails in the database, it is rolled back whole and each transition it held is
// applied again in a transaction of its own, so one bad statement cannot sink the others; if
// the connection is lost, nobody is acknowledged (nothing or everything of the batch
// committed, as for a single transaction whose COMMIT went unanswered: ErrRetryable, and a
// retry with the same version is refused as stale if it had committed).
//
// There is no goroutine of its own: the callers take turns committing (leader and followers).
// A caller queues its transition; whoever holds one of the slots takes what is queued, up to
// maxApplyBatch, and commits it for everyone. With one caller at a time every batch holds one
// transition, applied exactly as alone. Measured in docs/benchmarks.md, "Transitions (issue 18)".

const (
	// maxApplyBatch bounds the transitions sharing one transaction (and the locks it holds).
	maxApplyBatch = 32
	// applyTimeout bounds a batch: the leader commits for others, so its own context's
	// cancellation must not cancel theirs.
	applyTimeout = 30 * time.Second
)

// applyCall is one Apply waiting for its batch.
type applyCall struct {
	t    Transition
	r    rule
	view CaseView
	err  error
	done chan struct{} // closed once view and err are final
}

// applyQueue holds the transitions waiting to be committed, and the slots of the batches in
// flight (each holding one connection).
type applyQueue struct {
	mu      sync.Mutex
	waiting []*applyCall
	slots   chan struct{}
	limit   int // transitions per batch: maxApplyBatch, or fewer in benchmarks

	batches, calls atomic.Int64 // batches taken, and the transitions in them (export_test.go)
}

func newApplyQueue(batches int) *applyQueue {
	return &applyQueue{slots: make(chan struct{}, max(1, batches)), limit: maxApplyBatch}
}

func (q *applyQueue) push(c *applyCall) {
	q.mu.Lock()
	q.waiting = append(q.waiting, c)
	q.mu.Unlock()
}

// take removes up to n waiting calls in arrival order, at most one per case: a case's second
// transition must read what the first one wrote, so it waits for the next batch.
func (q *applyQueue) take(n int) []*applyCall {
	q.mu.Lock()
	defer q.mu.Unlock()
	var batch []*applyCall
	cases := map[int64]bool{}
	rest := q.waiting[:0]
	for _, c := range q.waiting {
		if len(batch) < n && !cases[c.t.CaseID] {
			cases[c.t.CaseID] = true
			batch = append(batch, c)
		} else {
			rest = append(rest, c)
		}
	}
	clear(q.waiting[len(rest):])
	q.waiting = rest
	if len(batch) > 0 {
		q.batches.Add(1)
		q.calls.Add(int64(len(batch)))
	}
	return batch
}

// remove takes c out of the queue if no batch has taken it yet.
func (q *applyQueue) remove(c *applyCall) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if i := slices.Index(q.waiting, c); i >= 0 {
		q.waiting = slices.Delete(q.waiting, i, i+1)
		return true
	}
	return false
}

// applyQueued queues t and returns once a batch (this caller's or another's) has committed it
// or refused it.
func (cs *Cases) applyQueued(ctx context.Context, t Transition, r rule) (CaseView, error) {
	call := &applyCall{t: t, r: r, done: make(chan struct{})}
	q := cs.queue
	q.push(call)
	for {
		select {
		case <-call.done:
			return call.view, call.err
		case q.slots <- struct{}{}:
			batch := q.take(q.limit)
			if len(batch) > 0 {
				bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), applyTimeout)
				cs.applyBatch(bctx, batch)
				cancel()
			}
			<-q.slots
			if len(batch) == 0 { // ours is in another caller's batch
				<-call.done
				return call.view, call.err
			}
		case <-ctx.Done():
			if q.remove(call) {
				return CaseView{}, fmt.Errorf("%w: %v", ErrRetryable, ctx.Err())
			}
			<-call.done // taken: it may commit, so the answer must say whether it did
			return call.view, call.err
		}
	}
}

// applyBatch commits batch on one connection and answers every call in it.
func (cs *Cases) applyBatch(ctx context.Context, batch []*applyCall) {
	defer func() {
		for _, c := range batch {
			if c.err != nil && !isCaseError(c.err) && !errors.Is(c.err, ErrRetryable) {
				c.err = fmt.Errorf("%w: %v", ErrRetryable, c.err)
			}
			close(c.done)
		}
	}()
	conn, err := cs.pool.Acquire(ctx)
	if err != nil {
		for _, c := range batch {
			c.err = err
		}
		return
	}
	defer conn.Release() // a connection left inside a transaction is closed, not reused
	if len(batch) > 1 {
		left, err := applyTogether(ctx, conn.Conn(), batch, cs.clock)
		if err == nil {
			return
		}
		batch = left // rolled back: each again in a transaction of its own
	}
	for _, c := range batch {
		c.view, c.err = applyAlone(ctx, conn.Conn(), c.t, c.r, cs.clock)
	}
}

// applyTogether performs batch's transitions in one transaction. Refused transitions get their
// error and are left out. On a database error the transaction is rolled back and the calls
// not refused are returned, unanswered, with the error.
func applyTogether(ctx context.Context, conn *pgx.Conn, batch []*applyCall, clock func() time.Time) (left []*applyCall, err error) {
	defer func() {
		if err != nil && conn.PgConn().TxStatus() != 'I' {
			_, _ = conn.Exec(ctx, "ROLLBACK") // a broken connection fails the calls left alone too
		}
	}()
	// Cases are locked in id order, so that two batches never wait for each other in a circle.
	calls := slices.SortedFunc(slices.Values(batch), func(a, b *applyCall) int { return cmp.Compare(a.t.CaseID, b.t.CaseID) })
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	for _, c := range calls {
		b.Queue(selectCaseForUpdate, readCaseArgs(c.t, c.r)...)
	}
	br := conn.SendBatch(ctx, b)
	_, err = br.Exec()
	rows := make([]caseRow, len(calls))
	for i, c := range calls {
		if err != nil {
			break
		}
		if rows[i], err = scanCase(br.QueryRow()); errors.Is(err, ErrCaseNotFound) {
			c.err, err = err, nil
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return unanswered(calls), err
	}

	type written struct {
		call *applyCall
		w    transitionWrite
	}
	var ws []written
	b = &pgx.Batch{}
	for i, c := range calls {
		if c.err != nil {
			continue
		}
		if clock != nil {
			rows[i].now = clock()
		}
		w, err := prepare(ctx, conn, c.t, c.r, rows[i])
		if err != nil && (!isCaseError(err) || conn.PgConn().TxStatus() != 'T') {
			return unanswered(calls), err
		}
		if err != nil {
			c.err = err
			continue
		}
		ws = append(ws, written{c, w})
		b.Queue(w.sql, w.args...)
	}
	if len(ws) == 0 {
		_, err = conn.Exec(ctx, "ROLLBACK") // nothing to write: release the locks
		return unanswered(calls), err
	}
	b.Queue("COMMIT")
	ids := make([]*int64, len(ws))
	for i := range ws {
		ids[i] = &ws[i].w.view.TransitionID
	}
	if err = writeAndCommit(conn.SendBatch(ctx, b), ids...); err != nil {
		return unanswered(calls), err
	}
	for _, x := range ws {
		x.call.view = x.w.view
	}
	return nil, nil
}

// unanswered are the calls of batch without a refusal.
func unanswered(batch []*applyCall) []*applyCall {
	var left []*applyCall
	for _, c := range batch {
		if c.err == nil {
			left = append(left, c)
		}
	}
	return left
}
