package backup_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"reflect"
	"slices"
	"testing"

	"vigil/backup"
	"vigil/db"
	"vigil/db/dbtest"
)

// The migration path: SQLite to PostgreSQL and back must lose nothing, not
// even a value's type, and the same content must give the same file body.
func TestRoundTripSQLitePostgresSQLite(t *testing.T) {
	ctx := context.Background()
	src := dbtest.SQLite(t)
	createExtraTable(t, src)
	fill(t, src)
	want := content(t, src)
	first := write(t, src)

	pg := dbtest.Postgres(t) // skips without VIGIL_TEST_POSTGRES
	createExtraTable(t, pg)
	if _, err := backup.Restore(ctx, pg, bytes.NewReader(first)); err != nil {
		t.Fatal(err)
	}
	if got := content(t, pg); !reflect.DeepEqual(got, want) {
		t.Fatalf("PostgreSQL content differs from SQLite's:\n%s", diff(got, want))
	}
	second := write(t, pg)

	back := dbtest.SQLite(t)
	createExtraTable(t, back)
	if _, err := backup.Restore(ctx, back, bytes.NewReader(second)); err != nil {
		t.Fatal(err)
	}
	if got := content(t, back); !reflect.DeepEqual(got, want) {
		t.Fatalf("content after the round trip differs:\n%s", diff(got, want))
	}
	third := write(t, back)
	if !bytes.Equal(body(t, first), body(t, second)) || !bytes.Equal(body(t, first), body(t, third)) {
		t.Fatal("backups of the same content differ beyond their headers")
	}
}

func TestRoundTripSameKind(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, src *db.DB) {
		createExtraTable(t, src)
		fill(t, src)
		b := write(t, src)
		if !bytes.Equal(body(t, b), body(t, write(t, src))) {
			t.Fatal("two backups of an unchanged store differ beyond their headers")
		}
		var dst *db.DB
		if src.Dialect == db.SQLite {
			dst = dbtest.SQLite(t)
		} else {
			dst = dbtest.Postgres(t)
		}
		createExtraTable(t, dst)
		// A reader that cannot seek, as standard input, goes through a
		// temporary copy.
		s, err := backup.Restore(context.Background(), dst, io.MultiReader(bytes.NewReader(b)))
		if err != nil {
			t.Fatal(err)
		}
		if s.Schema != db.SchemaVersion() || s.Dialect != src.Dialect || s.Rows == 0 {
			t.Fatalf("summary %+v", s)
		}
		if got, want := content(t, dst), content(t, src); !reflect.DeepEqual(got, want) {
			t.Fatalf("restored content differs:\n%s", diff(got, want))
		}
	})
}

// A backup that skipped a table would pass every other test that only
// compares what it carries; this one compares against the store itself,
// with a table no migration made.
func TestEveryTableIsCarried(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		createExtraTable(t, d)
		fill(t, d)
		tables, err := d.Tables(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(tables, extraTable) {
			t.Fatalf("Tables %v lacks %s", tables, extraTable)
		}
		s, err := backup.Verify(bytes.NewReader(write(t, d)))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tb := range s.Tables {
			got = append(got, tb.Name)
		}
		if !slices.Equal(got, tables) {
			t.Fatalf("backup holds tables %v, store has %v", got, tables)
		}
		c := content(t, d)
		for _, tb := range s.Tables {
			if tb.Rows != int64(len(c[tb.Name])) {
				t.Errorf("backup holds %d rows of %s, store has %d", tb.Rows, tb.Name, len(c[tb.Name]))
			}
		}
		if slices.Contains(got, "schema_migrations") {
			t.Error("backup carries schema_migrations, which the target's migrations own")
		}
	})
}

// Restoring from a file, as the command does, reads it twice in place.
func TestRestoreFromFile(t *testing.T) {
	src := dbtest.SQLite(t)
	fill(t, src)
	f, err := os.CreateTemp(t.TempDir(), "b")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := backup.Write(context.Background(), src, f); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	dst := dbtest.SQLite(t)
	if _, err := backup.Restore(context.Background(), dst, f); err != nil {
		t.Fatal(err)
	}
	if got, want := content(t, dst), content(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("restored content differs:\n%s", diff(got, want))
	}
}
