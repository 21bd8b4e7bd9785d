package incident

import (
	"context"
	"fmt"
	"os"
	"sync"

	"vigil/db"
)

// Bulk loading into the embedded store (SQLite).
//
// Every event row costs one insert into each B-tree of the table: the rows
// themselves, the primary key, and the (institution_id, date_start) index
// the incident list sorts by. Imported rows arrive in id order, so the first
// two are appends; the date index gets inserts all over the tree, which is
// what made a 1,000,000-row import slow. A large import therefore drops the
// date index in the transaction of its first batch and builds it again, in
// one sorted pass, after the last batch.
//
// Crash safety: dropping the index commits together with the first batch,
// so the store is never half-way. An import killed after that leaves whole
// batches and no date index: every query still answers (the index is only a
// shortcut), just slower on a large store, until the next import (which
// builds it first when it does not drop it itself) or the first request to
// the incident pages after the server starts (EnsureEventIndexesOnce).

// eventIndexes are the events' secondary indexes as migration 0008 made
// them; EnsureEventIndexes creates any that is missing.
var eventIndexes = []struct{ name, create string }{
	{"events_date", "CREATE INDEX IF NOT EXISTS events_date ON events(institution_id, date_start)"},
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
	var n int64
	err := d.Read(ctx, inst, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM events WHERE institution_id = ?", inst).Scan(&n)
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
func dropEventIndexes(ctx context.Context, tx *db.Tx) error {
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
		if err := importPragmas(ctx, tx); err != nil {
			return err
		}
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

var ensureOnce sync.Map // *db.DB → *sync.Once

// EnsureEventIndexesOnce runs EnsureEventIndexes the first time it is
// called for a store in this process; the incident pages call it, so that a
// server started after a killed bulk import builds the index again.
func EnsureEventIndexesOnce(ctx context.Context, d *db.DB, inst string) error {
	if d.Dialect != db.SQLite {
		return nil
	}
	o, _ := ensureOnce.LoadOrStore(d, new(sync.Once))
	var err error
	o.(*sync.Once).Do(func() { err = EnsureEventIndexes(ctx, d, inst) })
	return err
}

// importPragmas widens the page cache of the connection a batch runs on
// (SQLite's default 2 MB is far smaller than the pages one batch touches,
// and spilling them mid-transaction writes them twice) and keeps SQLite's
// statement journals (the undo log of one multi-row INSERT) in memory
// rather than in a temporary file. Both last for the connection; only the
// import command's process writes in batches this large.
func importPragmas(ctx context.Context, tx *db.Tx) error {
	for _, p := range []string{"PRAGMA cache_size = -32768", "PRAGMA temp_store = MEMORY"} {
		if _, err := tx.Exec(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
