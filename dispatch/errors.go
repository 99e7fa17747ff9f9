package dispatch

import (
	"errors"
	"fmt"
)

// Sentinel errors of dispatch: every exported one is here, grouped by what it is about, so that
// the errors a caller must tell apart are found in one place (web/errors.go maps them to HTTP
// statuses).
var (
	// ErrBusDown means NATS or JetStream cannot be used right now.
	ErrBusDown = errors.New("bus unavailable")
	// ErrInvalidReport wraps every ValidationError: the report is wrong and resending it
	// unchanged will not help.
	ErrInvalidReport = errors.New("invalid report")
	// ErrRetryable means the report was not stored for a reason of ours (the database away):
	// the phone keeps it in its outbox and sends it again.
	ErrRetryable = errors.New("not stored; try again")
	// ErrClientIDTaken means another member already used this client id.
	ErrClientIDTaken = errors.New("client id already used by another member")
	// ErrInvalidPhoto means an upload is not an acceptable image.
	ErrInvalidPhoto = errors.New("invalid photo")
	// ErrPhotoNotFound means no such photo, or not one the viewer may see.
	ErrPhotoNotFound = errors.New("photo not found")
	// ErrBadStatsQuery means a question the figures cannot answer: a unit below the grid, an
	// unknown trend step.
	ErrBadStatsQuery = errors.New("bad statistics query")
	// ErrBadCalendar means a working calendar that cannot be used: overlapping hours, an
	// unknown kind of day, a date listed twice (docs/routing.md, "Working time").
	ErrBadCalendar = errors.New("bad working calendar")
	// ErrNotRunning means a background part (the intake) was not started or has been closed:
	// a report sent then is refused, wrapped in ErrRetryable, for the phone to send again.
	ErrNotRunning = errors.New("not running")
)

// Transitions: each leaves the case as it was.
var (
	ErrStaleVersion   = errors.New("the case changed since you loaded it; reload and try again")
	ErrNotAllowed     = errors.New("not allowed from the case's current state")
	ErrNotYours       = errors.New("you may not act on this case")
	ErrCaseNotFound   = errors.New("no such case")
	ErrBadTransition  = errors.New("invalid transition")
	ErrNoAttemptYet   = errors.New("record at least one attempt at this tier before escalating (矛盾不上交)")
	ErrNoTierThatWay  = errors.New("there is no tier in that direction")
	ErrUnknownCentre  = errors.New("no such centre of this tier next to the current one")
	ErrNoMediationYet = errors.New("a dispute is settled after a recorded mediation (调处): record one first")
)

// Merging duplicates (case_merge.go).
var (
	// ErrNotMainCase is a merge into a case that cannot be a main case: itself, one closed,
	// merged or in another centre.
	ErrNotMainCase = fmt.Errorf("%w: the main case must be another open case of the same centre, not merged itself", ErrBadTransition)
)

// Extension and parking (case_extension.go).
var (
	ErrNoExtensionPending = errors.New("no extension request of this centre is waiting for a decision")
	ErrPastDeadline       = errors.New("the deadline has passed: an extension is asked for before it")
)

// Grading (case_grade.go).
var (
	ErrNotDifficult = errors.New("only a difficult (疑难) case can be owned by a leader")
	ErrAlreadyOwned = errors.New("a leader already owns this case")
)

// Leader ownership (case_leader.go).
var (
	ErrNotOwned  = fmt.Errorf("%w: no leader owns this case", ErrNotAllowed)
	ErrNotOwner  = fmt.Errorf("%w: only the leader who owns the case may give it up or hand it over", ErrNotYours)
	ErrNotLeader = fmt.Errorf("%w: to_member must be a leader of the case's county (a supervisor assigned there), not its owner", ErrBadTransition)
)

// The grade rules (grade_rules_store.go).
var (
	ErrBadGradeRule = errors.New("bad grade rule")
	ErrUnknownGrade = errors.New("no such grade: simple, complex or difficult")
)

// The working calendar (calendar_store.go).
var (
	// ErrCalendarDayNotFound means the date has no entry to remove.
	ErrCalendarDayNotFound = errors.New("no calendar entry on that date")
)

// The routing catalogue (catalogue_store.go).
var (
	// ErrInvalidCategory means a category an administrator saved is not acceptable.
	ErrInvalidCategory = errors.New("invalid category")
)

// The mediation record and its agreement (mediation*.go).
var (
	// ErrBadMediation wraps every MediationError: an attempt's record refused for a field.
	ErrBadMediation = errors.New("invalid mediation record")
	// ErrMediationNotFound: no such attempt or referral of this case.
	ErrMediationNotFound = errors.New("no such mediation record")
	// ErrNotOwnerCentre: only the centre that recorded an attempt edits it.
	ErrNotOwnerCentre = fmt.Errorf("%w: only the centre that recorded this mediation may change it", ErrNotYours)
	// ErrNotSettled: an agreement, or its judicial confirmation, needs a settled attempt.
	ErrNotSettled = errors.New("the mediation is not settled: there is no agreement")
	// ErrConfirmationLapsed: judicial confirmation is asked within ConfirmationDays of the agreement.
	ErrConfirmationLapsed = errors.New("judicial confirmation is asked within 30 days of the agreement")
	// ErrBadTemplate: an agreement template refused (an unknown placeholder, a bound).
	ErrBadTemplate = errors.New("invalid agreement template")
)

// The points supermarket and rankings (points_market*.go, points_rank*.go).
var (
	ErrBadMarketItem      = errors.New("bad supermarket item")
	ErrBadWindow          = errors.New("bad redemption window")
	ErrBadRedemption      = errors.New("bad redemption")
	ErrBadRanking         = errors.New("bad points ranking query")
	ErrItemNotFound       = errors.New("no such supermarket item")
	ErrRedemptionNotFound = errors.New("no such redemption")
	ErrNoSuchWorker       = errors.New("no such grid worker in your units")
	ErrItemElsewhere      = errors.New("the item is another township's: a worker redeems at their own township's or the county's supermarket")
	ErrItemInactive       = errors.New("the item is no longer offered")
	ErrOutOfStock         = errors.New("not enough of the item in stock")
	ErrInsufficientPoints = errors.New("not enough points")
	ErrOutsideWindow      = errors.New("outside the county's redemption window")
	ErrAlreadyCancelled   = errors.New("the redemption is already cancelled")
	ErrDuplicateItem      = errors.New("the unit already offers an item of that name")
)

// The points ledger (points*.go).
var (
	ErrBadPointRule    = errors.New("bad point rule")
	ErrBadPointItem    = errors.New("bad point item")
	ErrPointDecided    = errors.New("the item was already decided")
	ErrPointReversed   = errors.New("the ledger row is already cancelled")
	ErrMonthConfirmed  = errors.New("the month is already confirmed")
	ErrMonthNotPast    = errors.New("only a past month can be confirmed")
	ErrPointRuleExists = errors.New("a point rule with that code exists")
)

// Unit ratings, 五面红旗 / 五星支部 (rating*.go).
var (
	ErrRatingSchemeNotFound = errors.New("no such rating scheme")
	ErrBadRatingScheme      = errors.New("bad rating scheme")
	ErrBadRatingAction      = errors.New("bad rating action")
	ErrRatingNotAllowed     = errors.New("not allowed in the assessment's current state")
	ErrRatingNotYours       = errors.New("you may not take this step of the rating")
	ErrRatingBelowThreshold = errors.New("the mark's indicators do not reach its pass score")
	ErrNoticeRunning        = errors.New("the public notice (公示) has not ended yet")
)
