package grid

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Passwords are hashed with bcrypt (golang.org/x/crypto): vetted, salted, and slow on purpose.
// bcrypt reads at most 72 bytes, so longer passwords are refused rather than silently cut.
const (
	MinPasswordLength   = 8  // characters
	MaxPasswordBytes    = 72 // bcrypt's limit
	DefaultPasswordCost = 11 // ~100 ms on the project's machine kind
)

// passwordCostForTests, when not 0, is the cost of what is hashed from now on
// (SetPasswordCostForTests).
var passwordCostForTests atomic.Int32

// SetPasswordCostForTests makes the passwords and one-time codes hashed from now on use bcrypt's
// cost c (0: DefaultPasswordCost again). Only tests call it: under -race a hash or check at the
// product's cost takes about a second of CPU, which made the password tests a large part of
// make test. The product never lowers it; a stored hash carries its own cost, which bcrypt
// reads from it, so checks are unaffected. TestPasswordCostIsTheDefault checks the default.
func SetPasswordCostForTests(c int) { passwordCostForTests.Store(int32(c)) }

// passwordCost is bcrypt's cost for new hashes.
func passwordCost() int {
	if c := passwordCostForTests.Load(); c != 0 {
		return int(c)
	}
	return DefaultPasswordCost
}

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
	h, err := bcrypt.GenerateFromPassword([]byte(pw), passwordCost())
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
	h, err := bcrypt.GenerateFromPassword([]byte("not-a-member-password"), passwordCost())
	if err != nil {
		panic(errors.Join(errors.New("bcrypt"), err)) // only fails for a bad cost constant
	}
	return string(h)
})

// DummyPasswordCheck spends the time of one password comparison.
func DummyPasswordCheck(pw string) { PasswordMatches(dummyHash(), pw) }
