package grid

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Admin is who makes an administrative change and where they may make it: Roots are the units
// whose subtrees they administer (a county's or a township's administrator). Nil Roots is the
// command line, run by whoever holds the database credentials: everywhere, By nil.
type Admin struct {
	By    *int64
	Roots []string
}

// CommandLine is the administrator of the command line.
var CommandLine = Admin{}

// ErrOutOfScope means the change reaches outside what the administrator administers.
var ErrOutOfScope = errors.New("outside your jurisdiction")

// ErrDeactivated means the member was deactivated; they keep their history but act no more.
var ErrDeactivated = errors.New("member deactivated")

// ErrPhoneHeld means a deactivated member still holds the phone number (release it first).
var ErrPhoneHeld = errors.New("phone number held by a deactivated member")

// covers reports whether code lies in the administrator's subtrees.
func (a Admin) covers(code string) bool {
	if a.Roots == nil {
		return true
	}
	for _, r := range a.Roots {
		if strings.HasPrefix(code, r) {
			return true
		}
	}
	return false
}

// coversAll: every one of a member's units. A member assigned in two townships is administered
// by the county, not by either township alone.
func (a Admin) coversAll(codes []string) bool {
	for _, c := range codes {
		if !a.covers(c) {
			return false
		}
	}
	return true
}

// MemberInfo is a member as administrators see them.
type MemberInfo struct {
	Member
	DeactivatedAt      *time.Time
	PhoneReleased      bool
	MustChangePassword bool
	Assignments        []AssignmentInfo
}

// AssignmentInfo is an assignment with its unit's name, and whether a change set flagged it
// (its unit was retired without a successor to move it to).
type AssignmentInfo struct {
	UnitCode string
	UnitName string
	Role     Role
	Flagged  bool
	Retired  bool
}

// MemberQuery filters the member list: text matches name or phone; Unit keeps members assigned
// in that subtree, Role those with that role; Inactive includes deactivated members.
type MemberQuery struct {
	Text     string
	Unit     string
	Role     Role
	Flagged  bool // only members with a flagged assignment
	Inactive bool
	Limit    int
	Offset   int
}

// MaxMemberPage bounds one page of the member list.
const MaxMemberPage = 500

// ResetCodeLifetime is how long a one-time password code signs in.
const ResetCodeLifetime = 72 * time.Hour

// resetAlphabet has no 0/o, 1/l/i: a code is read out over the phone and typed on one.
const resetAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// newResetCode is 10 characters of resetAlphabet, about 49 bits: with sign-in's rate limits,
// out of reach of guessing within its lifetime.
// Bytes at or above the largest multiple of the alphabet's size are drawn again, so that every
// character is equally likely.
func newResetCode() (string, error) {
	const n, limit = 10, 256 / len(resetAlphabet) * len(resetAlphabet)
	code := make([]byte, 0, n)
	buf := make([]byte, 16)
	for len(code) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("reset code: %w", err)
		}
		for _, c := range buf {
			if int(c) < limit && len(code) < n {
				code = append(code, resetAlphabet[int(c)%len(resetAlphabet)])
			}
		}
	}
	return string(code), nil
}
