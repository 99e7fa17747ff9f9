package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/web"
	"github.com/griddispatch/griddispatch/web/pdfdoc"
)

// Config is everything the binary can be told, from flags with environment fallbacks.
type Config struct {
	DatabaseURL string
	NATSURL     string // empty: run an embedded NATS server
	NATSListen  string // client address of the embedded server; empty: in-process only
	// NATSReplicas is how many JetStream servers keep each stream (and its durable consumers):
	// 1, or 3 or 5 on an external cluster.
	NATSReplicas int
	Listen       string
	DataDir      string
	PhotosDir    string // empty: DataDir/photos; shared storage when several processes serve
	LogLevel     string
	LogFormat    string
	NearMetres   float64 // how far outside the grid a report may be and still be placed
	// AllowedOrigins are browser origins, besides the server's own host, allowed to open
	// websockets (the phone app served from another host name, say).
	AllowedOrigins []string
	// Figures: the fewest cases a unit needs to be ranked, and the dashboard map's bands.
	Figures web.FiguresOptions
	// PDFFont is the TrueType font with Chinese glyphs that PDFs (the weekly bulletin) are
	// written in; empty: the first of pdfdoc.FontPaths found (Debian's fonts-droid-fallback).
	PDFFont string
	// Duplicates: how near in place and time two reports of a category are suggested as one
	// matter (并单, docs/cases.md).
	Duplicates dispatch.DuplicateWindow
	// ReadDatabaseURL is a read-only copy of DatabaseURL (a streaming replica) that the
	// dashboard's figures are read from; empty: the primary, through a pool of their own
	// (docs/deploy.md).
	ReadDatabaseURL string
	// PIIKeyFile holds the key that seals the mediation parties' ID-card numbers and phones in
	// the database (docs/mediation.md); empty: DataDir/pii.key, made on first start. Several
	// processes must share it, as they share PhotosDir.
	PIIKeyFile string
}

// DefaultConfig is what an unconfigured process uses.
func DefaultConfig() Config {
	return Config{Listen: "127.0.0.1:8080", DataDir: ".data", LogLevel: "info", LogFormat: "text",
		NearMetres: grid.DefaultNearMetres, NATSReplicas: 1, Figures: web.DefaultFiguresOptions(),
		Duplicates: dispatch.DefaultDuplicateWindow}
}

// photosDir is where uploaded photos are kept.
func (c Config) photosDir() string {
	if c.PhotosDir != "" {
		return c.PhotosDir
	}
	return filepath.Join(c.DataDir, "photos")
}

// piiKeyFile is where the personal-data key is kept.
func (c Config) piiKeyFile() string {
	if c.PIIKeyFile != "" {
		return c.PIIKeyFile
	}
	return filepath.Join(c.DataDir, "pii.key")
}

// validate rejects settings that cannot work together, before anything is opened.
func (c Config) validate() error {
	if c.NATSReplicas < 1 || c.NATSReplicas > 5 {
		return fmt.Errorf("--nats-replicas %d: want 1 to 5 (3 on a three-server cluster)", c.NATSReplicas)
	}
	if err := c.Figures.Validate(); err != nil {
		return fmt.Errorf("--ranking-min-cases, --map-bands: %w", err)
	}
	if err := c.Duplicates.Check(); err != nil {
		return fmt.Errorf("--duplicate-metres, --duplicate-hours: %w", err)
	}
	if c.PDFFont != "" {
		if _, err := os.Stat(c.PDFFont); err != nil {
			return fmt.Errorf("--pdf-font: %w", err)
		}
	}
	if c.NATSReplicas > 1 && c.NATSURL == "" {
		return fmt.Errorf("--nats-replicas %d needs an external NATS cluster (--nats-url): the embedded server is a single node", c.NATSReplicas)
	}
	return nil
}

func globalFlags() []cli.Flag {
	d := DefaultConfig()
	return []cli.Flag{
		&cli.StringFlag{Name: "database-url", Sources: cli.EnvVars("DATABASE_URL"),
			Usage: "PostgreSQL 15+ with PostGIS 3, as a URL: postgres://user:password@host:5432/db (make env prints the local one)"},
		&cli.StringFlag{Name: "read-database-url", Sources: cli.EnvVars("READ_DATABASE_URL"),
			Usage: "a read-only replica of --database-url that the dashboard's figures are read from (docs/deploy.md); empty: the primary, through a pool of their own"},
		&cli.StringFlag{Name: "nats-url", Sources: cli.EnvVars("NATS_URL"),
			Usage: "external NATS server or cluster with JetStream, e.g. nats://n1:4222,nats://n2:4222; empty runs an embedded server"},
		&cli.StringFlag{Name: "nats-listen", Sources: cli.EnvVars("GRIDDISPATCH_NATS_LISTEN"),
			Usage: "address where the embedded NATS server accepts clients, e.g. 127.0.0.1:4222; empty: in-process only"},
		&cli.IntFlag{Name: "nats-replicas", Value: d.NATSReplicas, Sources: cli.EnvVars("GRIDDISPATCH_NATS_REPLICAS"),
			Usage: "JetStream servers that keep each stream and durable consumer (1, or 3 on a three-node cluster); every process must use the same"},
		&cli.StringFlag{Name: "listen", Value: d.Listen, Sources: cli.EnvVars("GRIDDISPATCH_LISTEN"),
			Usage: "HTTP address to serve the API, the apps and /healthz, /readyz on"},
		&cli.StringFlag{Name: "data-dir", Value: d.DataDir, Sources: cli.EnvVars("GRIDDISPATCH_DATA_DIR"),
			Usage: "directory for local state: the embedded NATS JetStream store, and uploaded photos unless --photos-dir"},
		&cli.StringFlag{Name: "photos-dir", Sources: cli.EnvVars("GRIDDISPATCH_PHOTOS_DIR"),
			Usage: "directory of uploaded photos (default: <data-dir>/photos); several processes must share it (NFS, a shared volume)"},
		&cli.StringFlag{Name: "pii-key-file", Sources: cli.EnvVars("GRIDDISPATCH_PII_KEY_FILE"),
			Usage: "file of the key sealing mediation parties' ID-card numbers and phones (default: <data-dir>/pii.key, made if missing); back it up apart from the database, share it between processes"},
		&cli.StringFlag{Name: "log-level", Value: d.LogLevel, Sources: cli.EnvVars("GRIDDISPATCH_LOG_LEVEL"),
			Usage: "debug, info, warn or error"},
		&cli.StringFlag{Name: "log-format", Value: d.LogFormat, Sources: cli.EnvVars("GRIDDISPATCH_LOG_FORMAT"),
			Usage: "text or json"},
		&cli.StringSliceFlag{Name: "allowed-origin", Sources: cli.EnvVars("GRIDDISPATCH_ALLOWED_ORIGINS"),
			Usage: "browser origin (e.g. https://grid.example.gov.cn) allowed to open websockets besides this server's own host; repeatable"},
		&cli.FloatFlag{Name: "near-metres", Value: d.NearMetres, Sources: cli.EnvVars("GRIDDISPATCH_NEAR_METRES"),
			Usage: "a report up to this many metres outside the grid (GPS drift) is placed in the nearest unit; beyond, it is kept unlocated"},
		&cli.IntFlag{Name: "ranking-min-cases", Value: d.Figures.RankingMinCases, Sources: cli.EnvVars("GRIDDISPATCH_RANKING_MIN_CASES"),
			Usage: "fewest cases received in the period for a unit to be ranked (dashboard rankings, the bulletin's best and worst five)"},
		&cli.FloatSliceFlag{Name: "map-bands", Value: d.Figures.MapBands, Sources: cli.EnvVars("GRIDDISPATCH_MAP_BANDS"),
			Usage: "closure-rate thresholds in percent that band the dashboard's map, ascending, e.g. 85,92,97"},
		&cli.StringFlag{Name: "pdf-font", Sources: cli.EnvVars("GRIDDISPATCH_PDF_FONT"),
			Usage: "TrueType font (.ttf, glyf outlines) with Chinese glyphs for PDFs such as the weekly bulletin; default: the first found of " +
				strings.Join(pdfdoc.FontPaths, ", ")},
		&cli.FloatFlag{Name: "duplicate-metres", Value: d.Duplicates.Metres, Sources: cli.EnvVars("GRIDDISPATCH_DUPLICATE_METRES"),
			Usage: "reports of a category within this many metres (and --duplicate-hours) are suggested as possible duplicates (可能重复)"},
		&cli.FloatFlag{Name: "duplicate-hours", Value: d.Duplicates.Within.Hours(), Sources: cli.EnvVars("GRIDDISPATCH_DUPLICATE_HOURS"),
			Usage: "reports of a category received within this many hours of each other (and --duplicate-metres) are suggested as possible duplicates"},
	}
}

func configFrom(cmd *cli.Command) Config {
	return Config{
		DatabaseURL:    cmd.String("database-url"),
		NATSURL:        cmd.String("nats-url"),
		NATSListen:     cmd.String("nats-listen"),
		Listen:         cmd.String("listen"),
		NATSReplicas:   cmd.Int("nats-replicas"),
		DataDir:        cmd.String("data-dir"),
		PhotosDir:      cmd.String("photos-dir"),
		LogLevel:       cmd.String("log-level"),
		LogFormat:      cmd.String("log-format"),
		NearMetres:     cmd.Float("near-metres"),
		AllowedOrigins: cmd.StringSlice("allowed-origin"),
		Figures:        web.FiguresOptions{RankingMinCases: cmd.Int("ranking-min-cases"), MapBands: cmd.FloatSlice("map-bands")},
		PDFFont:        cmd.String("pdf-font"),
		Duplicates: dispatch.DuplicateWindow{Metres: cmd.Float("duplicate-metres"),
			Within: time.Duration(cmd.Float("duplicate-hours") * float64(time.Hour))},
		ReadDatabaseURL: cmd.String("read-database-url"),
		PIIKeyFile:      cmd.String("pii-key-file"),
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
