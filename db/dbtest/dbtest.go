// Package dbtest runs a test against every store Vigil supports: always a
// fresh SQLite file, and PostgreSQL when VIGIL_TEST_POSTGRES holds a URL. Each
// PostgreSQL run gets its own schema, dropped after the test, so tests can run
// in parallel against one server.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"vigil/db"
)

// Each calls fn once per store, as a subtest named "sqlite" or "postgres",
// with a migrated, empty store.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated store in a temporary file, closed after the test.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "vigil.db"))
}

// PostgresURL returns a URL to a fresh, empty schema (dropped after the
// test), or skips the test when VIGIL_TEST_POSTGRES is not set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("PostgreSQL tests skipped: set VIGIL_TEST_POSTGRES to a postgres:// URL (scripts/test.sh does)")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres returns a migrated store in a fresh schema.
func Postgres(t testing.TB) *db.DB { return open(t, PostgresURL(t)) }

// Open opens and migrates the store at url, closed after the test.
func Open(t testing.TB, u string) *db.DB { return open(t, u) }

func open(t testing.TB, u string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}
