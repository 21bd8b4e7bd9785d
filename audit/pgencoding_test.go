package audit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

// awkward are field values whose bytes the server must hash exactly as Go
// does: empty, multibyte, combining, quotes and backslashes, placeholders,
// invalid UTF-8 (cleaned to U+FFFD first) and long texts.
var awkward = []string{"", "a", "é", "José", "日本語", "🙂 emoji", "x\u0301", "back\\slash", "quote'd", `dq"`,
	"q?mark", "$1", "\u00a0nbsp", "\uFEFFbom", "\ufffd", "\xff\xfeinvalid", "E'\\x41'", "مرحبا",
	strings.Repeat("ü", 20000), strings.Repeat("d", 64<<10)}

// On PostgreSQL the server computes each entry's hash (pgappend.go); Verify
// recomputes it in Go from what it reads back. They must agree for any
// text, on a UTF8 database and on databases of other encodings, where the
// text the server holds is not the bytes Go sent.
func TestServerHashMatchesGoOnEveryEncoding(t *testing.T) {
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("PostgreSQL tests skipped: set VIGIL_TEST_POSTGRES to a postgres:// URL (scripts/test.sh does)")
	}
	for _, enc := range []string{"UTF8", "LATIN1", "SQL_ASCII"} {
		t.Run(enc, func(t *testing.T) {
			u := databaseOfEncoding(t, base, enc)
			d := dbtest.Open(t, u)
			newStore(t, d)
			heads.forget()
			l := &Log{}
			for i, s := range awkward {
				e := Entry{Institution: "a", ActorID: s, ActorName: awkward[(i+1)%len(awkward)], IP: awkward[(i+2)%len(awkward)],
					Action: "x" + s, ObjectType: awkward[(i+3)%len(awkward)], ObjectID: awkward[(i+4)%len(awkward)], Detail: awkward[(i+5)%len(awkward)]}
				if err := d.Write(ctx, "a", func(tx *db.Tx) error { return l.Append(ctx, tx, e) }); err != nil {
					t.Fatalf("entry %d: %v", i, err)
				}
			}
			if rep := mustVerify(t, d, nil); rep.Entries != int64(len(awkward)) {
				t.Fatalf("report %+v", rep)
			}
		})
	}
}

// databaseOfEncoding creates a database of that encoding beside the test
// server's and returns its URL; it is dropped after the test.
func databaseOfEncoding(t *testing.T, base, enc string) string {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	name := "vigil_enc_" + strings.ToLower(enc) + "_" + hex.EncodeToString(b[:])
	// LC_* C: every encoding goes with the C locale.
	if _, err := admin.Exec("CREATE DATABASE " + name + " ENCODING '" + enc + "' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"); err != nil {
		t.Fatalf("create a %s database (the test role needs CREATEDB): %v", enc, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return u.String()
}
