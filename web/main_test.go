package web_test

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/griddispatch/griddispatch/grid"
)

// TestMain hashes the tests' passwords and one-time codes at bcrypt's lowest cost: the sign-in,
// reset and password-change tests run the product's code, and under -race each hash or check
// at the product's cost took about a second of CPU (docs/testing.md). The product's cost is
// grid's TestPasswordCostIsTheDefault.
func TestMain(m *testing.M) {
	grid.SetPasswordCostForTests(bcrypt.MinCost)
	os.Exit(m.Run())
}
