package backup_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"vigil/backup"
	"vigil/db"
	"vigil/db/dbtest"
)

type badFile struct {
	name string
	data []byte
	want error
}

// badFiles returns files made from good that Restore must refuse.
func badFiles(t *testing.T, good []byte) []badFile {
	var out []badFile
	// gzip ignores bytes 4 to 9 of its header (time, flags for the
	// compressor, OS), so a change there alters nothing; every other byte
	// is covered by gzip's CRC or our checksum, or breaks the structure.
	for i := 0; i < len(good); i += 1 + len(good)/97 {
		if i >= 4 && i < 10 {
			continue
		}
		b := bytes.Clone(good)
		b[i] ^= 0xff
		out = append(out, badFile{fmt.Sprintf("byte %d of %d flipped", i, len(good)), b, nil})
	}
	for _, n := range []int{0, 1, 9, 10, 20, len(good) / 2, len(good) - 9, len(good) - 1} {
		out = append(out, badFile{fmt.Sprintf("cut to %d bytes", n), good[:n], nil})
	}

	ls := lines(t, good)
	trailer := ls[len(ls)-1]
	// Cut at a line boundary and recompressed: gzip is intact, only the
	// trailer tells that lines are missing.
	out = append(out,
		badFile{"trailer missing", gz(bytes.Join(ls[:len(ls)-1], nil)), backup.ErrTruncated},
		badFile{"last row missing", gz(bytes.Join(append(ls[:len(ls)-2:len(ls)-2], trailer), nil)), backup.ErrDamaged},
		badFile{"row edited, checksum kept", gz(bytes.Replace(bytes.Join(ls, nil), []byte("inst-b"), []byte("inst-c"), 1)), backup.ErrDamaged},
		badFile{"data after the end", gz(append(bytes.Join(ls, nil), "[1]\n"...)), backup.ErrDamaged},
		badFile{"garbage after the gzip stream", append(bytes.Clone(good), "trailing"...), backup.ErrDamaged},
	)

	sqliteFile := filepath.Join(t.TempDir(), "plain.db")
	plain := dbtest.Open(t, "sqlite:"+sqliteFile)
	fill(t, plain)
	plain.Close()
	raw, err := os.ReadFile(sqliteFile)
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 1<<16)
	for i := range noise {
		noise[i] = byte(rand.IntN(256))
	}
	out = append(out,
		badFile{"SQLite database file", raw, backup.ErrNotBackup},
		badFile{"empty file", nil, backup.ErrNotBackup},
		badFile{"random bytes", noise, backup.ErrNotBackup},
		badFile{"gzip of random bytes", gz(noise), backup.ErrNotBackup},
		badFile{"gzip of a text file", gz([]byte("Dear colleagues,\nthe report is attached.\n")), backup.ErrNotBackup},
		badFile{"gzip of other JSON lines", gz([]byte(`{"format":"other","version":1}` + "\n[1,2]\n")), backup.ErrNotBackup},
		badFile{"uncompressed backup", bytes.Join(ls, nil), backup.ErrNotBackup},
	)

	// Sound files that must still be refused for what they say.
	edit := func(from, to string) []byte {
		e := make([][]byte, len(ls)-1)
		copy(e, ls)
		e[0] = bytes.Replace(e[0], []byte(from), []byte(to), 1)
		return rebuild(t, e)
	}
	schema := fmt.Sprintf(`"schema":%d`, db.SchemaVersion())
	out = append(out,
		badFile{"newer schema", edit(schema, fmt.Sprintf(`"schema":%d`, db.SchemaVersion()+1)), backup.ErrTooNew},
		badFile{"newer format", edit(`"version":1`, `"version":2`), backup.ErrTooNew},
		badFile{"table the store lacks", rebuild(t, append(clone(ls[:len(ls)-1]), []byte(`{"table":"no_such_table","columns":["id"]}`+"\n"), []byte("[1]\n"))), backup.ErrMismatch},
		badFile{"column the store lacks", rebuild(t, addColumn(ls[:len(ls)-1], "institutions", "motto")), backup.ErrMismatch},
		badFile{"table listed twice", rebuild(t, append(clone(ls[:len(ls)-1]), []byte(`{"table":"institutions","columns":["id"]}`+"\n"))), backup.ErrDamaged},
	)
	return out
}

func clone(ls [][]byte) [][]byte { return append([][]byte(nil), ls...) }

// addColumn gives table one more column, with a value in every row.
func addColumn(ls [][]byte, table, column string) [][]byte {
	out := clone(ls)
	in := false
	for i, l := range out {
		switch {
		case bytes.HasPrefix(l, []byte(`{"table":"`+table+`"`)):
			out[i] = bytes.Replace(l, []byte(`]}`), []byte(`,"`+column+`"]}`), 1)
			in = true
		case l[0] == '{':
			in = false
		case in:
			out[i] = bytes.Replace(l, []byte("]\n"), []byte(",\"x\"]\n"), 1)
		}
	}
	return out
}

func gz(p []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(p)
	zw.Close()
	return buf.Bytes()
}

func TestRefusesBadFiles(t *testing.T) {
	src := dbtest.SQLite(t)
	fill(t, src)
	good := write(t, src)
	files := badFiles(t, good)

	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before := content(t, d)
		for _, f := range files {
			_, err := backup.Restore(ctx, d, bytes.NewReader(f.data))
			if err == nil {
				t.Fatalf("%s: restored", f.name)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || len(msg) > 300 {
				t.Errorf("%s: message is not one short line: %q", f.name, msg)
			}
			if f.want != nil && !errors.Is(err, f.want) {
				t.Errorf("%s: got %q, want %v", f.name, msg, f.want)
			}
			if f.want == nil && !errors.Is(err, backup.ErrDamaged) && !errors.Is(err, backup.ErrTruncated) && !errors.Is(err, backup.ErrNotBackup) {
				t.Errorf("%s: got %q, want damaged, truncated or not a backup", f.name, msg)
			}
			t.Logf("%s: %s", f.name, msg)
		}
		if got := content(t, d); !reflect.DeepEqual(got, before) {
			t.Fatalf("a refused restore changed the store:\n%s", diff(got, before))
		}
		// After all that, the good file still goes in.
		if _, err := backup.Restore(ctx, d, bytes.NewReader(good)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRefusesNonEmptyStore(t *testing.T) {
	src := dbtest.SQLite(t)
	fill(t, src)
	good := write(t, src)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO login_throttle (throttle_key, failures, window_start) VALUES ('ip:x', 1, '2026-01-01T00:00:00Z')")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		before := content(t, d)
		_, err = backup.Restore(ctx, d, bytes.NewReader(good))
		if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "login_throttle") {
			t.Fatalf("got %v, want ErrNotEmpty naming login_throttle", err)
		}
		if got := content(t, d); !reflect.DeepEqual(got, before) {
			t.Fatalf("a refused restore changed the store:\n%s", diff(got, before))
		}
	})
}

// A restore that fails half way — here on a value the target's column
// rejects — must leave nothing behind.
func TestFailedLoadWritesNothing(t *testing.T) {
	src := dbtest.SQLite(t)
	fill(t, src)
	ls := lines(t, write(t, src))
	e := clone(ls[:len(ls)-1])
	// users.role has a CHECK constraint; the users table comes late, so
	// earlier tables have already been inserted when this fails.
	for i, l := range e {
		if bytes.Contains(l, []byte(`"analyst",""`)) && l[0] == '[' {
			e[i] = bytes.Replace(l, []byte(`"analyst",""`), []byte(`"emperor",""`), 1)
			break
		}
	}
	bad := rebuild(t, e)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		before := content(t, d)
		if _, err := backup.Restore(context.Background(), d, bytes.NewReader(bad)); err == nil {
			t.Fatal("a row breaking a CHECK constraint was restored")
		} else {
			t.Log(err)
		}
		if got := content(t, d); !reflect.DeepEqual(got, before) {
			t.Fatalf("a failed restore left rows behind:\n%s", diff(got, before))
		}
	})
}
