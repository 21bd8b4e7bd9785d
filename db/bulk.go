package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Bulk is one connection of the SQLite writer pool held for the length of a
// bulk load (an import of a large file). Its transactions are serialised
// with DB.Write like any other write, one per batch, so an import killed
// midway leaves whole batches; what it adds is that settings made on the
// connection (page cache, checkpoint policy) stay on it for the whole load
// and are undone by the loader before Close, and that the loader may reach
// the driver's connection (BulkTx.Raw) to run a prepared statement without
// database/sql converting and checking every value again.
//
// Only SQLite has it: on PostgreSQL imports write through DB.Write.
type Bulk struct {
	d     *DB
	conn  *sql.Conn
	stmts map[string]*sql.Stmt // prepared on conn, by SQL text
}

// Bulk takes a writer connection for a bulk load. Close gives it back.
//
// The writer pool grows by one connection while a Bulk holds one, so that
// DB.Write keeps the spare connection it prepares new statements on: with
// the pool's two connections taken by the Bulk and a transaction, preparing
// would wait for a connection that only the end of the load frees, while
// the load waits for that transaction.
func (d *DB) Bulk(ctx context.Context) (*Bulk, error) {
	if d.Dialect != SQLite {
		return nil, errors.New("db: a bulk connection is for the embedded store only")
	}
	growWriters(d, 1)
	c, err := d.w.Conn(ctx)
	if err != nil {
		growWriters(d, -1)
		return nil, err
	}
	return &Bulk{d: d, conn: c, stmts: map[string]*sql.Stmt{}}, nil
}

var writersMu sync.Mutex

// growWriters changes the writer pool's limit of open connections by n
// (nothing when it has none).
func growWriters(d *DB, n int) {
	writersMu.Lock()
	defer writersMu.Unlock()
	if max := d.w.Stats().MaxOpenConnections; max > 0 {
		d.w.SetMaxOpenConns(max + n)
	}
}

// Exec runs one statement on the bulk connection outside a transaction
// (a PRAGMA that must be set or undone between batches).
func (b *Bulk) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	b.d.wmu.Lock()
	defer b.d.wmu.Unlock()
	return b.conn.ExecContext(ctx, q, args...)
}

// Raw gives fn the driver's connection outside a transaction (to close
// what the loader prepared on it through BulkTx.Raw).
func (b *Bulk) Raw(fn func(driverConn any) error) error {
	b.d.wmu.Lock()
	defer b.d.wmu.Unlock()
	return b.conn.Raw(fn)
}

// Close closes the statements prepared on the connection and gives it back
// to the writer pool.
func (b *Bulk) Close() error {
	for _, st := range b.stmts {
		st.Close()
	}
	b.stmts = nil
	err := b.conn.Close()
	growWriters(b.d, -1)
	return err
}

// stmt is q prepared on the bulk connection, once (as DB.Write's
// transactions reuse statements prepared on the writer pool): a loader runs
// the same few statements batch after batch, and parsing a statement with
// hundreds of parameters each time would cost more than running it.
func (b *Bulk) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := b.stmts[q]; ok {
		return st, nil
	}
	if len(b.stmts) >= 100 { // SQL built at run time must not grow it without end
		for k, st := range b.stmts {
			st.Close()
			delete(b.stmts, k)
		}
	}
	st, err := b.conn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	b.stmts[q] = st
	return st, nil
}

// Write runs fn in one write transaction (BEGIN IMMEDIATE) on the bulk
// connection, committing when fn returns nil and rolling back otherwise,
// one at a time with DB.Write. institution is the scope as for DB.Write
// (SQLite has no row-level security; it must still be given).
func (b *Bulk) Write(ctx context.Context, institution string, fn func(*BulkTx) error) (err error) {
	if institution == "" {
		return fmt.Errorf("db: transaction without an institution scope")
	}
	b.d.wmu.Lock()
	defer b.d.wmu.Unlock()
	if _, err := b.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	t := &BulkTx{b: b}
	defer func() {
		// As in runSQLite: a panic must not leave the store's write lock
		// held by an open transaction.
		if p := recover(); p != nil {
			b.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		// Undone even when ctx has ended.
		if _, rerr := b.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	if _, err := b.conn.ExecContext(context.WithoutCancel(ctx), "COMMIT"); err != nil {
		b.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	return nil
}

// BulkTx is a transaction on a Bulk connection; it implements Q.
type BulkTx struct {
	b *Bulk
}

func (t *BulkTx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := t.b.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}
func (t *BulkTx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := t.b.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}
func (t *BulkTx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := t.b.stmt(ctx, q)
	if err != nil {
		return t.b.conn.QueryRowContext(ctx, q, args...) // reports the error
	}
	return st.QueryRowContext(ctx, args...)
}
func (t *BulkTx) Dialect() Dialect { return SQLite }

// Raw gives fn the driver's connection (modernc.org/sqlite's, which
// implements driver.ConnPrepareContext), inside the transaction. fn must
// not keep the connection after it returns; a statement prepared on it
// stays valid on the Bulk connection (every BulkTx of one Bulk has the same
// driver connection) until the loader closes it, through Raw of a later
// BulkTx or Bulk.Raw, before Bulk.Close.
func (t *BulkTx) Raw(fn func(driverConn any) error) error { return t.b.conn.Raw(fn) }
