package grid

import (
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store keeps the grid in PostgreSQL+PostGIS.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}
