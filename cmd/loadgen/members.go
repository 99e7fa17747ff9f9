package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// member is a grid worker the load generator signs in as, with the grid they report from.
type member struct {
	Phone string
	Grid  string
	Area  orb.MultiPolygon
	Token string
}

// selectMembers picks grid workers who can sign in, spread over the grid (ordered by a hash of
// the phone number, so the same members come back each run and their tokens can be reused).
const selectMembers = `
SELECT m.phone, a.unit_code, ST_AsBinary(ST_Multi(u.geom))
FROM (SELECT DISTINCT ON (member_id) member_id, unit_code FROM assignments
      WHERE role = 'grid_worker' AND unit_code LIKE $1 || '%' ORDER BY member_id, unit_code) a
JOIN members m ON m.id = a.member_id
JOIN units u ON u.code = a.unit_code
WHERE m.password_hash IS NOT NULL
ORDER BY md5(m.phone)
LIMIT $2`

// loadMembers reads n grid workers under root, and the category catalogue.
func loadMembers(ctx context.Context, conn *pgx.Conn, root string, n int) ([]*member, []string, error) {
	rows, err := conn.Query(ctx, selectMembers, root, n)
	if err != nil {
		return nil, nil, fmt.Errorf("choose members: %w", err)
	}
	var members []*member
	for rows.Next() {
		var m member
		var geom []byte
		if err := rows.Scan(&m.Phone, &m.Grid, &geom); err != nil {
			return nil, nil, fmt.Errorf("choose members: %w", err)
		}
		g, err := wkb.Unmarshal(geom)
		if err != nil {
			return nil, nil, fmt.Errorf("grid %s: polygon: %w", m.Grid, err)
		}
		mp, ok := g.(orb.MultiPolygon)
		if !ok || len(mp) == 0 {
			return nil, nil, fmt.Errorf("grid %s: not a multipolygon", m.Grid)
		}
		m.Area = mp
		members = append(members, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("choose members: %w", err)
	}
	if len(members) < n {
		return nil, nil, fmt.Errorf("want %d grid workers with passwords under %q, the database has %d (is the demo loaded? make demo)",
			n, root, len(members))
	}
	// pgx reports a failed Query through the rows too, so CollectRows sees either error.
	rows, _ = conn.Query(ctx, `SELECT code FROM categories WHERE active ORDER BY code`)
	cats, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, nil, fmt.Errorf("categories: %w", err)
	}
	if len(cats) == 0 {
		return nil, nil, fmt.Errorf("the category catalogue is empty")
	}
	return members, cats, nil
}
