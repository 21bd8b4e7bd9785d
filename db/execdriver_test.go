package db_test

import (
	"context"
	"errors"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

// ExecDriver writes what Exec would, inside the transaction (a rollback
// undoes it), reports rows changed, reuses its statement across
// transactions, and leaves a store that closes cleanly; on PostgreSQL and
// outside write transactions it is Exec.
func TestExecDriver(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const q = "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
		for i, id := range []string{"d1", "d1", "d2"} {
			var n int64
			err := d.Write(ctx, db.System, func(tx *db.Tx) (err error) {
				n, err = tx.ExecDriver(ctx, q, id, "Office é "+id, "XVG", "2026-01-01T00:00:00Z")
				return err
			})
			if want := map[bool]int64{true: 0, false: 1}[i == 1]; err != nil || n != want {
				t.Fatalf("write %d (%s): %d rows, %v; want %d", i, id, n, err, want)
			}
		}
		boom := errors.New("no")
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			if _, err := tx.ExecDriver(ctx, q, "d3", "Rolled back", "XVG", "2026-01-01T00:00:00Z"); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var names []string
		if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, "SELECT id || ':' || name FROM institutions WHERE id LIKE 'd%' ORDER BY id")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					return err
				}
				names = append(names, s)
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		if len(names) != 2 || names[0] != "d1:Office é d1" || names[1] != "d2:Office é d2" {
			t.Fatalf("stored %q", names)
		}
		if err := d.Close(); err != nil {
			t.Fatalf("close after ExecDriver: %v", err)
		}
	})
}
