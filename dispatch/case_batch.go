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
	// maxApplyParams: a batch's plain transitions are one statement of
	// len(transitionValues) parameters each, and PostgreSQL takes at most 65,535 (this
	// conversion does not compile past it).
	maxApplyParams = uint16(maxApplyBatch * len(transitionValues))
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
	rows, err := readBatch(ctx, conn, calls)
	if err != nil {
		return unanswered(calls), err
	}
	var ws []written
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
	}
	if len(ws) == 0 {
		_, err = conn.Exec(ctx, "ROLLBACK") // nothing to write: release the locks
		return unanswered(calls), err
	}
	if err = writeBatch(conn.SendBatch(ctx, batchOfWrites(ws)), ws); err != nil {
		return unanswered(calls), err
	}
	for _, x := range ws {
		x.call.view = x.w.view
	}
	return nil, nil
}

// written is a transition of a batch that passed its checks, with its write.
type written struct {
	call *applyCall
	w    transitionWrite
}

// batchOfWrites queues ws's writes and the COMMIT: the plain ones in one statement (when there
// are two or more), each of the others in its own.
func batchOfWrites(ws []written) *pgx.Batch {
	b := &pgx.Batch{}
	var plain []any
	n := 0
	for _, x := range ws {
		if x.w.plain {
			plain = append(plain, x.w.args...)
			n++
		}
	}
	if n > 1 {
		b.Queue(writeTransitionsSQL(n)+"\nSELECT case_id, id FROM h", plain...)
	}
	for _, x := range ws {
		if !x.w.plain || n == 1 {
			b.Queue(x.w.sql, x.w.args...)
		}
	}
	b.Queue("COMMIT")
	return b
}

// writeBatch reads the results of batchOfWrites(ws) into ws's views: the shared statement's
// rows (a case and its transition id), then each other statement's id, then the COMMIT's tag.
func writeBatch(br pgx.BatchResults, ws []written) error {
	n := 0
	for _, x := range ws {
		if x.w.plain {
			n++
		}
	}
	var ids []*int64
	byCase := map[int64]*int64{}
	for i := range ws {
		if ws[i].w.plain && n > 1 {
			byCase[ws[i].w.view.ID] = &ws[i].w.view.TransitionID
		} else {
			ids = append(ids, &ws[i].w.view.TransitionID)
		}
	}
	if n > 1 {
		rows, err := br.Query()
		if err == nil {
			var caseID, id int64
			_, err = pgx.ForEachRow(rows, []any{&caseID, &id}, func() error {
				p, ok := byCase[caseID]
				if !ok {
					return fmt.Errorf("transitions: the shared write returned case %d, not in its batch", caseID)
				}
				*p = id
				delete(byCase, caseID)
				return nil
			})
		}
		if err == nil && len(byCase) > 0 {
			err = fmt.Errorf("transitions: the shared write wrote %d of its %d cases", n-len(byCase), n)
		}
		if err != nil {
			_ = br.Close()
			return err
		}
	}
	return writeAndCommit(br, ids...)
}

// readBatch locks and reads the cases of calls (sorted by case) in one statement, with BEGIN.
// A case that does not exist answers its call with ErrCaseNotFound.
func readBatch(ctx context.Context, conn *pgx.Conn, calls []*applyCall) ([]caseRow, error) {
	ids := make([]int64, len(calls))
	actors := make([]int64, len(calls))
	roles := make([]string, len(calls))
	for i, c := range calls {
		ids[i], actors[i], roles[i] = c.t.CaseID, c.t.ActorID, actorRole(c.t, c.r)
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(selectCasesForUpdate, ids, actors, roles)
	br := conn.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	rs, err := br.Query()
	if err != nil {
		return nil, err
	}
	read := make(map[int64]caseRow, len(calls))
	for rs.Next() {
		c, err := scanCase(rs)
		if err != nil {
			rs.Close()
			return nil, err
		}
		read[c.id] = c
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	rows := make([]caseRow, len(calls))
	for i, c := range calls {
		row, ok := read[c.t.CaseID]
		if !ok {
			c.err = ErrCaseNotFound
		}
		rows[i] = row
	}
	return rows, br.Close()
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
