package db_test

import (
	"context"
	"testing"
	"time"

	"vigil/db"
	"vigil/db/dbtest"
)

// TestBulkLeavesWriteAStatementConnection: while a bulk load holds a writer
// connection, a DB.Write whose statement is not yet prepared still
// completes (it prepares on a spare connection of the writer pool), and a
// bulk transaction commits what it wrote.
func TestBulkLeavesWriteAStatementConnection(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := d.Bulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, db.System, func(tx *db.BulkTx) error {
		_, err := tx.Exec(ctx, "CREATE TABLE bulk_probe (n BIGINT)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		// SQL no earlier test ran: not in the statement cache.
		_, err := tx.Exec(ctx, "INSERT INTO bulk_probe (n) SELECT 41 + 1 WHERE 1 = 1")
		return err
	})
	if err != nil {
		t.Fatalf("write beside a bulk connection: %v", err)
	}
	var n int
	if err := b.Write(ctx, db.System, func(tx *db.BulkTx) error {
		return tx.QueryRow(ctx, "SELECT n FROM bulk_probe").Scan(&n)
	}); err != nil || n != 42 {
		t.Fatalf("read on the bulk connection: %d, %v", n, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}
