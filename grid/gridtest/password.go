package gridtest

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"
)

// quickHashes are test passwords hashed once each at bcrypt's lowest cost.
var quickHashes sync.Map

// SetPassword gives a member a password hashed at bcrypt's lowest cost, written straight to its
// row. Signing in checks it the product's way, but without cost 11's work for every member of a
// fixture, which under -race was most of many tests' time (a second of CPU a member). Tests of
// passwords and signing in themselves use grid.Store.SetPassword.
func SetPassword(tb testing.TB, pool *pgxpool.Pool, memberID int64, pw string) {
	tb.Helper()
	h, ok := quickHashes.Load(pw)
	if !ok {
		b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			tb.Fatal(err)
		}
		h, _ = quickHashes.LoadOrStore(pw, string(b))
	}
	tag, err := pool.Exec(context.Background(), `UPDATE members SET password_hash = $2 WHERE id = $1`, memberID, h)
	if err != nil || tag.RowsAffected() != 1 {
		tb.Fatalf("set the password of member %d: %v", memberID, err)
	}
}
