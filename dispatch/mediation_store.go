package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Mediations keeps the cases' mediation records, their referrals and signed copies, and the
// county's agreement template (migration mediation, docs/mediation.md).
type Mediations struct {
	pool *pgxpool.Pool
	seal sealer
}

// NewMediations keeps records in pool, sealing the parties' numbers with key (LoadSealKey).
func NewMediations(pool *pgxpool.Pool, key []byte) (*Mediations, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	return &Mediations{pool: pool, seal: s}, nil
}

// Owner answers whether the reader mediates at a centre: the owner's mediators read a record in
// full and change it.
type Owner func(centre string) bool

// mediationRetry wraps a database failure; errors of ours pass through.
func mediationRetry(what string, err error) error {
	var me *MediationError
	if err == nil || errors.As(err, &me) || errors.Is(err, ErrMediationNotFound) || errors.Is(err, ErrNotYours) ||
		errors.Is(err, ErrStaleVersion) || errors.Is(err, ErrNotSettled) || errors.Is(err, ErrConfirmationLapsed) ||
		errors.Is(err, ErrBadMediation) || errors.Is(err, ErrCaseNotFound) || errors.Is(err, ErrNotAllowed) || errors.Is(err, ErrPhotoNotFound) {
		return err
	}
	return fmt.Errorf("%w: %s: %v", ErrRetryable, what, err)
}

const mediationsOfCase = `
SELECT m.id, m.case_id, m.seq, m.centre_code, coalesce(u.name, '') AS centre_name, m.facts, m.claims, m.outcome, m.terms,
       m.settled_on, m.version, m.created_by, m.created_at, m.updated_at,
       coalesce((SELECT array_agg(c.sha256 ORDER BY c.uploaded_at, c.sha256) FROM mediation_copies c WHERE c.mediation_id = m.id), '{}') AS copies
FROM mediations m LEFT JOIN units u ON u.code = m.centre_code
WHERE m.case_id = $1 AND ($2::bigint IS NULL OR m.id = $2)
ORDER BY m.seq`

// List returns a case's attempts, first to last, each in full when owner(its centre), masked
// otherwise; one attempt only when id is not 0.
func (s *Mediations) List(ctx context.Context, caseID, id int64, owner Owner) ([]Mediation, error) {
	var only *int64
	if id != 0 {
		only = &id
	}
	out, err := s.list(ctx, caseID, only, owner)
	return out, mediationRetry("mediations", err)
}

func (s *Mediations) list(ctx context.Context, caseID int64, only *int64, owner Owner) ([]Mediation, error) {
	rows, err := s.pool.Query(ctx, mediationsOfCase, caseID, only)
	if err != nil {
		return nil, err
	}
	var out []Mediation
	byID := map[int64]int{}
	var m Mediation
	var outcome string
	var copies []string
	_, err = pgx.ForEachRow(rows, []any{&m.ID, &m.CaseID, &m.Seq, &m.Centre, &m.CentreName, &m.Facts, &m.Claims, &outcome, &m.Terms,
		&m.SettledOn, &m.Version, &m.CreatedBy, &m.CreatedAt, &m.UpdatedAt, &copies}, func() error {
		x := m
		x.Outcome, x.Owned, x.NCopies = MediationOutcome(outcome), owner(m.Centre), len(copies)
		if x.Owned {
			x.Copies = copies
		}
		byID[x.ID] = len(out)
		out = append(out, x)
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, x := range out {
		ids[i] = x.ID
	}
	if err := s.parties(ctx, ids, byID, out); err != nil {
		return nil, err
	}
	if err := s.mediators(ctx, ids, byID, out); err != nil {
		return nil, err
	}
	return out, s.referrals(ctx, ids, byID, out)
}

// parties reads the parties; the sealed numbers are opened for owners only, the others read
// the masked forms and nothing else leaves the database for them.
func (s *Mediations) parties(ctx context.Context, ids []int64, byID map[int64]int, out []Mediation) error {
	rows, err := s.pool.Query(ctx, `SELECT mediation_id, role, name, id_masked, id_sealed, phone_masked, phone_sealed
		FROM mediation_parties WHERE mediation_id = ANY($1) ORDER BY mediation_id, position`, ids)
	if err != nil {
		return err
	}
	var mid int64
	var p Party
	var idSealed, phoneSealed []byte
	_, err = pgx.ForEachRow(rows, []any{&mid, &p.Role, &p.Name, &p.IDNumber, &idSealed, &p.Phone, &phoneSealed}, func() error {
		x := &out[byID[mid]]
		q := p
		if x.Owned {
			var err error
			if q.IDNumber, err = s.seal.open("id_number", idSealed); err != nil {
				return err
			}
			if q.Phone, err = s.seal.open("phone", phoneSealed); err != nil {
				return err
			}
		}
		x.Parties = append(x.Parties, q)
		return nil
	})
	return err
}

func (s *Mediations) mediators(ctx context.Context, ids []int64, byID map[int64]int, out []Mediation) error {
	rows, err := s.pool.Query(ctx, `SELECT mediation_id, member_id, name FROM mediation_mediators
		WHERE mediation_id = ANY($1) ORDER BY mediation_id, position`, ids)
	if err != nil {
		return err
	}
	var mid int64
	var m Mediator
	_, err = pgx.ForEachRow(rows, []any{&mid, &m.MemberID, &m.Name}, func() error {
		x := &out[byID[mid]]
		y := m
		if m.MemberID != nil {
			id := *m.MemberID
			y.MemberID = &id
		}
		x.Mediators = append(x.Mediators, y)
		return nil
	})
	return err
}

// Create records a new attempt of the case at its current centre, which owns it. centre is the
// centre the caller checked the member against: if the case has moved since, ErrStaleVersion.
func (s *Mediations) Create(ctx context.Context, caseID int64, centre string, in MediationInput, by int64) (int64, error) {
	if err := in.Check(); err != nil {
		return 0, err
	}
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var at, state string
		if err := tx.QueryRow(ctx, `SELECT centre_code, state FROM cases WHERE id = $1 FOR SHARE`, caseID).Scan(&at, &state); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrCaseNotFound
			}
			return err
		}
		if at != centre {
			return ErrStaleVersion
		}
		if !MediationOpen(CaseState(state)) {
			return fmt.Errorf("%w: a mediation is recorded once the case is accepted, until it closes", ErrNotAllowed)
		}
		var seq int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM mediations WHERE case_id = $1`, caseID).Scan(&seq); err != nil {
			return err
		}
		if seq > MaxMediationsPerCase {
			return badMediation("case", "at most %d mediations per case", MaxMediationsPerCase)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO mediations (case_id, seq, centre_code, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, caseID, seq, centre, by).Scan(&id); err != nil {
			return err
		}
		if err := s.write(ctx, tx, id, centre, in); err != nil {
			return err
		}
		return auditMediation(ctx, tx, by, "mediation.create", centre, map[string]any{"case": caseID, "mediation": id, "seq": seq,
			"outcome": in.Outcome, "parties": len(in.Parties), "mediators": len(in.Mediators)})
	})
	return id, mediationRetry("record mediation", err)
}

// MediationOpen says whether an attempt may be recorded on a case in this state: accepted, and
// until it closes (the paperwork of a settled case is often finished while it is verified).
func MediationOpen(s CaseState) bool {
	return s == StateAccepted || s == StateMediating || s == StateVerifying || s == "parked"
}

// Update replaces an attempt's record, if it is still at version and owner(its centre).
func (s *Mediations) Update(ctx context.Context, caseID, id int64, version int, in MediationInput, owner Owner, by int64) error {
	if err := in.Check(); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		centre, was, err := s.lockOwned(ctx, tx, caseID, id, version, owner)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM mediation_parties WHERE mediation_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM mediation_mediators WHERE mediation_id = $1`, id); err != nil {
			return err
		}
		if err := s.write(ctx, tx, id, centre, in); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE mediations SET version = version + 1, updated_by = $2, updated_at = now() WHERE id = $1`, id, by); err != nil {
			return err
		}
		return auditMediation(ctx, tx, by, "mediation.save", centre, map[string]any{"case": caseID, "mediation": id, "version": version + 1,
			"outcome": in.Outcome, "was": was, "parties": len(in.Parties), "mediators": len(in.Mediators)})
	})
	return mediationRetry("save mediation", err)
}

// lockOwned locks an attempt of the case for a change by its owner at version (0: any).
func (s *Mediations) lockOwned(ctx context.Context, tx pgx.Tx, caseID, id int64, version int, owner Owner) (string, string, error) {
	var centre, outcome string
	var v int
	err := tx.QueryRow(ctx, `SELECT centre_code, version, outcome FROM mediations WHERE id = $1 AND case_id = $2 FOR UPDATE`,
		id, caseID).Scan(&centre, &v, &outcome)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", "", ErrMediationNotFound
	case err != nil:
		return "", "", err
	case !owner(centre):
		return "", "", ErrNotOwnerCentre
	case version != 0 && v != version:
		return "", "", ErrStaleVersion
	}
	return centre, outcome, nil
}

// write stores the attempt's fields, parties and mediators (the mediators at the centre are
// checked to mediate there, and named as their member record says).
func (s *Mediations) write(ctx context.Context, tx pgx.Tx, id int64, centre string, in MediationInput) error {
	var settled any // the agreement's date: kept while it stays settled
	if in.Outcome == MediationSettled {
		settled = time.Now().In(statsLocation).Format(time.DateOnly)
	}
	if _, err := tx.Exec(ctx, `UPDATE mediations SET facts = $2, claims = $3, outcome = $4, terms = $5,
		settled_on = CASE WHEN $4 = 'settled' THEN coalesce(settled_on, $6::date) END WHERE id = $1`,
		id, in.Facts, in.Claims, string(in.Outcome), in.Terms, settled); err != nil {
		return err
	}
	for i, p := range in.Parties {
		if _, err := tx.Exec(ctx, `INSERT INTO mediation_parties (mediation_id, position, role, name, id_masked, id_sealed, phone_masked, phone_sealed)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, i, string(p.Role), p.Name,
			MaskID(p.IDNumber), s.seal.seal("id_number", p.IDNumber), MaskPhone(p.Phone), s.seal.seal("phone", p.Phone)); err != nil {
			return err
		}
	}
	for i, m := range in.Mediators {
		name := m.Name
		if m.MemberID != nil {
			err := tx.QueryRow(ctx, `SELECT m.name FROM members m JOIN assignments a ON a.member_id = m.id
				WHERE m.id = $1 AND a.unit_code = $2 AND a.role = 'mediator'`, *m.MemberID, centre).Scan(&name)
			if errors.Is(err, pgx.ErrNoRows) {
				return badMediation(fmt.Sprintf("mediators[%d].member_id", i), "not a mediator of centre %s; name an outside mediator without member_id", centre)
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO mediation_mediators (mediation_id, position, member_id, name) VALUES ($1, $2, $3, $4)`,
			id, i, m.MemberID, name); err != nil {
			return err
		}
	}
	return nil
}

// auditMediation writes the audit log's entry of a change, seen by the administrators above the
// centre. It never holds a party's name, number or phone.
func auditMediation(ctx context.Context, tx pgx.Tx, by int64, action, centre string, detail map[string]any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, units, detail) VALUES ($1, $2, $3, $4)`, by, action, []string{centre}, b)
	return err
}

// AddCopy lists a signed copy (a photo the member uploaded) on a settled attempt.
func (s *Mediations) AddCopy(ctx context.Context, caseID, id int64, sha string, owner Owner, by int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		centre, outcome, err := s.lockOwned(ctx, tx, caseID, id, 0, owner)
		if err != nil {
			return err
		}
		if outcome != string(MediationSettled) {
			return ErrNotSettled
		}
		var uploaded bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM photo_uploads WHERE sha256 = $1 AND member_id = $2)`, sha, by).Scan(&uploaded); err != nil {
			return err
		}
		if !uploaded {
			return ErrPhotoNotFound
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM mediation_copies WHERE mediation_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n >= MaxMediationCopies {
			return badMediation("sha256", "at most %d signed copies", MaxMediationCopies)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO mediation_copies (mediation_id, sha256, uploaded_by) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, id, sha, by)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return auditMediation(ctx, tx, by, "mediation.copy", centre, map[string]any{"case": caseID, "mediation": id, "sha256": sha})
	})
	return mediationRetry("signed copy", err)
}

// HasCopy says whether sha is a signed copy of the attempt, which owner reads.
func (s *Mediations) HasCopy(ctx context.Context, caseID, id int64, sha string, owner Owner) error {
	var centre string
	err := s.pool.QueryRow(ctx, `SELECT m.centre_code FROM mediation_copies c JOIN mediations m ON m.id = c.mediation_id
		WHERE m.id = $1 AND m.case_id = $2 AND c.sha256 = $3`, id, caseID, sha).Scan(&centre)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ErrPhotoNotFound
	case err != nil:
		return mediationRetry("signed copy", err)
	case !owner(centre):
		return ErrPhotoNotFound // signed copies carry the numbers in full: the owner's only
	}
	return nil
}

// Template returns the county's agreement template.
func (s *Mediations) Template(ctx context.Context) (AgreementTemplate, error) {
	var t AgreementTemplate
	err := s.pool.QueryRow(ctx, `SELECT title, body FROM agreement_template WHERE id = 1`).Scan(&t.Title, &t.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return AgreementTemplate{Title: "人民调解协议书", Body: "{{parties}}\n\n{{facts}}\n\n{{terms}}\n\n{{centre}}\n{{date}}"}, nil
	}
	return t, mediationRetry("agreement template", err)
}

// SaveTemplate replaces the template, audited with the one it replaces; by is the administrator.
func (s *Mediations) SaveTemplate(ctx context.Context, t AgreementTemplate, by int64) error {
	if err := t.Check(); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var was AgreementTemplate
		if err := tx.QueryRow(ctx, `SELECT title, body FROM agreement_template WHERE id = 1 FOR UPDATE`).Scan(&was.Title, &was.Body); err != nil &&
			!errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO agreement_template (id, title, body, updated_by, updated_at) VALUES (1, $1, $2, $3, now())
			ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			t.Title, t.Body, by); err != nil {
			return err
		}
		var counties []string
		if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM units WHERE level = 1 AND retired_at IS NULL`).
			Scan(&counties); err != nil {
			return err
		}
		b, err := json.Marshal(map[string]any{"title": t.Title, "body": t.Body, "was": was})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, units, detail) VALUES ($1, 'agreement_template.save', $2, $3)`, by, counties, b)
		return err
	})
	return mediationRetry("agreement template", err)
}

// CentreMediators lists the mediators of a centre, by name: the form's choices.
func (s *Mediations) CentreMediators(ctx context.Context, centre string) ([]Mediator, error) {
	rows, err := s.pool.Query(ctx, `SELECT m.id, m.name FROM members m JOIN assignments a ON a.member_id = m.id
		WHERE a.unit_code = $1 AND a.role = 'mediator' ORDER BY m.name, m.id LIMIT 100`, centre)
	if err != nil {
		return nil, mediationRetry("centre mediators", err)
	}
	var out []Mediator
	var id int64
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		x := id
		out = append(out, Mediator{MemberID: &x, Name: name})
		return nil
	})
	return out, mediationRetry("centre mediators", err)
}
