package incident

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"
	"sync"
	"time"

	"vigil/db"
)

// Bulk loading into the embedded store (SQLite).
//
// Every event row costs one insert into each B-tree of the table: the rows
// themselves, the primary key, and the date index the incident list sorts
// by (institution_id || date_start, datekey.go). Imported rows arrive in id order, so the first
// two are appends; the date index gets inserts all over the tree, which is
// what made a 1,000,000-row import slow. A large import therefore drops the
// date index in the transaction of its first batch and builds it again, in
// one sorted pass, after the last batch.
//
// Crash safety: dropping the index commits together with the first batch,
// so the store is never half-way. An import killed after that leaves whole
// batches and no date index: every query still answers (the index is only a
// shortcut), just slower on a large store, until the next import (which
// builds it when it ends, and first when it will not drop it itself) or the
// first request to the incident pages after the server starts
// (EnsureEventIndexesIdle).
//
// The index is dropped only by a batch that inserts at least half a batch
// of new rows, so running a file again (everything unchanged) never drops
// and rebuilds it.

// eventIndexes are the events' secondary indexes on SQLite as migrations
// 0008 and 0018 made them (datekey.go); EnsureEventIndexes creates any that
// is missing.
var eventIndexes = []struct{ name, create string }{
	{"events_date", "CREATE INDEX IF NOT EXISTS events_date ON events((institution_id || date_start))"},
}

// bulkRowBytes is a low estimate of a row's size in a GED or ACLED file
// (the UCDP sample averages some 600 bytes), so that the number of rows a
// file holds is not overestimated.
const bulkRowBytes = 1000

// bulkMinRows is the smallest estimated import that drops the index.
const bulkMinRows = 50_000

// bulkLoad decides whether an import of a file of size bytes drops the date
// index: when it brings at least bulkMinRows rows and at least a quarter of
// the events already stored (rebuilding the index reads every event, so it
// only pays when the import is large against what is there).
func bulkLoad(ctx context.Context, d *db.DB, inst string, size int64) (bool, error) {
	rows := size / bulkRowBytes
	if d.Dialect != db.SQLite || rows < bulkMinRows {
		return false, nil
	}
	// Counted in the date index alone: the key's range without
	// instDateRange's "institution_id = ?", which SQLite checks on every
	// event's row (the index holds the key, not the column), some 5 s of
	// page reads for 1,000,000 stored events that a re-import of the same
	// file paid before writing nothing. The range would also count an
	// institution whose id began with inst's (ids are of one length), which
	// only makes dropping the index less likely.
	var n int64
	err := d.Read(ctx, inst, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM events WHERE (institution_id || date_start) >= ? AND (institution_id || date_start) <= ?",
			inst, inst+":").Scan(&n)
	})
	return err == nil && rows*4 >= n, err
}

func fileSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

// dropEventIndexes drops the secondary indexes inside tx (SQLite only).
func dropEventIndexes(ctx context.Context, tx db.Q) error {
	for _, ix := range eventIndexes {
		if _, err := tx.Exec(ctx, "DROP INDEX IF EXISTS "+ix.name); err != nil {
			return err
		}
	}
	return nil
}

// EnsureEventIndexes creates the events' secondary indexes that are missing
// (after a bulk load, or one that was killed). It does nothing on
// PostgreSQL, where imports never drop them, and costs one look at the
// schema when they are all there.
func EnsureEventIndexes(ctx context.Context, d *db.DB, inst string) error {
	if d.Dialect != db.SQLite {
		return nil
	}
	missing, err := missingEventIndexes(ctx, d, inst)
	if err != nil || len(missing) == 0 {
		return err
	}
	return d.Write(ctx, inst, func(tx *db.Tx) error {
		// A 16 MB page cache while the index is built, put back after:
		// the setting stays on the pooled writer connection. The sort
		// spills to a temporary file (the driver's default temp_store,
		// which cannot be changed inside a transaction), so sorting the
		// keys of a million rows stays within the import's memory budget.
		// No sorter threads: on this 2-core machine PRAGMA threads = 2
		// made a million-key index build slower (2.9-3.6 s against
		// 2.2-2.5 s), and that setting would stay on the connection too.
		if _, err := tx.Exec(ctx, "PRAGMA cache_size = -16384"); err != nil {
			return err
		}
		defer tx.Exec(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
		for _, create := range missing {
			if _, err := tx.Exec(ctx, create); err != nil {
				return fmt.Errorf("building an events index: %w", err)
			}
		}
		return nil
	})
}

func missingEventIndexes(ctx context.Context, d *db.DB, inst string) ([]string, error) {
	var missing []string
	err := d.Read(ctx, inst, func(tx *db.Tx) error {
		for _, ix := range eventIndexes {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?", ix.name).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				missing = append(missing, ix.create)
			}
		}
		return nil
	})
	return missing, err
}

// indexesChecked maps a *db.DB to the time its indexes were last found
// complete or built. The check is repeated after indexRecheck, so that a
// bulk import killed while a server runs (leaving the date index dropped)
// is repaired without a restart.
var indexesChecked sync.Map

// indexRecheck is how long a completed check is trusted.
const indexRecheck = time.Minute

// RecentImportWindow is how long after the last imported row an import
// counts as possibly still running, so that EnsureEventIndexesIdle leaves
// the index to it.
const RecentImportWindow = 10 * time.Minute

// EnsureEventIndexesIdle is what the incident pages call on each request:
// the first time for a store in this process it looks whether the events'
// indexes are all there (one look at the schema), and builds the missing
// ones unless an import wrote rows in the last RecentImportWindow: that
// import may still be running and will build them itself when it ends,
// and building them now would hold the write lock for seconds in its way.
// A server started after a killed bulk import thus builds the index at its
// first incident request once the import is over.
func EnsureEventIndexesIdle(ctx context.Context, d *db.DB, inst string) error {
	if d.Dialect != db.SQLite {
		return nil
	}
	if at, ok := indexesChecked.Load(d); ok && time.Since(at.(time.Time)) < indexRecheck {
		return nil
	}
	missing, err := missingEventIndexes(ctx, d, inst)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		var last string
		if err := d.Read(ctx, inst, func(tx *db.Tx) error {
			scope, args := instDateRange(d.Dialect, inst, "", "")
			return tx.QueryRow(ctx, "SELECT COALESCE(MAX(created_at), '') FROM events WHERE "+scope+" AND origin <> 'manual'", args...).Scan(&last)
		}); err != nil {
			return err
		}
		if t, err := db.ParseTime(last); err == nil && time.Since(t) < RecentImportWindow {
			return nil // try again on a later request
		}
		if err := EnsureEventIndexes(ctx, d, inst); err != nil {
			return err
		}
	}
	// The full-text index of own records: rebuilt when it is out of step
	// (a restored backup copies the events, not the index).
	var inStep bool
	if err := d.Read(ctx, inst, func(tx *db.Tx) error {
		var err error
		inStep, err = searchIndexInStep(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	if !inStep {
		if err := d.Write(ctx, inst, func(tx *db.Tx) error { return rebuildSearchIndex(ctx, tx) }); err != nil {
			return err
		}
	}
	indexesChecked.Store(d, time.Now())
	return nil
}

// importPragmaList widens the page cache of the import's connection to
// 16 MB (SQLite's default 2 MB is smaller than the pages one batch touches,
// and spilling them mid-transaction writes them twice), keeps SQLite's
// statement journals (the undo log of one multi-row INSERT) in memory
// rather than in a temporary file, and stops the committing connection from
// copying the write-ahead log into the database after each batch: the
// checkpointer does that on another connection, beside the writer.
// openBulk sets them once on the connection the import holds (db.Bulk) and
// closeBulk puts SQLite's defaults back before giving it back to the pool.
var importPragmaList = []string{"PRAGMA cache_size = -16384", "PRAGMA temp_store = MEMORY", "PRAGMA wal_autocheckpoint = 0"}

// importPragmas sets the page cache of importPragmaList inside a batch's
// transaction instead, for a batch written through d.Write (writeBatch
// without a bulk connection: tests). The other two are left alone there:
// temp_store cannot be changed inside a transaction (SQLite refuses it
// when the connection's value differs, as after closeBulk), and a writer
// connection of the pool must keep its automatic checkpoint.
func importPragmas(ctx context.Context, tx db.Q) error {
	for _, p := range importPragmaList[:1] {
		if _, err := tx.Exec(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// bulkDropInserts is how many new rows a batch of a bulk load must insert
// before it drops the date index.
const bulkDropInserts = BatchSize / 2

// checkpointer copies the write-ahead log into the database file on a
// reading connection while the import's writer goes on with the next batch
// (a PASSIVE checkpoint never blocks the writer nor readers). On a machine
// with two cores that moves the copying, and its fsync, off the writer, the
// import's slowest part.
type checkpointer struct {
	d    *db.DB
	inst string
	kick chan struct{}
	done chan struct{}
}

func startCheckpointer(ctx context.Context, d *db.DB, inst string) *checkpointer {
	c := &checkpointer{d: d, inst: inst, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for range c.kick {
			c.checkpoint(ctx, "PASSIVE")
		}
		// What the last batches wrote: copied while the import builds
		// the date index, if it does, rather than before.
		c.checkpoint(context.WithoutCancel(ctx), "PASSIVE")
	}()
	return c
}

// poke asks for a checkpoint after a batch has committed; a request while
// one runs is merged into the next.
func (c *checkpointer) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// finish tells the checkpointer that the last batch is written: it
// checkpoints what is left and stops (closeBulk puts the automatic
// checkpoint back on the import's connection). wait waits for that.
func (c *checkpointer) finish() { close(c.kick) }

func (c *checkpointer) wait() { <-c.done }

func (c *checkpointer) checkpoint(ctx context.Context, mode string) {
	// A checkpoint needs a connection without an open read: the deferred
	// transaction d.Read begins has read nothing yet.
	c.d.Read(ctx, c.inst, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "PRAGMA wal_checkpoint("+mode+")")
		if err == nil {
			rows.Close()
		}
		return err
	})
}

// bulkConn is the writer connection an import into the embedded store
// writes all its batches on, with the 500-row INSERT prepared on it once.
type bulkConn struct {
	*db.Bulk
	full driver.Stmt // prepared on first use, closed by closeBulk
}

// bulkTx is one batch's transaction on a bulkConn.
type bulkTx struct {
	*db.BulkTx
	bc *bulkConn
}

// openBulk takes the import's writer connection and sets it up for the
// batches (importPragmaList): set once, outside any transaction, the
// settings hold for the whole import, and closeBulk undoes them before the
// connection goes back to the pool.
func openBulk(ctx context.Context, d *db.DB) (*bulkConn, error) {
	b, err := d.Bulk(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range importPragmaList {
		if _, err := b.Exec(ctx, p); err != nil {
			b.Close()
			return nil, err
		}
	}
	return &bulkConn{Bulk: b}, nil
}

// write runs fn in one transaction on the import's connection.
func (bc *bulkConn) write(ctx context.Context, inst string, fn func(db.Q) error) error {
	return bc.Write(ctx, inst, func(tx *db.BulkTx) error { return fn(&bulkTx{tx, bc}) })
}

// closeBulk closes the prepared INSERT, puts SQLite's defaults back on the
// import's connection (the automatic checkpoint above all: a writer without
// it would let the write-ahead log grow) and gives it back to the pool.
func closeBulk(bc *bulkConn) {
	if bc.full != nil {
		bc.Raw(func(any) error { return bc.full.Close() })
		bc.full = nil
	}
	ctx := context.Background()
	for _, p := range []string{"PRAGMA wal_autocheckpoint = 1000", "PRAGMA cache_size = -2000", "PRAGMA temp_store = DEFAULT"} {
		bc.Exec(ctx, p)
	}
	bc.Close()
}
