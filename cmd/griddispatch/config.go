package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/grid"
)

// Config is everything the binary can be told, from flags with environment fallbacks.
type Config struct {
	DatabaseURL string
	NATSURL     string // empty: run an embedded NATS server
	NATSListen  string // client address of the embedded server; empty: in-process only
	Listen      string
	DataDir     string
	LogLevel    string
	LogFormat   string
	NearMetres  float64 // how far outside the grid a report may be and still be placed
	// AllowedOrigins are browser origins, besides the server's own host, allowed to open
	// websockets (the phone app served from another host name, say).
	AllowedOrigins []string
}

// DefaultConfig is what an unconfigured process uses.
func DefaultConfig() Config {
	return Config{Listen: "127.0.0.1:8080", DataDir: ".data", LogLevel: "info", LogFormat: "text",
		NearMetres: grid.DefaultNearMetres}
}

func globalFlags() []cli.Flag {
	d := DefaultConfig()
	return []cli.Flag{
		&cli.StringFlag{Name: "database-url", Sources: cli.EnvVars("DATABASE_URL"),
			Usage: "PostgreSQL 15+ with PostGIS 3, as a URL: postgres://user:password@host:5432/db (make env prints the local one)"},
		&cli.StringFlag{Name: "nats-url", Sources: cli.EnvVars("NATS_URL"),
			Usage: "external NATS server or cluster with JetStream, e.g. nats://n1:4222,nats://n2:4222; empty runs an embedded server"},
		&cli.StringFlag{Name: "nats-listen", Sources: cli.EnvVars("GRIDDISPATCH_NATS_LISTEN"),
			Usage: "address where the embedded NATS server accepts clients, e.g. 127.0.0.1:4222; empty: in-process only"},
		&cli.StringFlag{Name: "listen", Value: d.Listen, Sources: cli.EnvVars("GRIDDISPATCH_LISTEN"),
			Usage: "HTTP address to serve the API, the apps and /healthz, /readyz on"},
		&cli.StringFlag{Name: "data-dir", Value: d.DataDir, Sources: cli.EnvVars("GRIDDISPATCH_DATA_DIR"),
			Usage: "directory for local state: the embedded NATS JetStream store and uploaded photos"},
		&cli.StringFlag{Name: "log-level", Value: d.LogLevel, Sources: cli.EnvVars("GRIDDISPATCH_LOG_LEVEL"),
			Usage: "debug, info, warn or error"},
		&cli.StringFlag{Name: "log-format", Value: d.LogFormat, Sources: cli.EnvVars("GRIDDISPATCH_LOG_FORMAT"),
			Usage: "text or json"},
		&cli.StringSliceFlag{Name: "allowed-origin", Sources: cli.EnvVars("GRIDDISPATCH_ALLOWED_ORIGINS"),
			Usage: "browser origin (e.g. https://grid.example.gov.cn) allowed to open websockets besides this server's own host; repeatable"},
		&cli.FloatFlag{Name: "near-metres", Value: d.NearMetres, Sources: cli.EnvVars("GRIDDISPATCH_NEAR_METRES"),
			Usage: "a report up to this many metres outside the grid (GPS drift) is placed in the nearest unit; beyond, it is kept unlocated"},
	}
}

func configFrom(cmd *cli.Command) Config {
	return Config{
		DatabaseURL:    cmd.String("database-url"),
		NATSURL:        cmd.String("nats-url"),
		NATSListen:     cmd.String("nats-listen"),
		Listen:         cmd.String("listen"),
		DataDir:        cmd.String("data-dir"),
		LogLevel:       cmd.String("log-level"),
		LogFormat:      cmd.String("log-format"),
		NearMetres:     cmd.Float("near-metres"),
		AllowedOrigins: cmd.StringSlice("allowed-origin"),
	}
}

// newLogger builds the one logger of the process; everything else gets it injected.
func newLogger(w io.Writer, cfg Config) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", cfg.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(cfg.LogFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", cfg.LogFormat)
}
