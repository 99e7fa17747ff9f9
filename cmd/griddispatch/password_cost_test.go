package main

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/griddispatch/griddispatch/grid"
)

// TestMain hashes the tests' passwords and one-time codes at bcrypt's lowest cost in this
// process (docs/testing.md); the binaries the tests build and start hash at the product's.
func TestMain(m *testing.M) {
	grid.SetPasswordCostForTests(bcrypt.MinCost)
	os.Exit(m.Run())
}
