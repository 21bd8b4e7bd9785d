package backup_test

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	"vigil/backup"
	"vigil/db/dbtest"
)

// TestLargeMove times the SQLite → PostgreSQL → SQLite move of a store with
// many rows. It is slow, so it runs only when VIGIL_BACKUP_ROWS gives the
// number of audit rows, e.g. VIGIL_BACKUP_ROWS=100000.
func TestLargeMove(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("VIGIL_BACKUP_ROWS"))
	if n <= 0 {
		t.Skip("set VIGIL_BACKUP_ROWS to a row count to time a large backup and restore")
	}
	ctx := context.Background()
	src := dbtest.SQLite(t)
	fill(t, src)
	bulk(t, src, n)
	pg := dbtest.Postgres(t)
	back := dbtest.SQLite(t)

	step := func(name string, fn func() (backup.Summary, error)) {
		t.Helper()
		start := time.Now()
		s, err := fn()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d := time.Since(start)
		t.Logf("%-28s %7d rows in %v (%.0f rows/s)", name, s.Rows, d.Round(time.Millisecond), float64(s.Rows)/d.Seconds())
	}
	var first, second bytes.Buffer
	step("backup of SQLite", func() (backup.Summary, error) { return backup.Write(ctx, src, &first) })
	t.Logf("file: %d bytes compressed", first.Len())
	step("restore into PostgreSQL", func() (backup.Summary, error) { return backup.Restore(ctx, pg, bytes.NewReader(first.Bytes())) })
	step("backup of PostgreSQL", func() (backup.Summary, error) { return backup.Write(ctx, pg, &second) })
	step("restore into SQLite", func() (backup.Summary, error) { return backup.Restore(ctx, back, bytes.NewReader(second.Bytes())) })

	if !bytes.Equal(body(t, first.Bytes()), body(t, second.Bytes())) {
		t.Fatal("the PostgreSQL backup differs from the SQLite one beyond the header")
	}
	if got, want := content(t, back), content(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("content after the move differs:\n%s", diff(got, want))
	}
}
