package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"
)

// Config is one run of the load generator, from flags with environment fallbacks.
type Config struct {
	URL          string   // the first server's base URL, http://host:port: sign-in goes there
	URLs         []string // every server; phone i connects to URLs[i mod len] first
	DatabaseURL  string   // the server's database, for choosing members and the exactly-once check
	Workers      int      // phones, one websocket each
	Members      int      // grid workers signed in; phones beyond this share their tokens
	Password     string
	Root         string // choose members under this unit code ("" for the whole grid)
	Rate         float64
	Duration     time.Duration
	Drain        time.Duration // how long to wait for answers once sending stops
	OutsideShare float64
	ResendShare  float64
	SourceAddrs  []net.IP
	DialParallel int
	Idle         bool
	ServerPID    int
	Settle       time.Duration // idle: wait after connecting before measuring
	SessionsFile string
	Seed         uint64
	PerSecond    bool      // print the acknowledgements of every second
	Reconnect    bool      // phones reconnect by themselves and resend their outbox (docs/loadgen.md)
	ResultFile   string    // also write the result as JSON here
	Out          io.Writer // where the summary goes: stdout, or a test's buffer
}

// maxMessagesPerSec is the server's per-connection limit (docs/protocol.md); a run that would
// exceed it measures the rate limiter rather than the intake.
const maxMessagesPerSec = 5

func newCommand() *cli.Command {
	return &cli.Command{
		Name:  "loadgen",
		Usage: "play grid workers' phones against a griddispatch server and measure it (docs/loadgen.md)",
		Description: "Every flag can also be set from the environment variable named beside it.\n" +
			"Without --idle: report for --duration, print throughput and ack latency, check exactly-once in PostgreSQL.\n" +
			"With --idle: hold --workers connections open, answering the server's pings, and measure its memory and CPU.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "url", Value: "http://127.0.0.1:8080", Sources: cli.EnvVars("LOADGEN_URL"),
				Usage: "the griddispatch server: sign-in at /api/sessions, reports at /ws; several, comma-separated, spread the phones over them"},
			&cli.StringFlag{Name: "database-url", Sources: cli.EnvVars("DATABASE_URL"),
				Usage: "the server's PostgreSQL (make env prints it): members are chosen there and the exactly-once check runs there"},
			&cli.IntFlag{Name: "workers", Value: 100, Sources: cli.EnvVars("LOADGEN_WORKERS"),
				Usage: "phones to connect, one websocket each"},
			&cli.IntFlag{Name: "members", Sources: cli.EnvVars("LOADGEN_MEMBERS"),
				Usage: "grid workers to sign in (bcrypt costs the server ~80 ms each); phones beyond this reuse their tokens. 0: one per phone, at most 1,000 with --idle"},
			&cli.StringFlag{Name: "password", Value: "demo1408", Sources: cli.EnvVars("LOADGEN_PASSWORD"),
				Usage: "the members' password (the demo's)"},
			&cli.StringFlag{Name: "root", Sources: cli.EnvVars("LOADGEN_ROOT"),
				Usage: "choose grid workers under this unit code, e.g. 140802; empty: the whole grid"},
			&cli.FloatFlag{Name: "rate", Value: 100, Sources: cli.EnvVars("LOADGEN_RATE"),
				Usage: "new reports per second, all phones together (resends come on top)"},
			&cli.DurationFlag{Name: "duration", Value: 30 * time.Second, Sources: cli.EnvVars("LOADGEN_DURATION"),
				Usage: "how long to report, or with --idle how long to measure the idle connections"},
			&cli.DurationFlag{Name: "drain", Value: 60 * time.Second, Sources: cli.EnvVars("LOADGEN_DRAIN"),
				Usage: "after sending stops, how long to wait for the last answers"},
			&cli.FloatFlag{Name: "outside-share", Value: 0.05, Sources: cli.EnvVars("LOADGEN_OUTSIDE_SHARE"),
				Usage: "share of reports from points far outside the grid (kept unlocated)"},
			&cli.FloatFlag{Name: "resend-share", Value: 0.05, Sources: cli.EnvVars("LOADGEN_RESEND_SHARE"),
				Usage: "share of reports sent a second time with the same client_id, as a phone does when its ack is late"},
			&cli.StringSliceFlag{Name: "source-addrs", Sources: cli.EnvVars("LOADGEN_SOURCE_ADDRS"),
				Usage: "local addresses to dial from, round robin, e.g. 127.0.0.2-127.0.0.9 (each gives ~28,000 ports on loopback)"},
			&cli.IntFlag{Name: "dial-parallel", Value: 64, Sources: cli.EnvVars("LOADGEN_DIAL_PARALLEL"),
				Usage: "connections being opened at once"},
			&cli.BoolFlag{Name: "idle", Sources: cli.EnvVars("LOADGEN_IDLE"),
				Usage: "only hold the connections, heartbeating, and measure the server"},
			&cli.IntFlag{Name: "server-pid", Sources: cli.EnvVars("LOADGEN_SERVER_PID"),
				Usage: "the server's process id, to read its memory (VmRSS) and CPU from /proc"},
			&cli.DurationFlag{Name: "settle", Value: 15 * time.Second, Sources: cli.EnvVars("LOADGEN_SETTLE"),
				Usage: "with --idle, wait this long after connecting before measuring"},
			&cli.StringFlag{Name: "sessions-file", Sources: cli.EnvVars("LOADGEN_SESSIONS_FILE"),
				Usage: "keep session tokens in this file (mode 0600) and reuse them next run, saving the sign-ins"},
			&cli.BoolFlag{Name: "per-second", Sources: cli.EnvVars("LOADGEN_PER_SECOND"),
				Usage: "also print how many new reports were acknowledged in each second"},
			&cli.BoolFlag{Name: "reconnect", Sources: cli.EnvVars("LOADGEN_RECONNECT"),
				Usage: "phones keep unacknowledged reports in an outbox, reconnect by themselves (to the next --url) and resend them, as the phone app does"},
			&cli.StringFlag{Name: "result-file", Sources: cli.EnvVars("LOADGEN_RESULT_FILE"),
				Usage: "also write what was measured as JSON to this file (cmd/faults reads it)"},
			&cli.Uint64Flag{Name: "seed", Value: 1408, Sources: cli.EnvVars("LOADGEN_SEED"),
				Usage: "seed of points, categories and resends"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			cfg, err := configFrom(cmd)
			if err != nil {
				return cli.Exit(err.Error(), 2)
			}
			return Run(ctx, cfg)
		},
	}
}

func configFrom(cmd *cli.Command) (Config, error) {
	cfg := Config{
		URLs: splitURLs(cmd.String("url")), DatabaseURL: cmd.String("database-url"),
		Workers: int(cmd.Int("workers")), Members: int(cmd.Int("members")), Password: cmd.String("password"),
		Root: cmd.String("root"), Rate: cmd.Float("rate"), Duration: cmd.Duration("duration"),
		Drain: cmd.Duration("drain"), OutsideShare: cmd.Float("outside-share"),
		ResendShare: cmd.Float("resend-share"), DialParallel: int(cmd.Int("dial-parallel")),
		Idle: cmd.Bool("idle"), ServerPID: int(cmd.Int("server-pid")), Settle: cmd.Duration("settle"),
		SessionsFile: cmd.String("sessions-file"), Seed: cmd.Uint64("seed"), PerSecond: cmd.Bool("per-second"),
		Reconnect: cmd.Bool("reconnect"), ResultFile: cmd.String("result-file"), Out: os.Stdout,
	}
	var err error
	if cfg.SourceAddrs, err = parseSourceAddrs(cmd.StringSlice("source-addrs")); err != nil {
		return cfg, err
	}
	return cfg, cfg.check()
}

func (c *Config) check() error {
	if len(c.URLs) == 0 {
		c.URLs = splitURLs(c.URL)
	}
	for _, s := range c.URLs {
		if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--url %q: want http://host:port", s)
		}
	}
	if len(c.URLs) == 0 {
		return fmt.Errorf("--url: want http://host:port")
	}
	c.URL = c.URLs[0]
	switch {
	case c.Idle && (c.Reconnect || len(c.URLs) > 1):
		return fmt.Errorf("--idle takes one --url and no --reconnect")
	case c.DatabaseURL == "":
		return fmt.Errorf("no database: set --database-url or DATABASE_URL (make env prints the local one)")
	case c.Workers < 1:
		return fmt.Errorf("--workers %d: want at least 1", c.Workers)
	case c.Members < 0:
		return fmt.Errorf("--members %d: want 0 or more", c.Members)
	case c.Duration <= 0:
		return fmt.Errorf("--duration %s: want more than 0", c.Duration)
	case c.OutsideShare < 0 || c.OutsideShare > 1 || c.ResendShare < 0 || c.ResendShare > 1:
		return fmt.Errorf("--outside-share and --resend-share are shares: 0 to 1")
	case c.DialParallel < 1:
		return fmt.Errorf("--dial-parallel %d: want at least 1", c.DialParallel)
	}
	if c.Members == 0 {
		c.Members = c.Workers
		if c.Idle {
			c.Members = min(c.Workers, 1000)
		}
	}
	c.Members = min(c.Members, c.Workers)
	if !c.Idle {
		if c.Rate <= 0 {
			return fmt.Errorf("--rate %g: want more than 0", c.Rate)
		}
		if perConn := c.Rate * (1 + c.ResendShare) / float64(c.Workers); perConn > maxMessagesPerSec {
			need := int(c.Rate*(1+c.ResendShare)/maxMessagesPerSec + 0.999)
			return fmt.Errorf("--rate %g with --resend-share %g over %d workers is %.1f messages/s per connection; "+
				"the server allows %d/s (docs/protocol.md), so use at least --workers %d", c.Rate, c.ResendShare, c.Workers,
				perConn, maxMessagesPerSec, need)
		}
	}
	return nil
}

// wsURL is the websocket endpoint beside a base URL.
func wsURL(base string) string {
	return "ws" + strings.TrimPrefix(base, "http") + "/ws"
}

// splitURLs reads a comma-separated list of base URLs.
func splitURLs(s string) []string {
	var urls []string
	for _, u := range strings.Split(s, ",") {
		if u = strings.TrimSuffix(strings.TrimSpace(u), "/"); u != "" {
			urls = append(urls, u)
		}
	}
	return urls
}

// parseSourceAddrs reads addresses and ranges of the last byte: 127.0.0.2-127.0.0.9.
func parseSourceAddrs(items []string) ([]net.IP, error) {
	var ips []net.IP
	for _, item := range items {
		for _, part := range strings.Split(item, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			from, to, isRange := strings.Cut(part, "-")
			a, b := net.ParseIP(from).To4(), net.ParseIP(to).To4()
			if !isRange {
				b = a
			}
			if a == nil || b == nil || !a[:3].Equal(b[:3]) || a[3] > b[3] {
				return nil, fmt.Errorf("--source-addrs %q: want an IPv4 address or a range like 127.0.0.2-127.0.0.9", part)
			}
			for last := int(a[3]); last <= int(b[3]); last++ {
				ips = append(ips, net.IPv4(a[0], a[1], a[2], byte(last)))
			}
		}
	}
	return ips, nil
}
