package dispatch

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Category is an entry of the catalogue: what kind of matter, and where its cases start.
type Category struct {
	Code         string
	Group        string
	NameZH       string
	NameEN       string
	StartLevel   int  // the tier of the first centre: 3 village, 2 township, 1 county
	GridMayClose bool // a grid worker may handle it on the spot and close it
}

func loadCategories(ctx context.Context, pool *pgxpool.Pool) (map[string]Category, error) {
	rows, err := pool.Query(ctx, `SELECT code, group_code, name_zh, name_en, start_level, grid_may_close
		FROM categories WHERE active ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Category])
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	m := make(map[string]Category, len(list))
	for _, c := range list {
		m[c.Code] = c
	}
	return m, nil
}
