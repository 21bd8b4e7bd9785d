package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// A write whose context ends midway is rolled back before the next write
// begins on the same held connection, and does not commit; ExecDriver
// refuses to run once its transaction has ended (it would autocommit).
func TestCancelledWriteThenWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const q = "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, 'C', 'XVG', '2026-01-01T00:00:00Z')"
		failed := 0
		for i := range 200 {
			cctx, cancel := context.WithCancel(ctx)
			var kept *db.Tx
			d.Write(cctx, db.System, func(tx *db.Tx) error {
				kept = tx
				for j := range 3 {
					if _, err := tx.ExecDriver(cctx, q, fmt.Sprintf("c%d-%d", i, j)); err != nil {
						return err
					}
					if j == 1 {
						cancel()
					}
				}
				return nil
			})
			cancel()
			if _, err := kept.ExecDriver(ctx, q, fmt.Sprintf("late%d", i)); !errors.Is(err, sql.ErrTxDone) {
				t.Fatalf("ExecDriver after the end: %v", err)
			}
			if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
				_, err := tx.ExecDriver(ctx, q, fmt.Sprintf("n%d", i))
				return err
			}); err != nil {
				failed++
			}
		}
		var cancelled, next int
		if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM institutions WHERE id LIKE 'c%' OR id LIKE 'late%'").Scan(&cancelled); err != nil {
				return err
			}
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM institutions WHERE id LIKE 'n%'").Scan(&next)
		}); err != nil {
			t.Fatal(err)
		}
		if failed > 0 || next != 200 || cancelled != 0 {
			t.Fatalf("%d writes after a cancelled one failed, %d stored; %d rows of cancelled writes kept", failed, next, cancelled)
		}
	})
}

// When the statement cache empties itself (SQL built at run time filled
// it), the held writer connection is given back and a new one taken, which
// is what frees the statements' copies on it; writes go on as before.
func TestWriterRenewedWhenCacheEmpties(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	first := db.WriterConnForTest(d)
	for i := range 520 {
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			var n int
			return tx.QueryRow(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if db.WriterConnForTest(d) == first || db.WriterConnForTest(d) == nil {
		t.Fatal("the writer connection was not renewed after the statement cache emptied")
	}
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		_, err := tx.ExecDriver(ctx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES ('r1', 'R', 'XVG', '2026-01-01T00:00:00Z')")
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
