package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// ReferralKind is where an attempt is referred: a court for judicial confirmation (司法确认) of
// its agreement, or another body of 三调联动.
type ReferralKind string

// The kinds of referral.
const (
	ReferCourt          ReferralKind = "court"          // 司法确认: the agreement, to a court, within 30 days
	ReferPeoples        ReferralKind = "peoples"        // 人民调解: a people's mediation committee
	ReferAdministrative ReferralKind = "administrative" // 行政调解: the police station, a bureau
	ReferJudicial       ReferralKind = "judicial"       // 司法调解: a court's mediation (诉调对接)
	ReferOther          ReferralKind = "other"          // another body: the justice bureau, the petition office
)

// ReferralResult is what became of a referral.
type ReferralResult string

// The results of a referral.
const (
	ResultPending   ReferralResult = "pending"   // 待反馈
	ResultConfirmed ReferralResult = "confirmed" // 司法确认有效
	ResultRefused   ReferralResult = "refused"   // 不予确认 / 不予受理
	ResultSettled   ReferralResult = "settled"   // 调解成功
	ResultUnsettled ReferralResult = "unsettled" // 调解不成
	ResultWithdrawn ReferralResult = "withdrawn" // 撤回
)

// Referral is one recorded referral of an attempt.
type Referral struct {
	ID         int64          `json:"id"`
	Kind       ReferralKind   `json:"kind"`
	Body       string         `json:"body"`        // the court or body, by name
	ReferredOn string         `json:"referred_on"` // YYYY-MM-DD
	Reason     string         `json:"reason"`
	Result     ReferralResult `json:"result"`
	ResultOn   *string        `json:"result_on"`
	ResultNote string         `json:"result_note"`
	Version    int            `json:"version"`
}

func (r *Referral) check(settledOn *time.Time, today time.Time) error {
	r.Body, r.Reason = strings.TrimSpace(r.Body), strings.TrimSpace(r.Reason)
	switch r.Kind {
	case ReferCourt, ReferPeoples, ReferAdministrative, ReferJudicial, ReferOther:
	default:
		return badMediation("kind", "court, peoples, administrative, judicial or other")
	}
	if n := utf8.RuneCountInString(r.Body); n == 0 || n > MaxReferralBodyChars {
		return badMediation("body", "the court or body it goes to, 1 to %d characters", MaxReferralBodyChars)
	}
	if n := utf8.RuneCountInString(r.Reason); n == 0 || n > MaxReferralReasonChars {
		return badMediation("reason", "1 to %d characters", MaxReferralReasonChars)
	}
	on, err := time.ParseInLocation(time.DateOnly, r.ReferredOn, statsLocation)
	if err != nil || on.After(today) {
		return badMediation("referred_on", "a date (YYYY-MM-DD), not after today")
	}
	if r.Kind == ReferCourt {
		if settledOn == nil {
			return fmt.Errorf("%w: judicial confirmation is of a settled mediation's agreement", ErrNotSettled)
		}
		if on.Before(*settledOn) || on.After(settledOn.AddDate(0, 0, ConfirmationDays)) {
			return fmt.Errorf("%w (the agreement is of %s)", ErrConfirmationLapsed, settledOn.Format(time.DateOnly))
		}
	}
	return nil
}

// ConfirmBy is the last day the parties may ask a court to confirm an agreement of settledOn.
func ConfirmBy(settledOn time.Time) time.Time { return settledOn.AddDate(0, 0, ConfirmationDays) }

// Refer records a referral of an attempt by its owner centre.
func (s *Mediations) Refer(ctx context.Context, caseID, id int64, r Referral, owner Owner, by int64) (int64, error) {
	var rid int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		centre, _, err := s.lockOwned(ctx, tx, caseID, id, 0, owner)
		if err != nil {
			return err
		}
		var settled *time.Time
		if err := tx.QueryRow(ctx, `SELECT settled_on FROM mediations WHERE id = $1`, id).Scan(&settled); err != nil {
			return err
		}
		if settled != nil {
			t := time.Date(settled.Year(), settled.Month(), settled.Day(), 0, 0, 0, 0, statsLocation)
			settled = &t
		}
		if err := r.check(settled, time.Now().In(statsLocation)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM mediation_referrals WHERE mediation_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n >= MaxMediationsPerCase {
			return badMediation("kind", "at most %d referrals", MaxMediationsPerCase)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO mediation_referrals (mediation_id, kind, body, referred_on, reason, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, id, string(r.Kind), r.Body, r.ReferredOn, r.Reason, by).Scan(&rid); err != nil {
			return err
		}
		return auditMediation(ctx, tx, by, "mediation.refer", centre, map[string]any{"case": caseID, "mediation": id, "referral": rid,
			"kind": r.Kind, "body": r.Body, "referred_on": r.ReferredOn})
	})
	return rid, mediationRetry("referral", err)
}

// RecordResult records what became of a referral, if it is still at version.
func (s *Mediations) RecordResult(ctx context.Context, caseID, id, rid int64, version int, result ReferralResult, on, note string,
	owner Owner, by int64) error {
	note = strings.TrimSpace(note)
	switch result {
	case ResultConfirmed, ResultRefused, ResultSettled, ResultUnsettled, ResultWithdrawn:
	default:
		return badMediation("result", "confirmed, refused, settled, unsettled or withdrawn")
	}
	if utf8.RuneCountInString(note) > MaxReferralReasonChars {
		return badMediation("result_note", "at most %d characters", MaxReferralReasonChars)
	}
	day, err := time.ParseInLocation(time.DateOnly, on, statsLocation)
	if err != nil || day.After(time.Now().In(statsLocation)) {
		return badMediation("result_on", "a date (YYYY-MM-DD), not after today")
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		centre, _, err := s.lockOwned(ctx, tx, caseID, id, 0, owner)
		if err != nil {
			return err
		}
		var v int
		var referred time.Time
		err = tx.QueryRow(ctx, `SELECT version, referred_on FROM mediation_referrals WHERE id = $1 AND mediation_id = $2 FOR UPDATE`, rid, id).
			Scan(&v, &referred)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrMediationNotFound
		case err != nil:
			return err
		case v != version:
			return ErrStaleVersion
		case on < referred.Format(time.DateOnly):
			return badMediation("result_on", "not before the referral (%s)", referred.Format(time.DateOnly))
		}
		if _, err := tx.Exec(ctx, `UPDATE mediation_referrals SET result = $2, result_on = $3, result_note = $4, version = version + 1
			WHERE id = $1`, rid, string(result), on, note); err != nil {
			return err
		}
		return auditMediation(ctx, tx, by, "mediation.referral_result", centre, map[string]any{"case": caseID, "mediation": id,
			"referral": rid, "result": result, "result_on": on})
	})
	return mediationRetry("referral result", err)
}

func (s *Mediations) referrals(ctx context.Context, ids []int64, byID map[int64]int, out []Mediation) error {
	rows, err := s.pool.Query(ctx, `SELECT mediation_id, id, kind, body, to_char(referred_on, 'YYYY-MM-DD'), reason, result,
		to_char(result_on, 'YYYY-MM-DD'), result_note, version
		FROM mediation_referrals WHERE mediation_id = ANY($1) ORDER BY mediation_id, id`, ids)
	if err != nil {
		return err
	}
	var mid int64
	var r Referral
	_, err = pgx.ForEachRow(rows, []any{&mid, &r.ID, &r.Kind, &r.Body, &r.ReferredOn, &r.Reason, &r.Result, &r.ResultOn, &r.ResultNote, &r.Version},
		func() error {
			x := &out[byID[mid]]
			y := r
			if r.ResultOn != nil {
				s := *r.ResultOn
				y.ResultOn = &s
			}
			x.Referrals = append(x.Referrals, y)
			return nil
		})
	return err
}
