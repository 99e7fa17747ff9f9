package main

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"
)

// prepared is what both modes start from: members signed in, a database connection open.
type prepared struct {
	db      *pgx.Conn
	members []*member
	cats    []string
	dialers *dialers
}

func prepare(ctx context.Context, cfg Config, log io.Writer) (*prepared, error) {
	limit, err := raiseFileLimit()
	if err != nil {
		return nil, err
	}
	// Each connection is a file; keep some for the database, sign-in and the process.
	if cfg.Workers > int(limit)-100 {
		return nil, fmt.Errorf("--workers %d: this process may open %d files (ulimit -Hn); run several loadgen processes",
			cfg.Workers, limit)
	}
	db, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	members, cats, err := loadMembers(ctx, db, cfg.Root, cfg.Members)
	if err != nil {
		db.Close(ctx)
		return nil, err
	}
	t := time.Now()
	n, err := signIn(ctx, cfg, members)
	if err != nil {
		db.Close(ctx)
		return nil, err
	}
	fmt.Fprintf(log, "signed in %d members (%d reused from --sessions-file) in %.1fs\n",
		len(members), len(members)-n, time.Since(t).Seconds())
	return &prepared{db: db, members: members, cats: cats, dialers: newDialers(cfg)}, nil
}

func (p *prepared) close() { p.db.Close(context.Background()) }

// reconnectDB opens the database connection again if it was lost: with --reconnect the
// database may have been restarted during the run.
func (p *prepared) reconnectDB(ctx context.Context, url string) error {
	if p.db.Ping(ctx) == nil {
		return nil
	}
	p.db.Close(ctx)
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	p.db = db
	return nil
}

// dialAll opens cfg.Workers connections, phone i as member i mod len(members).
func (p *prepared) dialAll(ctx context.Context, cfg Config, log io.Writer) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, cfg.Workers)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.DialParallel)
	var done atomic.Int64
	t := time.Now()
	for i := range conns {
		g.Go(func() error {
			ws, err := p.dialers.dial(gctx, i, p.members[i%len(p.members)].Token)
			if err != nil {
				return fmt.Errorf("phone %d: %w", i, err)
			}
			conns[i] = ws
			if n := done.Add(1); n%10000 == 0 {
				fmt.Fprintf(log, "  %d connected\n", n)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		return nil, err
	}
	fmt.Fprintf(log, "connected %d phones in %.1fs\n", len(conns), time.Since(t).Seconds())
	return conns, nil
}

// closeAll says goodbye properly, so the server sees a normal closure rather than a reset.
func closeAll(conns []*websocket.Conn) {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	for _, c := range conns {
		c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		c.Close()
	}
}
