package incident

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"vigil/blob"
	"vigil/db"
	"vigil/sensitivity"
)

// Evidence is a file attached to an event: its bytes sit in the blob store
// under their SHA-256 and are never modified. A working copy (a redacted or
// converted version) is a separate evidence record that names its original.
type Evidence struct {
	ID, InstitutionID, EventID string
	SHA256                     string
	Size                       int64
	Filename, MediaType        string
	Description                string
	CapturedOn, CapturedBy     string // metadata given at arrival
	WorkingCopyOf              string
	Sensitivity                sensitivity.Level
	ReceivedBy, ReceivedAt     string
	Custody                    []Custody
}

// Custody is one link of the chain of custody.
type Custody struct {
	ID, EvidenceID     string
	Action             string // received, viewed, downloaded, copied, exported, verified
	ActorID, ActorName string
	At, SHA256, Note   string
}

// CustodyActions are what the chain records.
var CustodyActions = []string{"received", "viewed", "downloaded", "copied", "exported", "verified"}

// Actor is who handles evidence, for the chain of custody.
type Actor struct{ ID, Name string }

func cleanFilename(s string) string {
	s = path.Base(strings.ReplaceAll(strings.TrimSpace(s), `\`, "/"))
	s = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
	if s == "." || s == "" || s == "/" {
		s = "file"
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// AddEvidence stores a file for an event, hashing it as it arrives, and
// opens its chain of custody with "received".
func AddEvidence(ctx context.Context, q db.Q, store *blob.Store, inst string, by Actor, e Evidence, r io.Reader) (Evidence, error) {
	if err := exists(ctx, q, "events", inst, e.EventID); err != nil {
		return Evidence{}, err
	}
	if e.WorkingCopyOf != "" {
		if err := exists(ctx, q, "evidence", inst, e.WorkingCopyOf); err != nil {
			return Evidence{}, err
		}
	}
	if err := validDate(e.CapturedOn, "captured on", false); err != nil {
		return Evidence{}, err
	}
	if len(e.Description) > 4000 || len(e.CapturedBy) > 300 {
		return Evidence{}, invalid("description or captured-by is too long")
	}
	if e.Sensitivity == 0 {
		e.Sensitivity = sensitivity.Confidential
	}
	if !e.Sensitivity.Valid() {
		return Evidence{}, invalid("sensitivity %d is not a level", e.Sensitivity)
	}
	e.Filename = cleanFilename(e.Filename)
	if e.MediaType == "" || len(e.MediaType) > 100 || strings.ContainsAny(e.MediaType, "\r\n") {
		e.MediaType = "application/octet-stream"
	}
	ref, err := store.Put(ctx, q, inst, r, 0)
	if errors.Is(err, blob.ErrTooLarge) {
		return Evidence{}, invalid("the file is larger than %d MB", blob.MaxSize>>20)
	} else if err != nil {
		return Evidence{}, err
	}
	if ref.Size == 0 {
		return Evidence{}, invalid("the file is empty")
	}
	e.ID, e.InstitutionID, e.SHA256, e.Size = db.NewID(), inst, ref.SHA256, ref.Size
	e.ReceivedBy, e.ReceivedAt = by.ID, db.Now()
	if _, err := q.Exec(ctx, `INSERT INTO evidence (id, institution_id, event_id, sha256, size, filename, media_type, description, captured_on,
		captured_by, working_copy_of, sensitivity, received_by, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, inst, e.EventID, e.SHA256, e.Size, e.Filename, e.MediaType, e.Description, e.CapturedOn, e.CapturedBy, e.WorkingCopyOf,
		int(e.Sensitivity), by.ID, e.ReceivedAt); err != nil {
		return Evidence{}, err
	}
	c, err := LogCustody(ctx, q, inst, e.ID, e.SHA256, "received", by, "")
	e.Custody = []Custody{c}
	return e, err
}

// LogCustody appends a link to an evidence file's chain of custody.
func LogCustody(ctx context.Context, q db.Q, inst, evidenceID, sum, action string, by Actor, note string) (Custody, error) {
	if err := oneOf(action, CustodyActions, "custody action"); err != nil {
		return Custody{}, err
	}
	c := Custody{ID: db.NewID(), EvidenceID: evidenceID, Action: action, ActorID: by.ID, ActorName: by.Name, At: db.Now(), SHA256: sum, Note: note}
	_, err := q.Exec(ctx, "INSERT INTO custody (id, institution_id, evidence_id, action, actor_id, actor_name, at, sha256, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		c.ID, inst, evidenceID, action, by.ID, by.Name, c.At, sum, note)
	return c, err
}

const evidenceCols = `id, institution_id, event_id, sha256, size, filename, media_type, description, captured_on, captured_by,
	working_copy_of, sensitivity, received_by, received_at`

func scanEvidence(s interface{ Scan(...any) error }) (Evidence, error) {
	var e Evidence
	var level int64
	err := s.Scan(&e.ID, &e.InstitutionID, &e.EventID, &e.SHA256, &e.Size, &e.Filename, &e.MediaType, &e.Description, &e.CapturedOn,
		&e.CapturedBy, &e.WorkingCopyOf, &level, &e.ReceivedBy, &e.ReceivedAt)
	e.Sensitivity = sensitivity.Level(level)
	return e, err
}

// GetEvidence reads one evidence record with its chain of custody.
func GetEvidence(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level) (Evidence, error) {
	e, err := scanEvidence(q.QueryRow(ctx, "SELECT "+evidenceCols+" FROM evidence WHERE institution_id = ? AND id = ? AND sensitivity <= ?", inst, id, int(clearance)))
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, ErrNotFound
	} else if err != nil {
		return Evidence{}, err
	}
	e.Custody, err = custodyOf(ctx, q, inst, id)
	return e, err
}

func custodyOf(ctx context.Context, q db.Q, inst, id string) ([]Custody, error) {
	rows, err := q.Query(ctx, "SELECT id, evidence_id, action, actor_id, actor_name, at, sha256, note FROM custody WHERE institution_id = ? AND evidence_id = ? ORDER BY at, id", inst, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Custody
	for rows.Next() {
		var c Custody
		if err := rows.Scan(&c.ID, &c.EvidenceID, &c.Action, &c.ActorID, &c.ActorName, &c.At, &c.SHA256, &c.Note); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ListEvidence lists an event's evidence the clearance covers.
func ListEvidence(ctx context.Context, q db.Q, inst, eventID string, clearance sensitivity.Level) ([]Evidence, error) {
	rows, err := q.Query(ctx, "SELECT "+evidenceCols+" FROM evidence WHERE institution_id = ? AND event_id = ? AND sensitivity <= ? ORDER BY received_at, id",
		inst, eventID, int(clearance))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Manifest is what an export carries so that a court or an investigator
// can check every file without trusting Vigil: names, sizes, SHA-256 and
// the chain of custody of each. manifest.sha256 beside it has the same
// hashes in the format `sha256sum -c` reads.
type Manifest struct {
	Format      string         `json:"format"`
	Institution string         `json:"institution"`
	EventID     string         `json:"event_id"`
	EventTitle  string         `json:"event_title"`
	ExportedAt  string         `json:"exported_at"`
	ExportedBy  string         `json:"exported_by"`
	Files       []ManifestFile `json:"files"`
}

// ManifestFile is one file of an export.
type ManifestFile struct {
	Path          string    `json:"path"`
	EvidenceID    string    `json:"evidence_id"`
	SHA256        string    `json:"sha256"`
	Size          int64     `json:"size"`
	MediaType     string    `json:"media_type"`
	CapturedOn    string    `json:"captured_on,omitempty"`
	WorkingCopyOf string    `json:"working_copy_of,omitempty"`
	ReceivedAt    string    `json:"received_at"`
	Custody       []Custody `json:"custody"`
}

// ExportEvidence writes a zip of an event's evidence the clearance covers,
// with manifest.json and manifest.sha256. Each file is re-read from the
// store and checked against its hash as it is written; each export is
// added to the file's chain of custody in q's transaction.
func ExportEvidence(ctx context.Context, q db.Q, store *blob.Store, inst, eventID string, clearance sensitivity.Level, by Actor, w io.Writer) (Manifest, error) {
	ev, err := GetEvent(ctx, q, inst, eventID, clearance)
	if err != nil {
		return Manifest{}, err
	}
	files, err := ListEvidence(ctx, q, inst, eventID, clearance)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Format: "vigil-evidence-export/1", Institution: inst, EventID: eventID, EventTitle: ev.Title,
		ExportedAt: db.Now(), ExportedBy: by.Name}
	zw := zip.NewWriter(w)
	var sums strings.Builder
	for i, e := range files {
		if _, err := LogCustody(ctx, q, inst, e.ID, e.SHA256, "exported", by, "export of event "+eventID); err != nil {
			return m, err
		}
		name := fmt.Sprintf("files/%02d-%s", i+1, e.Filename)
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Now().UTC()})
		if err != nil {
			return m, err
		}
		rc, _, err := store.Open(ctx, q, inst, e.SHA256)
		if err != nil {
			return m, fmt.Errorf("evidence %s: %w", e.ID, err)
		}
		h := sha256.New()
		_, err = io.Copy(io.MultiWriter(fw, h), rc)
		rc.Close()
		if err != nil {
			return m, fmt.Errorf("evidence %s: %w", e.ID, err)
		}
		if hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
			return m, fmt.Errorf("evidence %s: %w", e.ID, blob.ErrCorrupt)
		}
		custody, err := custodyOf(ctx, q, inst, e.ID)
		if err != nil {
			return m, err
		}
		m.Files = append(m.Files, ManifestFile{Path: name, EvidenceID: e.ID, SHA256: e.SHA256, Size: e.Size, MediaType: e.MediaType,
			CapturedOn: e.CapturedOn, WorkingCopyOf: e.WorkingCopyOf, ReceivedAt: e.ReceivedAt, Custody: custody})
		fmt.Fprintf(&sums, "%s  %s\n", e.SHA256, name)
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"manifest.json", mj}, {"manifest.sha256", []byte(sums.String())}} {
		fw, err := zw.Create(f.name)
		if err != nil {
			return m, err
		}
		if _, err := fw.Write(f.data); err != nil {
			return m, err
		}
	}
	return m, zw.Close()
}

// VerifyExport checks an export the way its recipient would: every file
// listed in manifest.json is present with the listed size and SHA-256, and
// manifest.sha256 agrees. It returns the manifest and one line per problem
// (none when the export is intact).
func VerifyExport(r io.ReaderAt, size int64) (Manifest, []string, error) {
	var m Manifest
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return m, nil, fmt.Errorf("not a zip file: %w", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string, limit int64) ([]byte, error) {
		f, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("%s is missing", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, limit))
	}
	mj, err := read("manifest.json", 64<<20)
	if err != nil {
		return m, nil, err
	}
	if err := json.Unmarshal(mj, &m); err != nil {
		return m, nil, fmt.Errorf("manifest.json: %w", err)
	}
	var problems []string
	sums, err := read("manifest.sha256", 64<<20)
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, mf := range m.Files {
		f, ok := files[mf.Path]
		if !ok {
			problems = append(problems, mf.Path+": missing")
			continue
		}
		rc, err := f.Open()
		if err != nil {
			problems = append(problems, mf.Path+": "+err.Error())
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		switch got := hex.EncodeToString(h.Sum(nil)); {
		case err != nil:
			problems = append(problems, mf.Path+": "+err.Error())
		case got != mf.SHA256:
			problems = append(problems, fmt.Sprintf("%s: SHA-256 %s, manifest says %s", mf.Path, got, mf.SHA256))
		case n != mf.Size:
			problems = append(problems, fmt.Sprintf("%s: %d bytes, manifest says %d", mf.Path, n, mf.Size))
		}
		if sums != nil && !strings.Contains(string(sums), mf.SHA256+"  "+mf.Path+"\n") {
			problems = append(problems, mf.Path+": not listed in manifest.sha256 with the same hash")
		}
	}
	return m, problems, nil
}
