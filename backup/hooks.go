package backup

import (
	"context"
	"sync"

	"vigil/db"
)

// RowHook completes a row before it goes into a backup. Parts whose rows
// point at data outside the database register one, so that the backup still
// holds everything: the blob store, for instance, puts the bytes of evidence
// files kept in the SQLite data directory into their rows, which then
// restore into any store, PostgreSQL included. A hook may change vals in
// place; cols names them.
type RowHook func(ctx context.Context, d *db.DB, cols []string, vals []any) error

var (
	hooksMu sync.Mutex
	hooks   = map[string]RowHook{}
)

// RegisterRowHook sets the hook for table; parts call it from init.
func RegisterRowHook(table string, h RowHook) {
	hooksMu.Lock()
	defer hooksMu.Unlock()
	hooks[table] = h
}

func hookFor(table string) RowHook {
	hooksMu.Lock()
	defer hooksMu.Unlock()
	return hooks[table]
}
