package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
)

// ExecDriver runs q with args and returns how many rows it changed, like
// Exec, but in a SQLite write transaction (DB.Write) it hands the values
// straight to the driver, on a statement prepared once on the store's
// writer connection: database/sql's checks and conversions of every value,
// its statement bookkeeping and the cache look-up cost about as much again
// as the driver's own work for a small INSERT (8 of 17 µs for an audit
// entry of twelve values). It is for the one statement every audited write
// runs (audit.Log.Append), whose values are plain strings and int64s; args
// must be values the driver takes as they are (string, int64, float64,
// bool, []byte, time.Time or nil), and q one of a few fixed statements,
// never SQL built at run time: each is kept prepared until the store
// closes. Elsewhere it is Exec.
func (t *Tx) ExecDriver(ctx context.Context, q string, args ...any) (int64, error) {
	if t.done {
		return 0, sql.ErrTxDone // not in autocommit on the writer connection
	}
	if t.wconn == nil {
		res, err := t.Exec(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	var n int64
	// The transaction runs on wconn too; Raw only borrows the driver
	// connection between two of its statements, under the store's write
	// lock (wmu), which the transaction holds.
	err := t.wconn.Raw(func(dc any) error {
		st, ok := t.db.drv[q]
		if !ok {
			p, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return errNoDriverPrepare
			}
			var err error
			if st, err = p.PrepareContext(ctx, q); err != nil {
				return err
			}
			t.db.drv[q] = st
		}
		ex, ok := st.(driver.StmtExecContext)
		if !ok {
			return errNoDriverPrepare
		}
		res, err := ex.ExecContext(ctx, nv)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

var errNoDriverPrepare = errors.New("db: the SQLite driver does not prepare or run statements with a context")
