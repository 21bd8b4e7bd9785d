package incident

import (
	"context"
	"testing"
	"time"

	"vigil/db"
	"vigil/db/dbtest"
)

// TestIndexCheckRepeats drops the date index after a completed check, as a
// bulk import killed while a server runs leaves it, and checks that the
// next check once the minute has passed builds it again.
func TestIndexCheckRepeats(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	inst := newInst(t, d, "A")[0]
	if err := EnsureEventIndexesIdle(ctx, d, inst); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "DROP INDEX events_date")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Within the minute the earlier check is trusted.
	if err := EnsureEventIndexesIdle(ctx, d, inst); err != nil {
		t.Fatal(err)
	}
	if m, _ := missingEventIndexes(ctx, d, inst); len(m) == 0 {
		t.Fatal("the index came back within the minute: the check is not cached at all")
	}
	indexesChecked.Store(d, time.Now().Add(-indexRecheck-time.Second))
	if err := EnsureEventIndexesIdle(ctx, d, inst); err != nil {
		t.Fatal(err)
	}
	if m, err := missingEventIndexes(ctx, d, inst); err != nil || len(m) != 0 {
		t.Fatalf("after the minute: missing %v, %v", m, err)
	}
}
