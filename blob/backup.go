package blob

import (
	"context"
	"fmt"
	"io"

	"vigil/backup"
	"vigil/db"
)

// A backup must hold the evidence itself, not only its index: a backup of
// an embedded store is also how an institution moves to PostgreSQL, where no
// data folder exists. So the rows of files kept in the folder go into the
// backup with their bytes and marked inline, after checking them against
// their hash; restored, they live in the database row on either store.
func init() {
	backup.RegisterRowHook("blobs", inlineForBackup)
}

func inlineForBackup(ctx context.Context, d *db.DB, cols []string, vals []any) error {
	idx := map[string]int{}
	for i, c := range cols {
		idx[c] = i
	}
	ii, ok1 := idx["inline"]
	di, ok2 := idx["data"]
	inst, ok3 := idx["institution_id"]
	sum, ok4 := idx["sha256"]
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return fmt.Errorf("blobs table lacks a column the backup needs")
	}
	if n, ok := vals[ii].(int64); !ok || n == 1 {
		return nil
	}
	s := For(d)
	if s.Dir == "" {
		return fmt.Errorf("blob %v is kept in a folder, but this store has none", vals[sum])
	}
	instID, _ := vals[inst].(string)
	hash, _ := vals[sum].(string)
	if !validHash(hash) {
		return fmt.Errorf("blob row with a malformed hash %q", hash)
	}
	rc, err := (&Store{Dir: s.Dir}).openFile(instID, hash)
	if err != nil {
		return err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("evidence file %s: %w", hash[:12], err)
	}
	vals[di], vals[ii] = b, int64(1)
	return nil
}
