package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
)

// postgres is the harness's own PostgreSQL cluster: killing it never disturbs the cluster of
// make run and make test. Loopback only, no unix socket, a password generated per run.
type postgres struct {
	bin      string // PostgreSQL's bin directory
	dir      string // the data directory
	port     int
	password string
	asPG     []string // as root, initdb and pg_ctl run as the postgres user
}

// initPostgres makes a fresh cluster in dir (deleting what was there) and starts it.
func initPostgres(ctx context.Context, bin, dir string, port int) (*postgres, error) {
	pg := &postgres{bin: bin, dir: dir, port: port}
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		return nil, fmt.Errorf("PostgreSQL: no initdb in %s (make deps installs PostgreSQL 15 and PostGIS)", bin)
	}
	if os.Getuid() == 0 {
		pg.asPG = []string{"runuser", "-u", "postgres", "--"}
	}
	pg.stopQuietly(ctx) // a cluster left running by an interrupted run
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var b [16]byte
	rand.Read(b[:])
	pg.password = hex.EncodeToString(b[:])
	pwfile := filepath.Join(dir, "..", "pg-password")
	if err := os.WriteFile(pwfile, []byte(pg.password), 0o600); err != nil {
		return nil, err
	}
	if pg.asPG != nil {
		if err := giveToPostgres(dir, pwfile); err != nil {
			return nil, err
		}
	}
	err := pg.run(ctx, "initdb", "-D", dir, "-U", "postgres", "--pwfile="+pwfile, "--auth=scram-sha-256",
		"--encoding=UTF8", "--locale=C.UTF-8")
	os.Remove(pwfile)
	if err != nil {
		return nil, err
	}
	conf := strings.Join([]string{"listen_addresses = '127.0.0.1'", "port = " + strconv.Itoa(port),
		"unix_socket_directories = ''", "synchronous_commit = on", "fsync = on", "max_connections = 100",
		"shared_buffers = 128MB", "max_wal_size = 2GB", ""}, "\n")
	f, err := os.OpenFile(filepath.Join(dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(conf)
	f.Close()
	if err != nil {
		return nil, err
	}
	return pg, pg.start(ctx)
}

// giveToPostgres lets the postgres user own the data directory and pass through its parents.
func giveToPostgres(dir, pwfile string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("PostgreSQL as root needs the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, p := range []string{dir, pwfile} {
		if err := os.Chown(p, uid, gid); err != nil {
			return err
		}
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if st, err := os.Stat(d); err == nil && st.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(d, st.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("granting the postgres user passage through %s: %w", d, err)
			}
		}
		if d == "/" || d == "." {
			return nil
		}
	}
}

func (pg *postgres) run(ctx context.Context, tool string, args ...string) error {
	argv := append(append([]string{}, pg.asPG...), append([]string{filepath.Join(pg.bin, tool)}, args...)...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a ^C to the harness is not a ^C to PostgreSQL
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", tool, err, out)
	}
	return nil
}

// start starts the cluster and waits until it accepts connections.
func (pg *postgres) start(ctx context.Context) error {
	return pg.run(ctx, "pg_ctl", "-D", pg.dir, "-l", filepath.Join(pg.dir, "server.log"), "-w", "-t", "120", "start")
}

// crash stops it the way a power cut would: no checkpoint, crash recovery at the next start.
func (pg *postgres) crash(ctx context.Context) error {
	return pg.run(ctx, "pg_ctl", "-D", pg.dir, "-m", "immediate", "-w", "stop")
}

// stop stops it cleanly.
func (pg *postgres) stop(ctx context.Context) error {
	return pg.run(ctx, "pg_ctl", "-D", pg.dir, "-m", "fast", "-w", "stop")
}

func (pg *postgres) stopQuietly(ctx context.Context) {
	if _, err := os.Stat(filepath.Join(pg.dir, "postmaster.pid")); err == nil {
		pg.stop(ctx)
	}
}

// url is the superuser's URL of database db.
func (pg *postgres) url(db string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", pg.password, pg.port, db)
}

// createDatabase makes an empty database with PostGIS.
func (pg *postgres) createDatabase(ctx context.Context, db string) error {
	conn, err := pgx.Connect(ctx, pg.url("postgres"))
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
		return err
	}
	dbConn, err := pgx.Connect(ctx, pg.url(db))
	if err != nil {
		return err
	}
	defer dbConn.Close(ctx)
	if _, err := dbConn.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
		return fmt.Errorf("CREATE EXTENSION postgis: %w (make deps installs PostGIS)", err)
	}
	return nil
}
