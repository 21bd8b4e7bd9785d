// Package db opens Vigil's store — embedded SQLite (modernc.org/sqlite, pure Go)
// or PostgreSQL (pgx) — applies the embedded migrations, and gives the rest of
// the code one small query interface that hides the differences between the
// two dialects (placeholders, tenant scoping for row-level security).
//
// Domain packages write portable SQL with `?` placeholders against Q; this
// package rewrites it for PostgreSQL. Nothing else in the code base should know
// which database it is talking to.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Dialect names the kind of store behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open store. On SQLite it holds two pools: a writer whose
// transactions run one at a time (so writers queue in Go instead of failing
// with SQLITE_BUSY) and a reader pool that WAL lets run beside it. On
// PostgreSQL both are one pool.
type DB struct {
	Dialect Dialect
	URL     string // as given, for messages; never logged with a password
	w       *sql.DB
	r       *sql.DB
	cache   *stmtCache
	wmu     sync.Mutex // serialises SQLite write transactions in Go
	// wconn is the SQLite connection every DB.Write transaction runs on,
	// held for the store's life, and drv the statements prepared on its
	// driver connection for Tx.ExecDriver (both guarded by wmu).
	wconn  *sql.Conn
	drv    map[string]driver.Stmt
	closed bool
}

// Open connects to url, which is "sqlite:PATH" (or a bare path ending in .db)
// or a postgres:// URL, and checks that the store answers.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite:"), rawURL)
	default:
		return nil, fmt.Errorf("database URL %q: want sqlite:PATH or postgres://...", Redact(rawURL))
	}
}

func openSQLite(ctx context.Context, path, rawURL string) (*DB, error) {
	if path == "" {
		return nil, errors.New("database URL sqlite: needs a file path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("database directory %s: %w", dir, err)
		}
	}
	// Pragmas are applied on every new connection through the DSN.
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(ON)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	wq := url.Values{}
	for k, v := range q {
		wq[k] = v
	}
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, err
	}
	// Two connections, but one write transaction at a time (wmu): the
	// first is held for the store's life and runs every write transaction
	// (wconn), the second lets statements be prepared for the cache while
	// a transaction holds the first.
	w.SetMaxOpenConns(2)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	d := &DB{Dialect: SQLite, URL: rawURL, w: w, r: r, cache: &stmtCache{pool: w, m: map[string]*sql.Stmt{}}, drv: map[string]driver.Stmt{}}
	if err := d.ping(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if d.wconn, err = w.Conn(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return d, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	p, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("database URL %s: %w", Redact(rawURL), err)
	}
	p.SetMaxOpenConns(20)
	p.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{Dialect: Postgres, URL: rawURL, w: p, r: p}
	if err := d.ping(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", Redact(rawURL), err)
	}
	return d, nil
}

func (d *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.w.PingContext(ctx); err != nil {
		return err
	}
	// Touch the file so that a wrong path fails now, not at first query.
	_, err := d.w.ExecContext(ctx, "SELECT 1")
	return err
}

// Ping reports whether the store answers; /readyz uses it.
func (d *DB) Ping(ctx context.Context) error { return d.ping(ctx) }

// Close closes both pools. On SQLite it first checkpoints the WAL so the
// database file is complete on its own.
func (d *DB) Close() error {
	if d.Dialect == SQLite {
		d.wmu.Lock()
		d.closeWriter()
		d.closed = true
		d.wmu.Unlock()
	}
	if d.Dialect == SQLite {
		_, _ = d.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	err := d.w.Close()
	if d.r != d.w {
		if e := d.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// keepWriter runs after every SQLite write transaction on the held writer
// connection, under wmu. It gives the connection back to the pool and
// takes a new one when the statement cache was emptied (database/sql frees
// a statement's copy on a connection only when the connection is put
// back) or the connection is gone (connDone), so that neither leaks nor
// stops every later write.
func (d *DB) keepWriter(ctx context.Context, connDone bool) {
	d.cache.mu.Lock()
	emptied := d.cache.emptied
	d.cache.emptied = false
	d.cache.mu.Unlock()
	if emptied || connDone {
		d.closeWriter()
		d.renewWriter(ctx)
	}
}

// renewWriter takes a connection from the writer pool to hold. If none can
// be had, writes use the pool until a later one succeeds.
func (d *DB) renewWriter(ctx context.Context) {
	if c, err := d.w.Conn(context.WithoutCancel(ctx)); err == nil {
		d.wconn, d.drv = c, map[string]driver.Stmt{}
	}
}

// closeWriter finalises the driver statements on the held writer
// connection, while it is open, and gives it back to the pool.
func (d *DB) closeWriter() {
	if d.wconn == nil {
		return
	}
	d.wconn.Raw(func(any) error {
		for _, st := range d.drv {
			st.Close()
		}
		return nil
	})
	d.drv = nil
	d.wconn.Close()
	d.wconn = nil
}

// Redact hides a password in a database URL so it can be shown in messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
