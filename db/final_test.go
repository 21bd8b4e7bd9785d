package db_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

// Finals run after the transaction's function, in order, and their rows
// reach Row; AfterCommit runs once the commit is done. A failing final
// takes the whole transaction down, what the function wrote included, and
// AfterCommit never runs then.
func TestFinalsCommitOrRollBackWithTheTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		insert := func(tx *db.Tx, id string) error {
			_, err := tx.Exec(ctx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, ?, 'XVG', '2026-01-01T00:00:00Z')", id, "Office "+id)
			return err
		}
		var n int64
		var after []string
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			if err := insert(tx, "f1"); err != nil {
				return err
			}
			tx.Finally(db.Final{SQL: "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, 'Final', 'XVG', '2026-01-01T00:00:00Z')", Args: []any{"f2"}})
			tx.Finally(db.Final{SQL: "SELECT COUNT(*) FROM institutions WHERE id IN (?, ?)", Args: []any{"f1", "f2"},
				Row: func(scan func(...any) error) error { return scan(&n) }})
			tx.AfterCommit(func() { after = append(after, "committed") })
			return nil
		})
		if err != nil || n != 2 || strings.Join(after, ",") != "committed" {
			t.Fatalf("err %v, count seen by the final %d, after %v", err, n, after)
		}

		after = nil
		err = d.Write(ctx, db.System, func(tx *db.Tx) error {
			if err := insert(tx, "f3"); err != nil {
				return err
			}
			tx.Finally(db.Final{SQL: "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, 'Twice', 'XVG', '2026-01-01T00:00:00Z')", Args: []any{"f1"}})
			tx.AfterCommit(func() { after = append(after, "committed") })
			return nil
		})
		if err == nil || len(after) != 0 {
			t.Fatalf("a failing final: err %v, after %v", err, after)
		}
		var got int
		if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM institutions WHERE id = 'f3'").Scan(&got)
		}); err != nil || got != 0 {
			t.Fatalf("the function's row survived a failed final: %d, %v", got, err)
		}

		// The connection that failed goes back to the pool usable.
		boom := errors.New("no")
		if err := d.Write(ctx, "f1", func(tx *db.Tx) error { return boom }); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		for range 3 {
			if err := d.Read(ctx, "f1", func(tx *db.Tx) error {
				return tx.QueryRow(ctx, "SELECT COUNT(*) FROM institutions WHERE id = 'f2'").Scan(&got)
			}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// A function that panics (a handler bug that net/http recovers) must not
// leave its transaction open, holding row locks, on a pooled connection.
func TestPanicRollsBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES ('p1', 'Before', 'XVG', '2026-01-01T00:00:00Z')")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			d.Write(ctx, db.System, func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, "UPDATE institutions SET name = 'During' WHERE id = 'p1'"); err != nil {
					t.Error(err)
				}
				panic("handler bug")
			})
		}()
		// A function that ends its goroutine (runtime.Goexit, as
		// t.FailNow does) is no different.
		done := make(chan struct{})
		go func() {
			defer close(done)
			d.Write(ctx, db.System, func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, "UPDATE institutions SET name = 'During' WHERE id = 'p1'"); err != nil {
					t.Error(err)
				}
				runtime.Goexit()
				return nil
			})
		}()
		<-done
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			if d.Dialect == db.Postgres {
				if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '2s'"); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, "UPDATE institutions SET name = 'After' WHERE id = 'p1'")
			return err
		})
		if err != nil {
			t.Fatalf("the row is still locked by the panicked transaction: %v", err)
		}
		var name string
		if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT name FROM institutions WHERE id = 'p1'").Scan(&name)
		}); err != nil || name != "After" {
			t.Fatalf("name %q, %v", name, err)
		}
	})
}

// A final whose Retry accepts the commit's error has the whole transaction
// run again, once, on PostgreSQL, with Retried set; BeforeCommit runs
// before the finals and OnEnd after every run, committed or not. An error
// of the function itself is never retried, nor is one Retry declines.
func TestRetryRunsTheTransactionOnceMore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var trace []string
		runs := 0
		// A row the first run's final collides with.
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES ('seed-final', 'S', 'XVG', '2026-01-01T00:00:00Z')")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			runs++
			trace = append(trace, "fn")
			tx.BeforeCommit(func() error {
				trace = append(trace, "before")
				id := "seed-final" // taken: the first run fails at commit
				if tx.Retried() {
					id = "retried-final"
				}
				tx.Finally(db.Final{SQL: "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, 'R', 'XVG', '2026-01-01T00:00:00Z')",
					Args: []any{id}, Retry: func(error) bool { return true }})
				return nil
			})
			tx.OnEnd(func(committed bool) {
				trace = append(trace, map[bool]string{true: "commit", false: "rollback"}[committed])
			})
			tx.AfterCommit(func() { trace = append(trace, "after") })
			return nil
		})
		got := strings.Join(trace, ",")
		if d.Dialect == db.Postgres {
			if err != nil || runs != 2 || got != "fn,before,rollback,fn,before,commit,after" {
				t.Fatalf("PostgreSQL: err %v, runs %d, trace %s", err, runs, got)
			}
		} else if err == nil || runs != 1 || got != "fn,before,rollback" {
			t.Fatalf("SQLite (no retry): err %v, runs %d, trace %s", err, runs, got)
		}

		// A final that fails on the second run too: the error, after
		// exactly two runs (PostgreSQL), never a third.
		if d.Dialect == db.Postgres {
			runs = 0
			err = d.Write(ctx, db.System, func(tx *db.Tx) error {
				runs++
				tx.Finally(db.Final{SQL: "INSERT INTO institutions (id, name, country_code, created_at) VALUES ('seed-final', 'R', 'XVG', '2026-01-01T00:00:00Z')",
					Retry: func(error) bool { return true }})
				return nil
			})
			if err == nil || runs != 2 {
				t.Fatalf("always failing: err %v, runs %d, want an error after two runs", err, runs)
			}
		}

		// Retry declining, and the function's own error: one run each.
		for _, c := range []struct {
			name  string
			retry bool
			fnErr error
		}{{"declined", false, nil}, {"fn error", true, errors.New("no")}} {
			runs = 0
			err = d.Write(ctx, db.System, func(tx *db.Tx) error {
				runs++
				tx.Finally(db.Final{SQL: "INSERT INTO institutions (id, name, country_code, created_at) VALUES ('seed-final', 'R', 'XVG', '2026-01-01T00:00:00Z')",
					Retry: func(error) bool { return c.retry }})
				return c.fnErr
			})
			if err == nil || runs != 1 {
				t.Fatalf("%s: err %v, runs %d", c.name, err, runs)
			}
		}
	})
}
