package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// policy is who may use a route or a websocket subscription (DESIGN.md contract 4,
// docs/jurisdiction.md). Every route is registered in routes() with one, and guard enforces it
// before the handler runs; TestJurisdictionMatrix tries every route and subscription as every
// role, inside and outside the member's subtree.
type policy int

const (
	policyPublic         policy = iota + 1 // probes, the apps' files, signing in
	policyMember                           // any signed-in member, about themselves
	policySocket                           // any signed-in member, the token checked in the websocket handshake
	policyCentreWatcher                    // {code}: mediator at that centre, or supervisor/admin above it
	policySubtreeWatcher                   // a subtree's live cases: supervisor or admin above it
	policyCaseReader                       // {id}: its reporter, or staff assigned above its unit (else 404)
	policyFiguresViewer                    // ?unit=: supervisor or admin above it
	policyPhotoViewer                      // {sha256}: its uploader, or whoever reads a report or case showing it
	policyAdmin                            // administrators, each of their subtrees (grid.Admin)
	policyCountyAdmin                      // administrators at a county: what is one per county (the routing catalogue)
)

var policyNames = map[policy]string{
	policyPublic: "public", policyMember: "member", policySocket: "member-socket", policyCentreWatcher: "centre-watcher",
	policySubtreeWatcher: "subtree-watcher", policyCaseReader: "case-reader",
	policyFiguresViewer: "figures-viewer", policyPhotoViewer: "photo-viewer", policyAdmin: "admin",
	policyCountyAdmin: "county-admin",
}

func (p policy) String() string { return policyNames[p] }

// allowsUnit answers the unit policies for a member: the HTTP routes with a unit in their path
// or query, and the websocket subscriptions.
func (p policy) allowsUnit(a access, code string) bool {
	switch p {
	case policyCentreWatcher:
		return a.watchesCentre(code)
	case policySubtreeWatcher:
		return a.watchesSubtree(code)
	case policyFiguresViewer:
		return a.seesFigures(code)
	}
	return false
}

// route is one HTTP route with its policy.
type route struct {
	pattern string
	policy  policy
	handler http.HandlerFunc
}

// Route describes a served route, for the jurisdiction matrix and the docs.
type Route struct {
	Pattern string // as http.ServeMux reads it: "GET /api/cases/{id}"
	Policy  string
}

// routes lists everything the server serves, given what it was configured with.
func (s *Server) routes(cfg Config) []route {
	rs := []route{
		{"GET /healthz", policyPublic, s.handleHealth},
		{"GET /readyz", policyPublic, s.handleReady},
		{"GET /", policyPublic, s.handleApps(appFiles())},
	}
	add := func(when bool, more ...route) {
		if when {
			rs = append(rs, more...)
		}
	}
	if cfg.Auth == nil {
		return rs
	}
	add(true,
		route{"POST /api/sessions", policyPublic, s.handleSignIn},
		route{"DELETE /api/sessions/current", policyMember, s.handleSignOut},
		route{"GET /api/me", policyMember, s.handleMe},
		route{"POST /api/me/password", policyMember, s.handleOwnPassword},
		// The member's own grids only (their assignments are the check): the phone's map.
		route{"GET /api/my/grid", policyMember, s.handleMyGrid})
	// The administrators' routes (docs/admin-api.md): the grid store scopes each to the
	// administrator's subtrees, and the handlers refuse a unit outside them before reading it.
	add(true,
		route{"GET /api/admin/members", policyAdmin, s.handleMembers},
		route{"POST /api/admin/members", policyAdmin, s.handleMemberAdd},
		route{"POST /api/admin/members/{id}/assignments", policyAdmin, s.handleMemberAssign},
		route{"DELETE /api/admin/members/{id}/assignments/{unit}/{role}", policyAdmin, s.handleMemberUnassign},
		route{"POST /api/admin/members/{id}/move", policyAdmin, s.handleMemberMove},
		route{"POST /api/admin/members/{id}/deactivate", policyAdmin, s.handleMemberDeactivate},
		route{"POST /api/admin/members/{id}/release-phone", policyAdmin, s.handleMemberReleasePhone},
		route{"POST /api/admin/members/{id}/password-reset", policyAdmin, s.handleMemberPasswordReset},
		route{"GET /api/admin/audit", policyAdmin, s.handleAudit},
		route{"GET /api/admin/audit.csv", policyAdmin, s.handleAuditCSV},
		route{"GET /api/admin/units", policyAdmin, s.handleUnits},
		route{"GET /api/admin/units/search", policyAdmin, s.handleUnitSearch},
		route{"GET /api/admin/units/{code}", policyAdmin, s.handleUnit},
		route{"GET /api/admin/outlines", policyAdmin, s.handleAdminOutlines},
		route{"POST /api/admin/grid/imports", policyAdmin, s.handleGridImport},
		route{"GET /api/admin/grid/changes", policyAdmin, s.handleChanges},
		route{"POST /api/admin/grid/changes", policyAdmin, s.handleChangeDraft},
		route{"GET /api/admin/grid/changes/{id}", policyAdmin, s.handleChangePreview},
		route{"POST /api/admin/grid/changes/{id}/apply", policyAdmin, s.handleChangeApply},
		route{"POST /api/admin/grid/changes/{id}/discard", policyAdmin, s.handleChangeDiscard},
		route{"POST /api/admin/grid/changes/{id}/schedule", policyAdmin, s.handleChangeSchedule(true)},
		route{"POST /api/admin/grid/changes/{id}/unschedule", policyAdmin, s.handleChangeSchedule(false)},
		route{"GET /api/admin/roster", policyAdmin, s.handleRosterExport},
		route{"POST /api/admin/roster", policyAdmin, s.handleRosterImport})
	add(cfg.Intake != nil,
		route{"GET /ws", policySocket, s.handleWS},
		route{"GET /api/my/reports", policyMember, s.handleMyReports},
		route{"GET /api/categories", policyMember, s.handleCategories})
	add(cfg.Locator != nil,
		route{"GET /api/locate", policyMember, s.handleLocate})
	add(cfg.Cases != nil,
		route{"GET /api/my/centres", policyMember, s.handleMyCentres},
		// The query is the check: the member's own centres and grids (docs/cases-api.md).
		route{"GET /api/my/verifications", policyMember, s.handleMyVerifications},
		route{"GET /api/centres/{code}/queue", policyCentreWatcher, s.handleQueue},
		route{"GET /api/centres/{code}/callbacks", policyCentreWatcher, s.handleCallbacks}, // 回访 (case_callbacks.go)
		route{"GET /api/cases/{id}", policyCaseReader, s.handleCase},
		route{"GET /api/cases/{id}/map", policyCaseReader, s.handleCaseMap},
		// Which actions a reader may take is the state machine's to say (403 otherwise).
		route{"POST /api/cases/{id}/transitions", policyCaseReader, s.handleTransition})
	// 并单 (case_duplicates.go): the case's current centre only; the handlers check it (403).
	add(s.duplicates != nil,
		route{"GET /api/centres/{code}/duplicates", policyCentreWatcher, s.handleDuplicateCounts},
		route{"GET /api/cases/{id}/duplicates", policyCaseReader, s.handleDuplicates},
		route{"POST /api/cases/{id}/distinct", policyCaseReader, s.handleDistinct})
	// 退单待裁决 and 延期申请 (issue 16): what waits on the centre or the supervisors above a case's
	// centre (case_declines_to_rule.go, case_extensions_pending.go). The extension list's query
	// is its check, as for /api/my/verifications: the member's supervisor assignments.
	_, lists := cfg.Cases.(RulingLists)
	add(lists,
		route{"GET /api/centres/{code}/declines", policyCentreWatcher, s.handleDeclinesToRule},
		route{"GET /api/extensions/pending", policyMember, s.handlePendingExtensions})
	add(cfg.Notifications != nil,
		route{"GET /api/my/notifications", policyMember, s.handleMyNotifications},
		route{"POST /api/my/notifications/read", policyMember, s.handleNotificationsRead})
	add(cfg.Catalogue != nil,
		route{"GET /api/admin/categories", policyAdmin, s.handleRoutingList},
		// The routing catalogue is one for the county: a township's administrator reads it only.
		route{"PUT /api/admin/categories/{code}", policyCountyAdmin, s.handleRoutingSave})
	add(cfg.Calendar != nil, // the working calendar, one for the county like the catalogue
		route{"GET /api/calendar", policyMember, s.handleWorkingCalendar},
		route{"GET /api/admin/calendar", policyAdmin, s.handleCalendar},
		route{"PUT /api/admin/calendar/hours", policyCountyAdmin, s.handleCalendarHours},
		route{"PUT /api/admin/calendar/days/{date}", policyCountyAdmin, s.handleCalendarDaySave},
		route{"DELETE /api/admin/calendar/days/{date}", policyCountyAdmin, s.handleCalendarDayDelete})
	add(cfg.GradeRules != nil, // what each risk grade does, one for the county like the catalogue
		route{"GET /api/admin/grade-rules", policyAdmin, s.handleGradeRules},
		route{"PUT /api/admin/grade-rules/{grade}", policyCountyAdmin, s.handleGradeRuleSave})
	// 积分 (issue 17, docs/points.md): the member's own points; manual items, cancelling and the
	// monthly audit are checked by the store's queries against the member's assignments.
	add(cfg.Points != nil,
		route{"GET /api/my/points", policyMember, s.handleMyPoints},
		route{"GET /api/points/items", policyMember, s.handlePointItems},
		route{"POST /api/points/items", policyMember, s.handlePointItemAdd},
		route{"POST /api/points/items/{id}/approve", policyMember, s.handlePointItemDecide(true)},
		route{"POST /api/points/items/{id}/reject", policyMember, s.handlePointItemDecide(false)},
		route{"POST /api/points/rows/{id}/cancel", policyMember, s.handlePointCancel},
		route{"POST /api/points/months", policyMember, s.handlePointMonthConfirm},
		route{"GET /api/admin/point-rules", policyAdmin, s.handlePointRules},
		route{"POST /api/admin/point-rules", policyCountyAdmin, s.handlePointRuleSave},
		route{"PUT /api/admin/point-rules/{id}", policyCountyAdmin, s.handlePointRuleSave})
	// 月度审核 on the dashboard (points_audit.go): the store checks the township or county above.
	add(cfg.Points != nil,
		route{"GET /api/points/months", policyMember, s.handlePointMonths},
		route{"GET /api/points/rows", policyMember, s.handlePointRows})
	if cfg.Stats != nil && cfg.Intake != nil {
		figures := func(name string, fn func(http.ResponseWriter, *http.Request, statsRequest) error) route {
			return route{"GET /api/stats/" + name, policyFiguresViewer, timed(s.statsRoute(fn))}
		}
		rs = append(rs, route{"GET /api/stats/scope", policyMember, timed(s.handleStatsScope)},
			figures("summary", s.cachedStats(s.handleStatsSummary)), figures("units", s.cachedStats(s.handleStatsUnits)),
			figures("trend", s.cachedStats(s.handleStatsTrend)), figures("categories", s.cachedStats(s.handleStatsCategories)),
			figures("tiers", s.cachedStats(s.handleStatsTiers)), figures("map", s.handleStatsMap),
			route{"GET /api/stats/bulletin", policyFiguresViewer, timed(s.handleStatsBulletin)},
			figures("declines", s.handleStatsDeclines)) // 反复退单 (issue 16)
	}
	// 积分超市 (points_market.go): the store scopes items, workers and redemptions to the
	// administrator's subtrees; the window is one per county.
	add(cfg.Market != nil,
		route{"GET /api/admin/points/items", policyAdmin, s.handleMarketItems},
		route{"POST /api/admin/points/items", policyAdmin, s.handleMarketItemSave},
		route{"PUT /api/admin/points/items/{id}", policyAdmin, s.handleMarketItemSave},
		route{"GET /api/admin/points/workers", policyAdmin, s.handleMarketWorkers},
		route{"GET /api/admin/points/redemptions", policyAdmin, s.handleRedemptions},
		route{"POST /api/admin/points/redemptions", policyAdmin, s.handleRedeem},
		route{"POST /api/admin/points/redemptions/{id}/cancel", policyAdmin, s.handleRedemptionCancel},
		route{"GET /api/admin/points/window", policyAdmin, s.handleRedemptionWindow},
		route{"PUT /api/admin/points/window", policyCountyAdmin, s.handleRedemptionWindowSave})
	// 积分排名 and 年度汇总 (points_rank.go): figures of ?unit=, as the dashboard's.
	add(cfg.PointsFigures != nil,
		route{"GET /api/points/ranking", policyFiguresViewer, s.handlePointsRanking},
		route{"GET /api/points/ranking.xlsx", policyFiguresViewer, s.handlePointsRankingXLSX},
		route{"GET /api/points/summary", policyFiguresViewer, s.handlePointsSummary},
		route{"GET /api/points/summary.xlsx", policyFiguresViewer, s.handlePointsSummaryXLSX})
	// 五面红旗 / 五星支部 (rating.go, docs/ratings.md): the sheet and the steps are the village's
	// and those assigned in or above it, the handlers check it (403); the state machine says who
	// may take which step.
	add(cfg.Ratings != nil,
		route{"GET /api/ratings/schemes", policyMember, s.handleRatingSchemes},
		route{"GET /api/ratings/overview", policyFiguresViewer, s.handleRatingOverview},
		route{"GET /api/ratings/map", policyFiguresViewer, s.handleRatingMap},
		route{"GET /api/ratings/ranking", policyFiguresViewer, s.handleRatingRanking},
		route{"GET /api/ratings/sheet", policyMember, s.handleRatingSheet},
		route{"POST /api/ratings/actions", policyMember, s.handleRatingAction},
		route{"GET /api/admin/rating-schemes", policyAdmin, s.handleRatingSchemesAdmin},
		route{"PUT /api/admin/rating-schemes/{code}", policyCountyAdmin, s.handleRatingSchemeSave})
	add(cfg.Ratings != nil && cfg.Photos != nil, // the entries' evidence, to those who read the sheet
		route{"GET /api/ratings/evidence/{sha256}", policyMember, s.handleRatingEvidence})
	add(cfg.Photos != nil,
		route{"POST /api/photos", policyMember, s.handlePhotoUpload},
		// The photo store's query is the check: uploader, reporter, or staff above the report.
		route{"GET /api/photos/{sha256}", policyPhotoViewer, s.handlePhoto})
	// The mediation record (mediation*.go, docs/mediation.md): the case's readers read it, numbers
	// masked outside the owner centre; the handlers check who records and changes (403).
	add(cfg.Mediations != nil && cfg.Cases != nil && cfg.Photos != nil,
		route{"GET /api/cases/{id}/mediations", policyCaseReader, s.handleMediations},
		route{"POST /api/cases/{id}/mediations", policyCaseReader, s.handleMediationCreate},
		route{"PUT /api/cases/{id}/mediations/{mid}", policyCaseReader, s.handleMediationSave},
		route{"GET /api/cases/{id}/mediations/{mid}/agreement.pdf", policyCaseReader, s.handleAgreementPDF},
		route{"POST /api/cases/{id}/mediations/{mid}/copies", policyCaseReader, s.handleMediationCopy},
		route{"GET /api/cases/{id}/mediations/{mid}/copies/{sha256}", policyCaseReader, s.handleMediationCopyFile},
		route{"POST /api/cases/{id}/mediations/{mid}/referrals", policyCaseReader, s.handleReferral},
		route{"PUT /api/cases/{id}/mediations/{mid}/referrals/{rid}", policyCaseReader, s.handleReferralResult},
		route{"GET /api/admin/agreement-template", policyAdmin, s.handleAgreementTemplate},
		route{"PUT /api/admin/agreement-template", policyCountyAdmin, s.handleAgreementTemplateSave})
	return rs
}

// subscriptionPolicies: the websocket subscriptions (docs/cases-api.md) and who may make them.
var subscriptionPolicies = map[string]policy{
	"centre":        policyCentreWatcher,
	"subtree":       policySubtreeWatcher,
	"subtree+stats": policyFiguresViewer,
}

// Routes lists the routes served, with their policies.
func (s *Server) Routes() []Route { return s.served }

// Subscriptions lists the websocket subscription kinds, with their policies.
func Subscriptions() []Route {
	out := make([]Route, 0, len(subscriptionPolicies))
	for kind, p := range subscriptionPolicies {
		out = append(out, Route{Pattern: kind, Policy: p.String()})
	}
	return out
}

// register puts every route on mux behind its policy; a route without one is an error, so
// that none is served unguarded by mistake.
func (s *Server) register(mux *http.ServeMux, rs []route) error {
	for _, rt := range rs {
		if _, ok := policyNames[rt.policy]; !ok {
			return fmt.Errorf("route %s has no access policy", rt.pattern)
		}
		mux.HandleFunc(rt.pattern, s.guard(rt.policy, rt.handler))
		s.served = append(s.served, Route{Pattern: rt.pattern, Policy: rt.policy.String()})
	}
	return nil
}

type accessKey struct{}
type caseKey struct{}

// accessFrom is the member's access, which guard put in the request's context.
func accessFrom(ctx context.Context) access {
	a, _ := ctx.Value(accessKey{}).(access)
	return a
}

// caseFrom is the case a policyCaseReader route is about.
func caseFrom(ctx context.Context) dispatch.CaseSummary {
	c, _ := ctx.Value(caseKey{}).(dispatch.CaseSummary)
	return c
}

// guard enforces p, then calls next with the member's access (and the case) in the context;
// routes about the member themselves get no access, which would cost a query per request.
func (s *Server) guard(p policy, next http.HandlerFunc) http.HandlerFunc {
	if p == policyPublic || p == policySocket { // a socket's token rides in a subprotocol (docs/protocol.md)
		return next
	}
	if p == policyMember || p == policyPhotoViewer { // about the member themselves: no assignments to read
		return s.requireSession(next)
	}
	return s.requireSession(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		a, err := s.accessOf(ctx, principalFrom(ctx))
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		ctx = context.WithValue(ctx, accessKey{}, a)
		switch p {
		case policyAdmin:
			if len(a.administers) == 0 {
				err = fmt.Errorf("%w: administrators only", ErrForbidden)
			}
		case policyCountyAdmin:
			if !a.countyAdmin() {
				err = fmt.Errorf("%w: administrators of a county only", ErrForbidden)
			}
		case policyCentreWatcher:
			code := r.PathValue("code")
			if l := grid.LevelOfCode(code); l < grid.County || l > grid.Village || !isDigits(code) {
				err = fmt.Errorf("%w: a centre code has 6, 9 or 12 digits", ErrBadRequest)
			} else if !p.allowsUnit(a, code) {
				err = fmt.Errorf("%w: centre %s is not yours", ErrForbidden, code)
			}
		case policyFiguresViewer:
			code := r.URL.Query().Get("unit")
			if l := grid.LevelOfCode(code); !isDigits(code) || l < grid.County || l > grid.Grid {
				err = fmt.Errorf("%w: unit must be the code of a county, township, village or grid, not %s", ErrBadRequest, quoteShort(code))
			} else if !p.allowsUnit(a, code) {
				err = fmt.Errorf("%w: the figures of %s are not yours to see", ErrForbidden, code)
			}
		case policyCaseReader:
			var c dispatch.CaseSummary
			if c, err = s.readableSummary(r.WithContext(ctx)); err == nil {
				ctx = context.WithValue(ctx, caseKey{}, c)
			}
		}
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		next(w, r.WithContext(ctx))
	})
}

// kind names the subscription as subscriptionPolicies does.
func (s subscription) kind() string {
	switch {
	case s.subtree && s.stats:
		return "subtree+stats"
	case s.subtree:
		return "subtree"
	}
	return "centre"
}
