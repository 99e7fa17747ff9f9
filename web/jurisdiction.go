package web

import (
	"context"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// access is what a member's assignments let them reach (DESIGN.md contract 4, docs/cases-api.md):
// mediators work their centre and read their subtree; supervisors and admins watch every
// centre in their subtree; grid leaders read their grid; everyone reads what they reported.
type access struct {
	member      int64
	centres     map[string]bool // mediator at these units
	watch       []string        // supervisor or admin: every centre and case below
	supervises  []string        // supervisor: may urge below
	reads       []string        // any staff assignment: may read cases below
	leads       []string        // grid leader: may verify overdue verifications below
	administers []string        // admin: the units whose subtrees they administer (grid.Admin)
}

func (s *Server) accessOf(ctx context.Context, p Principal) (access, error) {
	as, err := s.auth.grid.Assignments(ctx, p.Member.ID)
	if err != nil {
		return access{}, err
	}
	a := access{member: p.Member.ID, centres: map[string]bool{}}
	for _, x := range as {
		switch x.Role {
		case grid.RoleMediator:
			a.centres[x.UnitCode] = true
			a.reads = append(a.reads, x.UnitCode)
		case grid.RoleSupervisor:
			a.supervises = append(a.supervises, x.UnitCode)
			a.watch = append(a.watch, x.UnitCode)
			a.reads = append(a.reads, x.UnitCode)
		case grid.RoleAdmin:
			a.administers = append(a.administers, x.UnitCode)
			a.watch = append(a.watch, x.UnitCode)
			a.reads = append(a.reads, x.UnitCode)
		case grid.RoleGridLeader:
			a.reads = append(a.reads, x.UnitCode)
			a.leads = append(a.leads, x.UnitCode)
		}
	}
	return a, nil
}

// under reports whether code lies in the subtree of one of roots.
func under(code string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(code, r) {
			return true
		}
	}
	return false
}

// gridAdmin is the member as the grid store's administrator. Roots is never nil, which would
// be the command line's everywhere: a member without an admin assignment administers nothing.
func (a access) gridAdmin() grid.Admin {
	id := a.member
	return grid.Admin{By: &id, Roots: append([]string{}, a.administers...)}
}

// administersUnit: code lies in one of the member's administered subtrees.
func (a access) administersUnit(code string) bool { return under(code, a.administers) }

// countyAdmin: an admin assignment at a county.
func (a access) countyAdmin() bool {
	for _, c := range a.administers {
		if grid.LevelOfCode(c) == grid.County {
			return true
		}
	}
	return false
}

// watchesCentre: the centre's queue and live updates.
func (a access) watchesCentre(code string) bool { return a.centres[code] || under(code, a.watch) }

// watchesSubtree: live updates of every case below a unit.
func (a access) watchesSubtree(code string) bool { return under(code, a.watch) }

// seesFigures: the dashboard's figures of a unit's subtree (supervisors and admins).
func (a access) seesFigures(code string) bool { return under(code, a.watch) }

// readsCase: the case page, its map and photos. Staff read what lies in their subtree and what
// the centres of their subtree hold: a case transferred to a sibling village is read by that
// village's mediators (and the tiers above), and still by the staff of its place.
func (a access) readsCase(c dispatch.CaseSummary) bool {
	return c.ReporterID == a.member || under(c.Unit, a.reads) || under(c.Centre, a.reads)
}

// roles: in which capacities the member may act on the case now.
func (a access) roles(c dispatch.CaseSummary, now time.Time) dispatch.ActorRoles {
	return dispatch.ActorRoles{CentreMediator: a.centres[c.Centre], Reporter: c.ReporterID == a.member,
		Supervisor:      under(c.Unit, a.supervises) || under(c.Centre, a.supervises),
		Verifier:        c.StaffMayVerify(now) && (a.centres[c.Centre] || under(c.Unit, a.leads)),
		Leader:          a.countyLeader(c.Unit),
		SupervisorAbove: under(c.Centre, a.supervises), CentreAbove: a.centreAbove(c.Centre),
		Owner: c.LeaderID != nil && *c.LeaderID == a.member} // 领导包案 (dispatch/case_leader.go)
}

// countyLeader: a supervisor assigned at the county of unit, who may take ownership of its
// difficult cases (领导包案).
func (a access) countyLeader(unit string) bool {
	for _, s := range a.supervises {
		if grid.LevelOfCode(s) == grid.County && strings.HasPrefix(unit, s) {
			return true
		}
	}
	return false
}

// centreAbove: the member mediates a centre above centre (an ancestor unit's), which rules on
// that centre's declines (退单, dispatch/case_decline.go).
func (a access) centreAbove(centre string) bool {
	for c := range a.centres {
		if c != centre && strings.HasPrefix(centre, c) {
			return true
		}
	}
	return false
}
