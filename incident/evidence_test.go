package incident

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"vigil/blob"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

// TestEvidenceExport stores a file and a working copy, exports them, and
// checks the export the way a recipient would: every file against the
// manifest's hash, and the chain of custody recording receipt and export.
func TestEvidenceExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		inst := newInst(t, d, "A")[0]
		store := &blob.Store{Dir: t.TempDir()}
		by := Actor{ID: "u1", Name: "documenter"}
		var ev Event
		var buf bytes.Buffer
		err := d.Write(ctx, inst, func(tx *db.Tx) error {
			var err error
			if ev, err = CreateEvent(ctx, tx, inst, "u1", Event{Title: "Camp clearance", DateStart: "2026-02-01"}); err != nil {
				return err
			}
			orig, err := AddEvidence(ctx, tx, store, inst, by, Evidence{EventID: ev.ID, Filename: "../../etc/photo 1.jpg", MediaType: "image/jpeg",
				CapturedOn: "2026-02-01"}, strings.NewReader("original photo bytes"))
			if err != nil {
				return err
			}
			if orig.Filename != "photo 1.jpg" || orig.Sensitivity != sensitivity.Confidential {
				t.Errorf("stored as %q at %v", orig.Filename, orig.Sensitivity)
			}
			if _, err := AddEvidence(ctx, tx, store, inst, by, Evidence{EventID: ev.ID, Filename: "photo 1 (faces blurred).jpg",
				WorkingCopyOf: orig.ID}, strings.NewReader("blurred bytes")); err != nil {
				return err
			}
			_, err = ExportEvidence(ctx, tx, store, inst, ev.ID, sensitivity.Confidential, by, &buf)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			files[f.Name] = b
		}
		var m Manifest
		if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Files) != 2 {
			t.Fatalf("manifest lists %d files", len(m.Files))
		}
		for _, f := range m.Files {
			sum := sha256.Sum256(files[f.Path])
			if hex.EncodeToString(sum[:]) != f.SHA256 {
				t.Errorf("%s does not match its manifest hash", f.Path)
			}
			if !strings.Contains(string(files["manifest.sha256"]), f.SHA256+"  "+f.Path) {
				t.Errorf("manifest.sha256 lacks %s", f.Path)
			}
			if len(f.Custody) != 2 || f.Custody[0].Action != "received" || f.Custody[1].Action != "exported" {
				t.Errorf("custody of %s: %+v", f.Path, f.Custody)
			}
		}
		if _, problems, err := VerifyExport(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil || len(problems) != 0 {
			t.Errorf("intact export: %v %v", problems, err)
		}
		// One byte changed in a file is caught.
		tampered := bytes.Replace(buf.Bytes(), []byte("original photo bytes"), []byte("original phot0 bytes"), 1)
		if _, problems, err := VerifyExport(bytes.NewReader(tampered), int64(len(tampered))); err == nil && len(problems) == 0 {
			t.Error("a tampered export verified")
		}
		// A reader cleared to internal exports nothing confidential.
		d.Write(ctx, inst, func(tx *db.Tx) error {
			var b bytes.Buffer
			m, err := ExportEvidence(ctx, tx, store, inst, ev.ID, sensitivity.Internal, by, &b)
			if err != nil || len(m.Files) != 0 {
				t.Errorf("internal export: %d files, %v", len(m.Files), err)
			}
			return nil
		})
	})
}
