package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Q is what domain code queries through: a transaction scoped to one
// institution, or the whole store for system tasks. SQL uses `?` placeholders.
type Q interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// Tx is a transaction on the store; it implements Q.
//
// On SQLite it wraps a database/sql transaction. On PostgreSQL it holds one
// pooled connection on which run issues BEGIN and COMMIT itself (pgtx.go),
// so that the statements queued with Finally travel with the COMMIT in one
// round trip.
type Tx struct {
	tx   *sql.Tx   // SQLite
	conn *sql.Conn // PostgreSQL
	d    Dialect
	db   *DB
	// cache, when set, holds statements prepared once on SQLite's single
	// writer connection. Parsing SQL is a large share of a small write with
	// the pure-Go driver; reusing prepared statements roughly halves it.
	cache *stmtCache

	finals []Final        // PostgreSQL: sent with the COMMIT
	before []func() error // run when fn has returned nil, before the finals
	ends   []func(bool)   // run when the transaction ends, committed or not
	after  []func()       // run once the transaction has committed
	values map[any]any    // per-transaction state of other packages (Value)
	// commitFailed: the error came from the COMMIT's round trip (PostgreSQL)
	commitFailed bool
	retried      bool      // second run after a final's Retry (PostgreSQL)
	wconn        *sql.Conn // SQLite write transactions: the connection (ExecDriver)
	done         bool      // committed or rolled back
}

// execer is what *sql.Tx and *sql.Conn have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (t *Tx) ex() execer {
	if t.conn != nil {
		return t.conn
	}
	return t.tx
}

// stmtCache maps SQL text to a statement prepared on the writer pool.
type stmtCache struct {
	pool    *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	emptied bool // since the writer connection was last renewed
}

func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	if len(c.m) > 500 { // SQL built at run time (filters) must not grow it without end
		for k, st := range c.m {
			st.Close()
			delete(c.m, k)
		}
		// Their copies on the held writer connection are only freed when
		// it goes back to the pool (DB.keepWriter).
		c.emptied = true
	}
	st, err := c.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.cache == nil {
		return nil
	}
	st, err := t.cache.get(ctx, q)
	if err != nil {
		return nil // let the plain path report the error
	}
	return t.tx.StmtContext(ctx, st)
}

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = rebind(t.d, q)
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.ex().ExecContext(ctx, q, args...)
}
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = rebind(t.d, q)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.ex().QueryContext(ctx, q, args...)
}
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = rebind(t.d, q)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.ex().QueryRowContext(ctx, q, args...)
}
func (t *Tx) Dialect() Dialect { return t.d }

// System is the tenant value that lets a transaction see every institution's
// rows under PostgreSQL row-level security. Only commands and the sign-in
// lookup use it; request handlers always run scoped to one institution.
const System = "*"

// Read runs fn in a read-only transaction scoped to institution (or System).
func (d *DB) Read(ctx context.Context, institution string, fn func(*Tx) error) error {
	return d.run(ctx, d.r, &sql.TxOptions{ReadOnly: d.Dialect == Postgres}, institution, fn)
}

// Write runs fn in a read-write transaction scoped to institution (or
// System), committing when fn returns nil and rolling back otherwise.
//
// On PostgreSQL fn may run twice: when the commit fails in a way a final
// statement says is worth one more try (Final.Retry; the audit trail's
// guessed place in its chain, taken by another process), the transaction
// is rolled back and fn runs again on a fresh one. So fn must start from
// nothing: reset what it accumulates in outer variables, read one-shot
// input (request bodies, stdin, files) before Write, and print or send
// nothing it would then say twice.
func (d *DB) Write(ctx context.Context, institution string, fn func(*Tx) error) error {
	return d.run(ctx, d.w, nil, institution, fn)
}

func (d *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, institution string, fn func(*Tx) error) error {
	if institution == "" {
		return fmt.Errorf("db: transaction without an institution scope")
	}
	if d.Dialect == Postgres {
		return d.runPG(ctx, pool, opts, institution, fn)
	}
	t, err := d.runSQLite(ctx, pool, opts, fn)
	if err != nil {
		return err
	}
	t.committed() // after the write lock is released: hooks may write
	return nil
}

func (d *DB) runSQLite(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*Tx) error) (*Tx, error) {
	if pool == d.w {
		d.wmu.Lock()
		defer d.wmu.Unlock()
		if d.wconn == nil && !d.closed {
			d.renewWriter(ctx) // lost earlier (keepWriter); without one, the pool serves
		}
	}
	var tx *sql.Tx
	var err error
	held := pool == d.w && d.wconn != nil
	if held {
		defer func() { d.keepWriter(ctx, errors.Is(err, sql.ErrConnDone)) }()
		// Not ctx itself: database/sql would roll a transaction back on
		// its own goroutine when ctx ends, and the next write on this
		// held connection could begin before that rollback had run. The
		// statements still get ctx; the rollback stays ours, below.
		tx, err = d.wconn.BeginTx(context.WithoutCancel(ctx), opts)
	} else {
		tx, err = pool.BeginTx(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	t := &Tx{tx: tx, d: d.Dialect, db: d}
	if pool == d.w {
		t.cache = d.cache
	}
	if held {
		t.wconn = d.wconn
	}
	committed, ended := false, false
	defer func() {
		// A panic in fn (recovered further up, by net/http say), or fn
		// ending its goroutine (runtime.Goexit, as t.FailNow does), must
		// not leave the transaction open: it would hold the store's write
		// lock and every later write would wait for it, then fail.
		p := recover()
		if !ended {
			tx.Rollback()
		}
		t.done = true
		t.ended(committed)
		if p != nil {
			panic(p)
		}
	}()
	err = fn(t)
	if err == nil {
		err = t.runBefore()
	}
	if err == nil {
		err = t.runFinals(ctx)
	}
	if err == nil {
		err = ctx.Err() // a request that ended does not commit
	}
	if err != nil {
		tx.Rollback()
		ended = true
		return nil, err
	}
	ended = true // a failed COMMIT ends the transaction too
	if err = tx.Commit(); err != nil {
		return nil, err
	}
	committed = true
	return t, nil
}

// rebind turns `?` placeholders into PostgreSQL's `$1, $2...`, leaving
// question marks inside quoted strings alone.
func rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
