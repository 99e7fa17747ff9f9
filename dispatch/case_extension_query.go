package dispatch

import (
	"context"
	"time"
)

// PendingExtension is a centre's extension request awaiting a supervisor's decision.
type PendingExtension struct {
	Until  time.Time // the deadline asked for
	Reason string
}

// Parking is why and until when a case is parked (挂账).
type Parking struct {
	ReviewAt  time.Time     // when the centre means to look at it again
	FromState CaseState     // the state unparking gives back
	Left      time.Duration // the time it had left when parked (negative: overrun)
}

// readExtension adds the case's pending extension request (of its current centre) and parking.
func (cs *Cases) readExtension(ctx context.Context, d *CaseDetail) error {
	var until, review *time.Time
	var reason, centre, from *string
	var leftUS *int64
	err := cs.pool.QueryRow(ctx, `SELECT extension_until, extension_reason, extension_centre, park_review_at,
		park_from_state, (extract(epoch FROM park_left) * 1000000)::bigint FROM cases WHERE id = $1`, d.ID).
		Scan(&until, &reason, &centre, &review, &from, &leftUS)
	if err != nil {
		return err
	}
	if until != nil && centre != nil && *centre == d.Centre && reason != nil {
		d.Extension = &PendingExtension{Until: *until, Reason: *reason}
	}
	if review != nil && from != nil && leftUS != nil {
		d.Parking = &Parking{ReviewAt: *review, FromState: CaseState(*from), Left: time.Duration(*leftUS) * time.Microsecond}
	}
	return nil
}

// extensionOffers says whether the case page offers a, as far as extension is concerned: a
// request only before the deadline and when none waits; a decision only when one waits.
func (d CaseDetail) extensionOffers(a Action) bool {
	switch a {
	case ActRequestExtension:
		return d.Extension == nil && d.DeadlineAt != nil && !d.Overdue && time.Now().Before(*d.DeadlineAt)
	case ActApproveExtension, ActRefuseExtension:
		return d.Extension != nil
	}
	return true
}
