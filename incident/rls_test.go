package incident

import (
	"context"
	"database/sql"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/fieldcrypt"
)

// TestRowLevelSecurity checks PostgreSQL's second lock: connected as an
// ordinary role (as production should be), a transaction sees only the rows
// of the institution it is scoped to, and none without a scope, even when
// the SQL forgets its institution filter.
func TestRowLevelSecurity(t *testing.T) {
	u := dbtest.PostgresURL(t)
	d := dbtest.Open(t, u)
	ctx := context.Background()
	kr := fieldcrypt.Ephemeral()
	var ids [2]string
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		for i, n := range []string{"A", "B"} {
			in, err := access.CreateInstitution(ctx, tx, "Office "+n, "XVG")
			if err != nil {
				return err
			}
			ids[i] = in.ID
			if _, err := CreatePerson(ctx, tx, kr, in.ID, "test", Person{Kind: "victim", Pseudonym: "P-" + n}); err != nil {
				return err
			}
			if _, err := CreateEvent(ctx, tx, in.ID, "test", Event{Title: "E-" + n, DateStart: "2026-01-01"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	role := "vigil_rls_probe"
	conn.ExecContext(ctx, "DROP ROLE IF EXISTS "+role)
	for _, q := range []string{
		"CREATE ROLE " + role + " NOLOGIN",
		"GRANT USAGE ON SCHEMA " + schemaOf(t, conn) + " TO " + role,
		"GRANT SELECT ON ALL TABLES IN SCHEMA " + schemaOf(t, conn) + " TO " + role,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		conn.ExecContext(context.Background(), "DROP OWNED BY "+role)
		conn.ExecContext(context.Background(), "DROP ROLE IF EXISTS "+role)
	})
	count := func(scope, table string) int {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "SET LOCAL ROLE "+role); err != nil {
			t.Fatal(err)
		}
		if scope != "" {
			if _, err := tx.ExecContext(ctx, "SELECT set_config('vigil.institution', $1, true)", scope); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		// Deliberately no institution filter: only row-level security stands in the way.
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, table := range []string{"persons", "events"} {
		if n := count("", table); n != 0 {
			t.Errorf("%s, no scope: %d rows visible, want 0", table, n)
		}
		if n := count(ids[0], table); n != 1 {
			t.Errorf("%s, scope A: %d rows visible, want 1", table, n)
		}
		if n := count("not-an-institution", table); n != 0 {
			t.Errorf("%s, unknown scope: %d rows visible, want 0", table, n)
		}
		if n := count(db.System, table); n != 2 {
			t.Errorf("%s, system scope: %d rows, want 2", table, n)
		}
	}
}

func schemaOf(t *testing.T, c *sql.Conn) string {
	var s string
	if err := c.QueryRowContext(context.Background(), "SELECT current_schema()").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
