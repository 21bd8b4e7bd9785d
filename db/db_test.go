package db_test

import (
	"context"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

func TestMigrateTwiceIsNoop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n, err := d.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("second migrate applied %d migrations, want 0", n)
		}
		tables, err := d.Tables(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pos := map[string]int{}
		for i, tb := range tables {
			pos[tb] = i
		}
		if _, ok := pos["users"]; !ok {
			t.Fatalf("tables %v lack users", tables)
		}
		if pos["institutions"] > pos["users"] || pos["users"] > pos["sessions"] {
			t.Fatalf("tables not in reference order: %v", tables)
		}
	})
}

func TestPlaceholdersAndQuotes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, 'What? Who?', ?, ?)", "i1", "XVG", "2026-01-01T00:00:00Z")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var name string
		err = d.Read(ctx, "i1", func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT name FROM institutions WHERE id = ? AND country_code = ?", "i1", "XVG").Scan(&name)
		})
		if err != nil || name != "What? Who?" {
			t.Fatalf("got %q, %v", name, err)
		}
	})
}

func TestBadURL(t *testing.T) {
	if _, err := db.Open(context.Background(), "mysql://x"); err == nil {
		t.Fatal("mysql URL accepted")
	}
	if _, err := db.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"); err == nil {
		t.Fatal("unreachable PostgreSQL accepted")
	}
}

func TestSplitStatementsKeepsBodiesWhole(t *testing.T) {
	body := "CREATE TABLE a (x TEXT);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\n  INSERT INTO b VALUES (2);\nEND;\n" +
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n  SELECT 1;\n$$;\nCREATE INDEX i ON a(x);\n"
	got := db.SplitStatementsForTest(body)
	if len(got) != 4 {
		t.Fatalf("got %d statements: %q", len(got), got)
	}
}
