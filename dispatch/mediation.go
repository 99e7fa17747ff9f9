package dispatch

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// The mediation record of a case (调解记录, docs/mediation.md): each attempt (调解) records the
// parties, the mediators, the facts (事实), the claims and the outcome; a settled attempt has the
// terms agreed, from which the agreement (调解协议书) is printed. The centre that recorded an
// attempt owns it: its mediators edit it and alone read the parties' ID-card numbers and phones
// in full; every other reader (a centre the case moved to, supervisors above, the reporter's
// phone) reads them masked.

// PartyRole is a party's side in the dispute.
type PartyRole string

// The roles of a party.
const (
	PartyApplicant  PartyRole = "applicant"  // 申请人
	PartyRespondent PartyRole = "respondent" // 被申请人
	PartyOther      PartyRole = "other"      // 第三人 / 其他
)

// MediationOutcome is how an attempt ended; pending while it goes on.
type MediationOutcome string

// The outcomes of an attempt.
const (
	MediationPending   MediationOutcome = "pending"   // 调解中
	MediationSettled   MediationOutcome = "settled"   // 调解成功: an agreement
	MediationUnsettled MediationOutcome = "unsettled" // 调解不成
	MediationReferred  MediationOutcome = "referred"  // 移交: to another body (a referral)
)

// Bounds of a record.
const (
	MaxMediationText       = 5000 // facts, claims, terms
	MaxMediationParties    = 20
	MaxMediationMediators  = 10
	MaxMediationsPerCase   = 50
	MaxMediationCopies     = 20 // signed copies of one agreement
	MaxMediationNameChars  = 50
	MaxReferralBodyChars   = 100
	MaxReferralReasonChars = 2000
	// ConfirmationDays is how long after an agreement takes effect the parties may ask a court
	// to confirm it (人民调解法 art. 33: 三十日内).
	ConfirmationDays = 30
)

// Party is one side of the dispute. IDNumber and Phone are in full only in a record read by its
// owner centre (Mediation.Owned); otherwise masked.
type Party struct {
	Role     PartyRole `json:"role"`
	Name     string    `json:"name"`
	IDNumber string    `json:"id_number"`
	Phone    string    `json:"phone"`
}

// Mediator is a member of the owner centre (MemberID) or an outside mediator (by name only).
type Mediator struct {
	MemberID *int64 `json:"member_id"`
	Name     string `json:"name"`
}

// MediationInput is what a mediator writes of an attempt.
type MediationInput struct {
	Facts     string
	Claims    string
	Outcome   MediationOutcome
	Terms     string
	Parties   []Party
	Mediators []Mediator
}

// Mediation is one attempt as a reader sees it.
type Mediation struct {
	ID         int64
	CaseID     int64
	Seq        int
	Centre     string // the owner centre
	CentreName string
	Owned      bool // read by the owner centre: ID numbers and phones in full
	MediationInput
	SettledOn *time.Time // the agreement's date (a day in Asia/Shanghai)
	Version   int
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Copies    []string // signed copies' SHA-256s; owner only
	NCopies   int
	Referrals []Referral
}

// MediationError is a record refused for one field; it wraps ErrBadMediation.
type MediationError struct {
	Field   string
	Message string
}

func (e *MediationError) Error() string { return e.Field + ": " + e.Message }
func (e *MediationError) Unwrap() error { return ErrBadMediation }

func badMediation(field, format string, args ...any) error {
	return &MediationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9-]{4,19}$`)

// Check validates an attempt as its mediator wrote it: every bound, the ID-card numbers'
// check digits (GB 11643), and what a settled attempt needs (an applicant, a respondent, the
// terms). It trims the text.
func (in *MediationInput) Check() error {
	in.Facts, in.Claims, in.Terms = strings.TrimSpace(in.Facts), strings.TrimSpace(in.Claims), strings.TrimSpace(in.Terms)
	for _, f := range []struct{ name, v string }{{"facts", in.Facts}, {"claims", in.Claims}, {"terms", in.Terms}} {
		if n := utf8.RuneCountInString(f.v); n > MaxMediationText || !utf8.ValidString(f.v) {
			return badMediation(f.name, "at most %d characters of text", MaxMediationText)
		}
	}
	switch in.Outcome {
	case MediationPending, MediationSettled, MediationUnsettled, MediationReferred:
	case "":
		in.Outcome = MediationPending
	default:
		return badMediation("outcome", "pending, settled, unsettled or referred")
	}
	if len(in.Parties) == 0 || len(in.Parties) > MaxMediationParties {
		return badMediation("parties", "1 to %d parties", MaxMediationParties)
	}
	if len(in.Mediators) == 0 || len(in.Mediators) > MaxMediationMediators {
		return badMediation("mediators", "1 to %d mediators", MaxMediationMediators)
	}
	sides := map[PartyRole]bool{}
	for i := range in.Parties {
		p := &in.Parties[i]
		field := fmt.Sprintf("parties[%d]", i)
		p.Name, p.IDNumber, p.Phone = strings.TrimSpace(p.Name), strings.ToUpper(strings.TrimSpace(p.IDNumber)), strings.TrimSpace(p.Phone)
		switch p.Role {
		case PartyApplicant, PartyRespondent, PartyOther:
		default:
			return badMediation(field+".role", "applicant, respondent or other")
		}
		sides[p.Role] = true
		if err := checkName(field+".name", p.Name); err != nil {
			return err
		}
		if p.IDNumber != "" {
			if err := CheckIDNumber(p.IDNumber); err != nil {
				return badMediation(field+".id_number", "%v", err)
			}
		}
		if p.Phone != "" && !phonePattern.MatchString(p.Phone) {
			return badMediation(field+".phone", "a phone number: digits, 5 to 20")
		}
	}
	for i := range in.Mediators {
		m := &in.Mediators[i]
		m.Name = strings.TrimSpace(m.Name)
		if m.MemberID == nil {
			if err := checkName(fmt.Sprintf("mediators[%d].name", i), m.Name); err != nil {
				return err
			}
		}
	}
	if in.Outcome == MediationSettled {
		if !sides[PartyApplicant] || !sides[PartyRespondent] {
			return badMediation("parties", "a settled dispute has an applicant and a respondent")
		}
		if in.Terms == "" {
			return badMediation("terms", "a settled dispute has the terms agreed")
		}
	}
	return nil
}

func checkName(field, name string) error {
	if n := utf8.RuneCountInString(name); n == 0 || n > MaxMediationNameChars || !utf8.ValidString(name) {
		return badMediation(field, "a name of 1 to %d characters", MaxMediationNameChars)
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return badMediation(field, "a name without control characters")
	}
	return nil
}

// idWeights are GB 11643-1999's weights of the first 17 digits; idCheck maps the weighted sum
// modulo 11 to the check character.
var (
	idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheck   = "10X98765432"
)

// CheckIDNumber validates a resident ID-card number (公民身份号码, GB 11643): 17 digits (a
// region, a date of birth, a sequence) and a check character (0-9 or X) from ISO 7064 MOD 11-2.
func CheckIDNumber(id string) error {
	if len(id) != 18 {
		return fmt.Errorf("an ID-card number has 18 characters")
	}
	sum := 0
	for i := range 17 {
		c := id[i]
		if c < '0' || c > '9' {
			return fmt.Errorf("an ID-card number is 17 digits and a check digit or X")
		}
		sum += int(c-'0') * idWeights[i]
	}
	if _, err := time.Parse("20060102", id[6:14]); err != nil || id[6:10] < "1900" {
		return fmt.Errorf("the date of birth in an ID-card number is not a date")
	}
	if id[17] != idCheck[sum%11] {
		return fmt.Errorf("the check digit of the ID-card number is wrong")
	}
	return nil
}

// MaskID shows the region's first four digits and the last four: 1408**********1234.
func MaskID(id string) string {
	if id == "" {
		return ""
	}
	if len(id) <= 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

// MaskPhone shows the first three and the last four digits of a mobile: 139****0001; of a
// shorter number, the last two only.
func MaskPhone(p string) string {
	switch n := len(p); {
	case n == 0:
		return ""
	case n >= 11:
		return p[:3] + strings.Repeat("*", n-7) + p[n-4:]
	case n > 2:
		return strings.Repeat("*", n-2) + p[n-2:]
	}
	return strings.Repeat("*", len(p))
}
