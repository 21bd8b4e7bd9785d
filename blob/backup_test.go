package blob

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"vigil/access"
	"vigil/backup"
	"vigil/db"
	"vigil/db/dbtest"
)

// TestBackupCarriesFolderFiles stores an evidence file in the SQLite data
// folder, backs the store up, restores it into a fresh store of each kind
// (which has no such folder), and reads the same bytes back there.
func TestBackupCarriesFolderFiles(t *testing.T) {
	ctx := context.Background()
	src := dbtest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "vigil.db"))
	s := For(src)
	if s.Dir == "" {
		t.Fatal("SQLite store has no evidence folder")
	}
	content := []byte("photograph of the checkpoint, 12 April, original file bytes")
	var inst access.Institution
	var ref Ref
	err := src.Write(ctx, db.System, func(tx *db.Tx) error {
		var err error
		if inst, err = access.CreateInstitution(ctx, tx, "Office", "XVG"); err != nil {
			return err
		}
		ref, err = s.Put(ctx, tx, inst.ID, bytes.NewReader(content), 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := backup.Write(ctx, src, &buf); err != nil {
		t.Fatal(err)
	}
	dbtest.Each(t, func(t *testing.T, dst *db.DB) {
		if _, err := backup.Restore(ctx, dst, bytes.NewReader(buf.Bytes())); err != nil {
			t.Fatal(err)
		}
		// Read it as a server without the source's folder would.
		err := dst.Read(ctx, inst.ID, func(tx *db.Tx) error {
			rc, _, err := (&Store{}).Open(ctx, tx, inst.ID, ref.SHA256)
			if err != nil {
				return err
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, content) {
				t.Fatalf("restored bytes differ: %q", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
