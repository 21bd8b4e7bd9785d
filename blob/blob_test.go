package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
)

func TestPutOpen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var insts [2]string
		d.Write(ctx, db.System, func(tx *db.Tx) error {
			for i, n := range []string{"A", "B"} {
				in, err := access.CreateInstitution(ctx, tx, n, "XVG")
				if err != nil {
					t.Fatal(err)
				}
				insts[i] = in.ID
			}
			return nil
		})
		for _, s := range []*Store{{}, {Dir: t.TempDir()}} {
			content := []byte("photograph bytes " + s.Dir)
			var ref Ref
			err := d.Write(ctx, insts[0], func(tx *db.Tx) error {
				var err error
				if ref, err = s.Put(ctx, tx, insts[0], bytes.NewReader(content), 0); err != nil {
					return err
				}
				again, err := s.Put(ctx, tx, insts[0], bytes.NewReader(content), 0)
				if err != nil || again != ref {
					t.Errorf("second put: %+v %v", again, err)
				}
				if _, err := s.Put(ctx, tx, insts[0], strings.NewReader("too long"), 3); !errors.Is(err, ErrTooLarge) {
					t.Errorf("limit: %v", err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if ref.Size != int64(len(content)) || len(ref.SHA256) != 64 {
				t.Fatalf("ref %+v", ref)
			}
			d.Read(ctx, insts[0], func(tx *db.Tx) error {
				rc, _, err := s.Open(ctx, tx, insts[0], ref.SHA256)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, content) {
					t.Errorf("read back %q %v", got, err)
				}
				return nil
			})
			d.Read(ctx, insts[1], func(tx *db.Tx) error {
				if _, _, err := s.Open(ctx, tx, insts[1], ref.SHA256); !errors.Is(err, ErrNotFound) {
					t.Errorf("other institution opens the file: %v", err)
				}
				return nil
			})
			if s.Dir != "" {
				// Tampering with the file on disk is caught on reading.
				p := s.path(insts[0], ref.SHA256)
				os.Chmod(p, 0o600)
				os.WriteFile(p, []byte("altered"), 0o600)
				d.Read(ctx, insts[0], func(tx *db.Tx) error {
					if err := s.Verify(ctx, tx, insts[0], ref.SHA256); !errors.Is(err, ErrCorrupt) {
						t.Errorf("tampered file verified: %v", err)
					}
					return nil
				})
				if m, _ := filepath.Glob(filepath.Join(s.Dir, insts[0], ".incoming-*")); len(m) != 0 {
					t.Errorf("temporary files left: %v", m)
				}
			}
		}
	})
}
