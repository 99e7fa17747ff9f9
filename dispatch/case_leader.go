package dispatch

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Leader ownership handed over or given up (issue 16; docs/cases.md "Risk grading"). A county
// leader who owns a difficult case (领导包案, ActLead) may give it up (lead_release, 放弃包案, with
// a reason) or hand it to another leader of the case's county (lead_handover, 移交包案, to
// Transition.ToMember): a member eligible for lead, that is a supervisor assigned at the case's
// county.
//
// Who may: the owner. The grid has no level above the county (grid.County is level 1), so no
// supervisor stands above a county leader; and a fellow leader of the county taking a case from
// its owner would make ownership mean nothing. One exception keeps a case from being owned by
// nobody who can act: when the owner no longer holds a supervisor assignment at the county
// (moved elsewhere, or deactivated, which removes every assignment), any leader of the county
// may release or hand it over.

// The actions of leader ownership; the state does not change.
const (
	ActLeadRelease  Action = "lead_release"  // 放弃包案: the owning leader gives the case up, with a reason
	ActLeadHandover Action = "lead_handover" // 移交包案: the owning leader hands the case to another county leader
)

func init() {
	// Ownership lasts while the case is open, whatever its state (docs/metrics.md, led).
	open := []CaseState{StateQueued, StateAccepted, StateMediating, StateVerifying, StateParked, StateDeclined}
	machine[ActLeadRelease] = rule{from: open, by: byLeader, needsText: true}
	machine[ActLeadHandover] = rule{from: open, by: byLeader}
}

// ownershipActions change who owns a case; each writes a case_leader_changes row.
var ownershipActions = []Action{ActLead, ActLeadRelease, ActLeadHandover}

// checkLeader: a handover names the member it goes to, nothing else names one; neither carries photos.
func (t *Transition) checkLeader() error {
	switch {
	case t.Action == ActLeadHandover && t.ToMember <= 0:
		return fmt.Errorf("%w: lead_handover needs to_member, the leader to hand the case to", ErrBadTransition)
	case t.Action != ActLeadHandover && t.ToMember != 0:
		return fmt.Errorf("%w: to_member belongs to lead_handover only", ErrBadTransition)
	case (t.Action == ActLeadRelease || t.Action == ActLeadHandover) && len(t.Photos) > 0:
		return fmt.Errorf("%w: %s takes no photos", ErrBadTransition, t.Action)
	}
	return nil
}

// selectCountyLeader: whether member $1 is a leader of county $2 (eligible for lead).
const selectCountyLeader = `SELECT EXISTS (SELECT 1 FROM assignments
WHERE member_id = $1 AND role = 'supervisor' AND unit_code = $2)`

// nextLeader works out the owner a release or a handover leaves. The actor is a leader of the
// case's county (the machine's byLeader, read with the lock).
func nextLeader(ctx context.Context, q querier, t Transition, c caseRow, next *caseRow) error {
	if c.leader == nil {
		return ErrNotOwned
	}
	county := c.unit[:6]
	if *c.leader != t.ActorID {
		var holds bool
		if err := q.QueryRow(ctx, selectCountyLeader, *c.leader, county).Scan(&holds); err != nil {
			return err
		}
		if holds {
			return ErrNotOwner
		}
	}
	if t.Action == ActLeadRelease {
		next.leader = nil
		return nil
	}
	var eligible bool
	if err := q.QueryRow(ctx, selectCountyLeader, t.ToMember, county).Scan(&eligible); err != nil {
		return err
	}
	if !eligible || t.ToMember == *c.leader {
		return ErrNotLeader
	}
	to := t.ToMember
	next.leader = &to
	return nil
}

// leaderCTE follows writeTransition for an ownership action: the owner before and after; %d
// are the positions of their parameters.
const leaderCTE = `, l AS (
    INSERT INTO case_leader_changes (history_id, from_leader, to_leader) SELECT h.id, $%d::bigint, $%d::bigint FROM h
)`

// withLeaderChange appends the case_leader_changes row of an ownership action to w.
func withLeaderChange(w transitionWrite, a Action, from, to *int64) transitionWrite {
	if !slices.Contains(ownershipActions, a) {
		return w
	}
	w.args = append(w.args, from, to)
	w.sql += fmt.Sprintf(leaderCTE, len(w.args)-1, len(w.args))
	return w
}

// LeaderRef names a county leader.
type LeaderRef struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// selectCountyLeaders: the leaders of county $1 (supervisors assigned there), by name.
const selectCountyLeaders = `SELECT m.id, m.name FROM assignments a JOIN members m ON m.id = a.member_id
WHERE a.role = 'supervisor' AND a.unit_code = $1 AND m.deactivated_at IS NULL
ORDER BY m.name, m.id`

// readLeaders fills, for an open case a leader owns, the leaders it may be handed to and
// whether its owner still is one.
func readLeaders(ctx context.Context, q querier, d *CaseDetail) error {
	if d.LeaderID == nil || d.State == StateClosed {
		return nil
	}
	rows, err := q.Query(ctx, selectCountyLeaders, d.Unit[:6])
	if err != nil {
		return err
	}
	all, err := pgx.CollectRows(rows, pgx.RowToStructByName[LeaderRef])
	if err != nil {
		return err
	}
	for _, l := range all {
		if l.ID == *d.LeaderID {
			d.LeaderHolds = true
		} else {
			d.LeadTo = append(d.LeadTo, l)
		}
	}
	return nil
}

// leaderOffers: a release or handover is offered to the owner (or, once the owner is no longer
// a leader of the county, to its leaders) of a case a leader owns; a handover only when there
// is another leader to hand it to.
func (d CaseDetail) leaderOffers(a Action, roles ActorRoles) bool {
	if a != ActLeadRelease && a != ActLeadHandover {
		return true
	}
	if d.LeaderID == nil || !roles.Owner && d.LeaderHolds {
		return false
	}
	return a == ActLeadRelease || len(d.LeadTo) > 0
}
