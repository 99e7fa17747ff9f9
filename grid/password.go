package grid

import (
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Passwords are hashed with bcrypt (golang.org/x/crypto): vetted, salted, and slow on purpose.
// bcrypt reads at most 72 bytes, so longer passwords are refused rather than silently cut.
const (
	MinPasswordLength = 8  // characters
	MaxPasswordBytes  = 72 // bcrypt's limit
	passwordCost      = 11 // ~100 ms on the project's machine kind
)

// CheckPasswordRules says whether pw may be set as a password.
func CheckPasswordRules(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return fmt.Errorf("%w: password is not valid UTF-8", ErrInvalidMember)
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return fmt.Errorf("%w: password needs at least %d characters", ErrInvalidMember, MinPasswordLength)
	case len(pw) > MaxPasswordBytes:
		return fmt.Errorf("%w: password is longer than %d bytes", ErrInvalidMember, MaxPasswordBytes)
	}
	return nil
}

// HashPassword hashes a password that passes CheckPasswordRules.
func HashPassword(pw string) (string, error) {
	if err := CheckPasswordRules(pw); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), passwordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// PasswordMatches compares in constant time (bcrypt's). An over-long password never matches.
func PasswordMatches(hash, pw string) bool {
	if len(pw) > MaxPasswordBytes || hash == "" {
		return false
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
	return err == nil
}

// dummyHash is compared against when a phone number is unknown, so that a sign-in for an
// unknown number takes as long as one with a wrong password and does not reveal which
// numbers are members.
var dummyHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte("not-a-member-password"), passwordCost)
	if err != nil {
		panic(errors.Join(errors.New("bcrypt"), err)) // only fails for a bad cost constant
	}
	return string(h)
})

// DummyPasswordCheck spends the time of one password comparison.
func DummyPasswordCheck(pw string) { PasswordMatches(dummyHash(), pw) }
