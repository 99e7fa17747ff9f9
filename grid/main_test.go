package grid_test

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/griddispatch/griddispatch/grid"
)

// TestMain hashes the tests' passwords and one-time codes at bcrypt's lowest cost
// (docs/testing.md); TestPasswordCostIsTheDefault checks the product's.
func TestMain(m *testing.M) {
	grid.SetPasswordCostForTests(bcrypt.MinCost)
	os.Exit(m.Run())
}

// The product hashes at DefaultPasswordCost. This test is not parallel, so it runs before every
// parallel test resumes and restoring the default for its one hash reaches none of them.
func TestPasswordCostIsTheDefault(t *testing.T) {
	grid.SetPasswordCostForTests(0)
	defer grid.SetPasswordCostForTests(bcrypt.MinCost)
	h, err := grid.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	cost, err := bcrypt.Cost([]byte(h))
	if err != nil || cost != grid.DefaultPasswordCost || cost < 11 {
		t.Fatalf("the product hashes at cost %d (%v); want %d, at least 11", cost, err, grid.DefaultPasswordCost)
	}
}
