package backup_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"vigil/audit"
	"vigil/demo"
	"vigil/fieldcrypt"

	"vigil/backup"
	"vigil/db"
)

// Text that a store, a JSON encoder or a careless escaper could mangle.
var awkward = []string{
	"اللجنة الوطنية لحقوق الإنسان",      // Arabic, right to left
	"Уполномоченный по правам человека", // Cyrillic
	"quote \" backslash \\ <tag> & amp",
	"line\nbreak\ttab\rreturn \x01\x1f control",
	"emoji 🕊️ and combining é",
	"?, $1, '?' — placeholders that are not",
	"",
}

// extraTable is created by tests, not by a migration: it stands for a table
// a later migration adds, and it has what the core schema lacks — a BLOB,
// a float, nullable columns.
const extraTable = "zz_later_addition"

func createExtraTable(t *testing.T, d *db.DB) {
	t.Helper()
	blob := "BLOB"
	if d.Dialect == db.Postgres {
		blob = "BYTEA"
	}
	ctx := context.Background()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE `+extraTable+` (
			id BIGINT PRIMARY KEY,
			institution_id TEXT REFERENCES institutions(id),
			data `+blob+`,
			note TEXT,
			score DOUBLE PRECISION,
			n BIGINT)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fill puts rows in every table of d: first the whole demo institution
// (every part of the product seeds demo records, so a part's new tables are
// filled there), then awkward values through plain SQL. It fails the test
// when a table stays empty, so a new table must get demo records (or rows
// here) before backups are tested with it.
func fill(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Seed(ctx, d, fieldcrypt.Ephemeral(), &audit.Log{}); err != nil {
		t.Fatalf("demo seed: %v", err)
	}
	const at = "2026-03-01T12:00:00Z"
	// The first failure is kept and returned, so the transaction rolls back
	// instead of being abandoned by t.Fatal.
	var failed error
	exec := func(tx *db.Tx, q string, args ...any) {
		if _, err := tx.Exec(ctx, q, args...); err != nil && failed == nil {
			failed = fmt.Errorf("%s: %w", q, err)
		}
	}
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		exec(tx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, ?, ?, ?)", "inst-a", awkward[0], "XAR", at)
		exec(tx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, ?, ?, ?)", "inst-b", awkward[1], "XRU", at)
		for i, name := range awkward {
			inst := []string{"inst-a", "inst-b"}[i%2]
			uid := fmt.Sprintf("user-%d", i)
			exec(tx, `INSERT INTO users (id, institution_id, username, display_name, role, partner_of, password_hash,
				totp_secret, totp_enabled, totp_last_step, disabled, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				uid, inst, fmt.Sprintf("u%d", i), name, "analyst", "", "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
				"JBSWY3DPEHPK3PXP", int64(i%2), int64(math.MaxInt64-int64(i)), int64(0), at, at)
			exec(tx, `INSERT INTO sessions (token_hash, user_id, institution_id, csrf_token, mfa_pending, created_at, last_seen_at, ip, user_agent)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				fmt.Sprintf("%064x", i), uid, inst, "csrf", int64(1), at, at, "2001:db8::1", name)
		}
		exec(tx, "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)", "acct:u1", int64(3), at, "")
		exec(tx, "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)", "ip:192.0.2.7", int64(math.MinInt64), at, at)
		prev := strings.Repeat("0", 64)
		for seq := int64(1); seq <= 40; seq++ {
			inst := []string{"inst-a", "inst-b"}[seq%2]
			h := sha256.Sum256([]byte(fmt.Sprint(prev, seq)))
			hash := hex.EncodeToString(h[:])
			exec(tx, `INSERT INTO audit_log (institution_id, seq, at, actor_id, actor_name, ip, action, object_type, object_id, detail, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				inst, seq, at, "user-1", awkward[seq%int64(len(awkward))], "192.0.2.1", "case.update", "case", fmt.Sprint("c", seq),
				strings.Repeat(awkward[1], int(seq)), prev, hash)
			prev = hash
		}
		exec(tx, "INSERT INTO audit_heads (institution_id, seq, hash) VALUES (?, ?, ?)", "inst-a", int64(40), prev)
		exec(tx, "INSERT INTO audit_heads (institution_id, seq, hash) VALUES (?, ?, ?)", "inst-b", int64(39), prev)
		exec(tx, "INSERT INTO audit_checkpoints (institution_id, seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?, ?)",
			"inst-a", int64(40), prev, at, "k1", "c2lnbmF0dXJl")
		return failed
	})
	if err != nil {
		t.Fatal(err)
	}
	if has(t, d, "persons") {
		fillPersons(t, d)
	}
	if has(t, d, extraTable) {
		fillExtra(t, d)
	}
	content, err := backup.Content(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for table, rows := range content {
		if len(rows) == 0 {
			t.Fatalf("fixture leaves table %s empty: add rows for it to fill so backups are tested with it", table)
		}
	}
}

// fillPersons fills the table of migration 0002. Identifying fields hold
// fieldcrypt ciphertext in the store; a backup carries that text as it is.
func fillPersons(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		for i, name := range awkward {
			_, err := tx.Exec(ctx, `INSERT INTO persons (id, institution_id, kind, pseudonym, name_enc, sex, age_group, notes_enc,
				sensitivity, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				fmt.Sprint("person-", i), []string{"inst-a", "inst-b"}[i%2], "witness", name,
				"v1:k1:bm9uY2U6Y2lwaGVydGV4dA==", "unknown", "adult", "", int64(1+i%4), "user-1",
				"2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z")
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func fillExtra(t *testing.T, d *db.DB) {
	t.Helper()
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	rows := [][]any{
		{int64(1), "inst-a", all, awkward[0], 1.0, int64(math.MaxInt64)},
		{int64(2), nil, []byte{}, nil, 0.1, int64(math.MinInt64)},
		{int64(3), "inst-b", nil, awkward[3], -2.5e-300, nil},
		{int64(4), nil, []byte("text in a blob"), "", math.Inf(1), int64(0)},
		{int64(5), nil, nil, nil, nil, nil},
		{int64(-6), "inst-a", []byte{0}, awkward[4], 1e300, int64(-1)},
	}
	ctx := context.Background()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		for _, r := range rows {
			if _, err := tx.Exec(ctx, "INSERT INTO "+extraTable+" (id, institution_id, data, note, score, n) VALUES (?, ?, ?, ?, ?, ?)", r...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func has(t *testing.T, d *db.DB, table string) bool {
	t.Helper()
	tables, err := d.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb == table {
			return true
		}
	}
	return false
}

func write(t *testing.T, d *db.DB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := backup.Write(context.Background(), d, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func content(t *testing.T, d *db.DB) map[string][][]any {
	t.Helper()
	c, err := backup.Content(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lines returns a backup's uncompressed lines, newline included.
func lines(t *testing.T, b []byte) [][]byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	br := bufio.NewReader(zr)
	for {
		l, err := br.ReadBytes('\n')
		if len(l) > 0 {
			out = append(out, l)
		}
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// body is a backup without its header and trailer: what two backups of the
// same content share byte for byte.
func body(t *testing.T, b []byte) []byte {
	t.Helper()
	ls := lines(t, b)
	return bytes.Join(ls[1:len(ls)-1], nil)
}

// rebuild makes a well-formed backup — right counts, right checksum — from
// edited lines (header first, no trailer), for files that are sound but
// must be refused for what they say.
func rebuild(t *testing.T, ls [][]byte) []byte {
	t.Helper()
	sum := sha256.New()
	tables, rows := 0, 0
	for _, l := range ls {
		sum.Write(l)
		switch {
		case bytes.HasPrefix(l, []byte(`{"table"`)):
			tables++
		case l[0] == '[':
			rows++
		}
	}
	tr, _ := json.Marshal(map[string]any{"end": true, "tables": tables, "rows": rows, "sha256": hex.EncodeToString(sum.Sum(nil))})
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(bytes.Join(ls, nil))
	zw.Write(append(tr, '\n'))
	zw.Close()
	return buf.Bytes()
}

// diff names the first difference between two Contents.
func diff(got, want map[string][][]any) string {
	for table, w := range want {
		g, ok := got[table]
		if !ok {
			return "table " + table + " is missing"
		}
		if len(g) != len(w) {
			return fmt.Sprintf("table %s: %d rows, want %d", table, len(g), len(w))
		}
		for i := range w {
			for j := range w[i] {
				if !reflect.DeepEqual(g[i][j], w[i][j]) {
					return fmt.Sprintf("table %s row %d value %d: %#v (%T), want %#v (%T)", table, i, j, g[i][j], g[i][j], w[i][j], w[i][j])
				}
			}
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			return "unexpected table " + table
		}
	}
	return "no difference found"
}
