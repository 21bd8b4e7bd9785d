package fieldcrypt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"vigil/db"
)

// TestNoPlaintextOnDisk is the point of the package: a secret written
// through Encrypt must not appear anywhere in the SQLite files, neither while
// the store is open (when it sits in the WAL) nor after it is closed. A
// second value stored in the clear proves the search would find it.
func TestNoPlaintextOnDisk(t *testing.T) {
	const (
		secret  = "Witness-Mariam-Haddad-7f3c1e"
		control = "Control-In-The-Clear-9b2d44"
	)
	ctx := context.Background()
	dir := t.TempDir()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kr := Ephemeral()
	ct, err := kr.Encrypt("inst-a", "users", "u1", "totp_secret", secret)
	if err != nil {
		t.Fatal(err)
	}
	seedUsers(t, d, map[string][2]string{"u1": {"inst-a", ct}})
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE users SET display_name = ? WHERE id = 'u1'", control)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	scan := func(when string) {
		var all []byte
		files, _ := filepath.Glob(filepath.Join(dir, "vigil.db*")) // db, -wal, -shm
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		if !bytes.Contains(all, []byte(control)) {
			t.Fatalf("%s: control value not found in %v; the scan proves nothing", when, files)
		}
		if bytes.Contains(all, []byte(secret)) {
			t.Fatalf("%s: plaintext secret found in the database files %v", when, files)
		}
	}
	scan("store open")
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	scan("store closed")

	// And the value still reads back.
	d2, err := db.Open(ctx, "sqlite:"+filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	_, stored := storedSecret(t, d2, "u1")
	if got, err := kr.Decrypt("inst-a", "users", "u1", "totp_secret", stored); err != nil || got != secret {
		t.Fatalf("read back %q, %v", got, err)
	}
}
