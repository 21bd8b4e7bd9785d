package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Final is a statement a transaction runs last, after its function has
// returned and just before it commits. On PostgreSQL the finals and the
// COMMIT go to the server together, one round trip for all of them: if a
// final fails, the server skips what follows, the COMMIT included, and the
// whole transaction rolls back. On SQLite, where a statement costs no round
// trip, finals run in order before the commit.
//
// The audit trail uses this so that an entry adds no round trip to the
// change it records (audit.Log.Append).
type Final struct {
	Label string // what the statement writes, for error messages ("audit entry of institution X")
	SQL   string // `?` placeholders
	Args  []any
	// Row, when set, reads the one row the statement returns (scan fills
	// its arguments as sql.Row.Scan does). It runs before the COMMIT's own
	// result is known: keep what it reads, and act on it in AfterCommit.
	// It runs in Go after the server has received the COMMIT, so an error
	// it returns is reported but cannot undo the transaction on
	// PostgreSQL: only scan what the statement is sure to return.
	Row func(scan func(dest ...any) error) error
	// Retry, when set on PostgreSQL, is asked about an error that made the
	// commit fail. If it reports true, the whole transaction is run again,
	// once, on a fresh transaction: Write calls its function a second time.
	// It is meant for a final that guesses and can tell from the error that
	// it guessed wrong (the audit trail's head moved in another process);
	// Retry should also make sure the second attempt does not guess.
	Retry func(err error) bool
}

// Finally queues f to run at commit.
func (t *Tx) Finally(f Final) { t.finals = append(t.finals, f) }

// BeforeCommit queues fn to run once the transaction's function has
// returned nil, just before the finals and the COMMIT are sent; it may
// still queue finals. An error rolls the transaction back.
func (t *Tx) BeforeCommit(fn func() error) { t.before = append(t.before, fn) }

// OnEnd queues fn to run when the transaction has ended, committed or
// rolled back, panics included, before any AfterCommit hook. It is where
// a lock taken in BeforeCommit is released.
func (t *Tx) OnEnd(fn func(committed bool)) { t.ends = append(t.ends, fn) }

func (t *Tx) runBefore() error {
	for i := 0; i < len(t.before); i++ { // by index: a hook may queue another
		if err := t.before[i](); err != nil {
			return err
		}
	}
	return nil
}

// ended runs the OnEnd hooks, last queued first, like defers.
func (t *Tx) ended(committed bool) {
	for i := len(t.ends) - 1; i >= 0; i-- {
		t.ends[i](committed)
	}
	t.ends = nil
}

// AfterCommit queues fn to run once the transaction has committed, after
// the connection and any write lock are released (never on rollback).
func (t *Tx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

// Store is the store the transaction runs on, for work that AfterCommit
// does in a transaction of its own.
func (t *Tx) Store() *DB { return t.db }

// Value and SetValue keep per-transaction state for other packages, keyed
// like context values (use an unexported key type).
func (t *Tx) Value(key any) any { return t.values[key] }

// SetValue: see Value.
func (t *Tx) SetValue(key, v any) {
	if t.values == nil {
		t.values = map[any]any{}
	}
	t.values[key] = v
}

func (t *Tx) committed() {
	for _, fn := range t.after {
		fn()
	}
}

// runFinals runs the finals one by one (SQLite).
func (t *Tx) runFinals(ctx context.Context) error {
	for _, f := range t.finals {
		var err error
		if f.Row == nil {
			_, err = t.Exec(ctx, f.SQL, f.Args...)
		} else {
			err = f.Row(t.QueryRow(ctx, f.SQL, f.Args...).Scan)
		}
		if err != nil {
			if f.Label != "" {
				return fmt.Errorf("%s: %w", f.Label, err)
			}
			return err
		}
	}
	return nil
}

// PgError is the server's error inside err, if there is one, so that a
// package can tell one constraint's violation from another's.
func PgError(err error) (*pgconn.PgError, bool) {
	var pe *pgconn.PgError
	ok := errors.As(err, &pe)
	return pe, ok
}

// errCommitRolledBack: PostgreSQL answers COMMIT with ROLLBACK when a
// statement of the transaction failed and the error was not returned.
var errCommitRolledBack = errors.New("db: transaction was aborted by an earlier error and rolled back")

// runPG runs fn in a transaction on one pooled connection. BEGIN and the
// tenant scope (SET LOCAL through set_config, which ends with the
// transaction so a pooled connection never carries one request's tenant to
// the next) go in one round trip, and the finals with the COMMIT in one
// more: database/sql's own transactions would cost a round trip for each
// of BEGIN, the scope, every final and COMMIT.
func (d *DB) runPG(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, institution string, fn func(*Tx) error) error {
	begin, err := pgBegin(opts)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		t, err := d.attemptPG(ctx, pool, begin, institution, attempt > 0, fn)
		if err != nil && attempt == 0 && t != nil && t.retry(err) {
			continue
		}
		if err != nil {
			return err
		}
		t.committed()
		return nil
	}
}

// attemptPG is one run of fn in a transaction. It returns the transaction
// with the error, so that runPG can ask its finals whether to try again.
func (d *DB) attemptPG(ctx context.Context, pool *sql.DB, begin, institution string, retried bool, fn func(*Tx) error) (*Tx, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	t := &Tx{conn: conn, d: Postgres, db: d, retried: retried}
	committed, ended := false, false
	defer conn.Close() // back to the pool; one left inside a transaction is discarded (stdlib's ResetSession)
	defer func() {
		// A panic in fn (recovered further up, by net/http say), or fn
		// ending its goroutine (runtime.Goexit), must not leave the
		// transaction open, holding its locks, on an idle pooled
		// connection until someone checks it out again.
		p := recover()
		if !ended {
			t.rollbackPG(ctx)
		}
		t.done = true
		t.ended(committed)
		if p != nil {
			panic(p)
		}
	}()
	err = withPgx(conn, func(c *pgx.Conn) error {
		var b pgx.Batch
		b.Queue(begin)
		b.Queue("SELECT set_config('vigil.institution', $1, true)", institution)
		return c.SendBatch(ctx, &b).Close()
	})
	if err == nil {
		err = fn(t)
	}
	if err == nil {
		err = t.runBefore()
	}
	if err == nil {
		err = t.commitPG(ctx)
		t.commitFailed = err != nil
	}
	if err != nil {
		t.rollbackPG(ctx)
		ended = true
		return t, err
	}
	ended, committed = true, true
	return t, nil
}

// Retried reports whether this is the second run of a transaction whose
// first run a final's Retry asked to repeat: the final must not guess again.
func (t *Tx) Retried() bool { return t.retried }

// retry reports whether a final asks for the transaction to run again
// after err.
func (t *Tx) retry(err error) bool {
	if !t.commitFailed {
		return false
	}
	again := false
	for _, f := range t.finals {
		if f.Retry != nil && f.Retry(err) {
			again = true
		}
	}
	return again
}

// pgBegin is the BEGIN statement for opts. The isolation level is always
// named, so that a server or role configured with another default does not
// change what the code relies on: READ COMMITTED unless asked otherwise
// (audit/pgappend.go needs a fresh snapshot per statement).
func pgBegin(opts *sql.TxOptions) (string, error) {
	begin := "BEGIN ISOLATION LEVEL READ COMMITTED"
	if opts == nil {
		return begin, nil
	}
	switch opts.Isolation {
	case sql.LevelDefault, sql.LevelReadCommitted:
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"
	case sql.LevelSerializable:
		begin = "BEGIN ISOLATION LEVEL SERIALIZABLE"
	default:
		return "", fmt.Errorf("db: isolation level %v not supported on PostgreSQL", opts.Isolation)
	}
	if opts.ReadOnly {
		begin += " READ ONLY"
	}
	return begin, nil
}

// commitPG sends the finals and COMMIT in one pipeline with one Sync.
func (t *Tx) commitPG(ctx context.Context) error {
	return withPgx(t.conn, func(c *pgx.Conn) error {
		var b pgx.Batch
		for _, f := range t.finals {
			qq := b.Queue(rebind(Postgres, f.SQL), f.Args...)
			if f.Row != nil {
				read := f.Row
				qq.QueryRow(func(row pgx.Row) error { return read(row.Scan) })
			}
		}
		b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
			if ct.String() == "ROLLBACK" {
				return errCommitRolledBack
			}
			return nil
		})
		if err := c.SendBatch(ctx, &b).Close(); err != nil {
			if len(t.finals) > 0 {
				return fmt.Errorf("commit with %s: %w", t.finalLabels(), err)
			}
			return err
		}
		return nil
	})
}

// finalLabels names what the finals write, each once.
func (t *Tx) finalLabels() string {
	var out []string
	seen := map[string]bool{}
	for _, f := range t.finals {
		if f.Label != "" && !seen[f.Label] {
			seen[f.Label] = true
			out = append(out, f.Label)
		}
	}
	if len(out) == 0 {
		return "final statements"
	}
	return strings.Join(out, ", ")
}

// rollbackPG ends a failed transaction. If even that fails the connection
// is in an unknown state and is dropped from the pool.
func (t *Tx) rollbackPG(ctx context.Context) {
	err := withPgx(t.conn, func(c *pgx.Conn) error {
		if c.PgConn().TxStatus() == 'I' {
			return nil // nothing open (BEGIN never ran, or COMMIT did)
		}
		_, err := c.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	})
	if err != nil {
		t.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// withPgx gives fn the pgx connection under a database/sql connection.
func withPgx(conn *sql.Conn, fn func(*pgx.Conn) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("db: PostgreSQL connection of unexpected type %T", dc)
		}
		return fn(c.Conn())
	})
}
