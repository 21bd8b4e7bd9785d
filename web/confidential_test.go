package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/db/dbtest"
)

// TestConfidentialNameNeverOnDisk records a victim through the page a
// documenter uses, then reads every byte of the SQLite files and looks for
// the name, contact and document number: none may be there in clear.
func TestConfidentialNameNeverOnDisk(t *testing.T) {
	dir := t.TempDir()
	d := dbtest.Open(t, "sqlite:"+filepath.Join(dir, "vigil.db"))
	f := newFixture(t, d)
	tok, csrf := f.session(f.users[0][access.Documenter])
	secrets := []string{"Zarina Qovlatbek-Ennis", "+999 555 0188 42", "XV-99887766", "14 Orchard Lane, Kelvast"}
	resp := f.do("POST", "/persons", tok, url.Values{"csrf": {csrf}, "pseudonym": {"V-001"}, "kind": {"victim"},
		"name": {secrets[0]}, "contact": {secrets[1]}, "id_document": {secrets[2]}, "address": {secrets[3]},
		"sex": {"female"}, "age_group": {"adult (18-59)"}, "sensitivity": {"confidential"}}, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create person: %d", resp.StatusCode)
	}
	personURL := resp.Header.Get("Location")

	// The documenter sees the name; the read is audited.
	resp = f.do("GET", personURL, tok, nil, nil)
	if body := readBody(t, resp); !strings.Contains(body, secrets[0]) {
		t.Fatalf("documenter does not see the name: %d", resp.StatusCode)
	}
	// The list shows the pseudonym, not the name.
	resp = f.do("GET", "/persons", tok, nil, nil)
	if body := readBody(t, resp); strings.Contains(body, secrets[0]) || !strings.Contains(body, "V-001") {
		t.Fatal("persons list shows names or misses the pseudonym")
	}
	// Viewer and partner are below confidential: the record does not exist for them.
	for _, role := range []access.Role{access.Viewer, access.Partner} {
		vt, _ := f.session(f.users[0][role])
		resp = f.do("GET", personURL, vt, nil, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, secrets[0]) {
			t.Fatalf("%s opened a confidential person: %d", role, resp.StatusCode)
		}
		resp = f.do("GET", "/api/v1/persons", vt, nil, nil)
		if body := readBody(t, resp); strings.Contains(body, "V-001") {
			t.Fatalf("%s lists a confidential person", role)
		}
	}
	var reads []audit.Row
	d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
		var err error
		reads, err = audit.List(context.Background(), tx, f.inst[0].ID, audit.Filter{Action: "person.read"})
		return err
	})
	if len(reads) != 1 || reads[0].ActorID != f.users[0][access.Documenter].ID {
		t.Fatalf("confidential read not audited once: %+v", reads)
	}
	for _, r := range reads {
		for _, s := range secrets {
			if strings.Contains(r.Detail, s) {
				t.Fatal("audit detail carries a confidential value")
			}
		}
	}

	// Now the raw files: database, WAL and shared memory.
	files, _ := filepath.Glob(filepath.Join(dir, "vigil.db*"))
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	// Control: the clear pseudonym must be found, or this test reads the wrong files.
	sawPseudonym := false
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("%s holds %q in clear", filepath.Base(p), s)
			}
		}
		sawPseudonym = sawPseudonym || bytes.Contains(raw, []byte("V-001"))
	}
	if !sawPseudonym {
		t.Fatal("control failed: the pseudonym stored in clear was not found in the files read")
	}
}
