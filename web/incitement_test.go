package web

import (
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
	"vigil/incitement"
	"vigil/sensitivity"
)

func init() {
	fixtureRecords = append(fixtureRecords, func(ctx context.Context, tx *db.Tx, f *fixture, inst int) ([]string, string, error) {
		a, err := incitement.Create(ctx, tx, f.keys, f.inst[inst].ID, f.users[inst][access.Analyst].ID, incitement.Assessment{
			Title: "Rally speech " + f.inst[inst].Name, SpeechDate: "2025-04-12", Medium: "rally", Tier: "none",
			Levels:  map[string]string{"context": "medium", "speaker": "low", "intent": "low", "content": "low", "extent": "low", "likelihood": "low"},
			Speaker: "Speaker of " + f.inst[inst].Name, Text: "words", Sensitivity: sensitivity.Partners})
		return []string{"/incitement/", "/api/v1/incitement/"}, a.ID, err
	})
}

func incitementForm(csrf string, secrets []string) url.Values {
	v := url.Values{"csrf": {csrf}, "title": {"Radio address, 12 April"}, "speech_date": {"2025-04-12"}, "medium": {"community radio"},
		"reach": {"40000"}, "audience": {"listeners in Oravia province"}, "target_group": {"the Tesh minority"},
		"speaker_role": {"provincial governor"}, "speaker": {secrets[0]}, "text": {secrets[1]}, "tier": {"civil"},
		"indicator": {"7.14", "8.7"}, "response": {"Public statement; engage the broadcaster."}, "sensitivity": {"confidential"}}
	for _, f := range incitement.Factors {
		v.Set("level_"+f.Key, "medium")
		v.Set("note_"+f.Key, "reasons for "+f.Key)
	}
	return v
}

// TestIncitementConfidentialAndAudited records an assessment through the
// page an analyst uses: the speaker and the words are shown to cleared staff
// only, the read is audited without the values, and neither is on disk in
// clear.
func TestIncitementConfidentialAndAudited(t *testing.T) {
	dir := t.TempDir()
	d := dbtest.Open(t, "sqlite:"+filepath.Join(dir, "vigil.db"))
	f := newFixture(t, d)
	tok, csrf := f.session(f.users[0][access.Analyst])
	secrets := []string{"Governor Haldor Vensk-Amari", "They are vermin; clear them out of the valley before the vote."}
	resp := f.do("POST", "/incitement", tok, incitementForm(csrf, secrets), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	body := readBody(t, f.do("GET", loc, tok, nil, nil))
	if !strings.Contains(body, secrets[0]) || !strings.Contains(body, secrets[1]) {
		t.Fatal("the analyst does not see speaker and words")
	}
	if !strings.Contains(body, "Civil or administrative sanction") || !strings.Contains(body, "8.7") {
		t.Error("conclusion or indicator missing from the page")
	}
	list := readBody(t, f.do("GET", "/incitement", tok, nil, nil))
	if strings.Contains(list, secrets[0]) || !strings.Contains(list, "Radio address, 12 April") || !strings.Contains(list, "<svg") {
		t.Error("list shows the speaker, or misses the title or the trend chart")
	}
	for _, role := range []access.Role{access.Viewer, access.Partner} {
		vt, _ := f.session(f.users[0][role])
		resp := f.do("GET", loc, vt, nil, nil)
		if b := readBody(t, resp); resp.StatusCode != http.StatusNotFound || strings.Contains(b, secrets[0]) {
			t.Errorf("%s opened a confidential assessment: %d", role, resp.StatusCode)
		}
		if b := readBody(t, f.do("GET", "/api/v1/incitement", vt, nil, nil)); strings.Contains(b, "Radio address") {
			t.Errorf("%s lists a confidential assessment", role)
		}
	}
	// The other institution's analyst cannot open it either.
	ot, _ := f.session(f.users[1][access.Analyst])
	if resp := f.do("GET", loc, ot, nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("other institution: %d", resp.StatusCode)
	}
	var reads, creates []audit.Row
	d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
		reads, _ = audit.List(context.Background(), tx, f.inst[0].ID, audit.Filter{Action: "incitement.read"})
		creates, _ = audit.List(context.Background(), tx, f.inst[0].ID, audit.Filter{Action: "incitement.create"})
		return nil
	})
	if len(reads) != 1 || len(creates) != 1 {
		t.Fatalf("audit: %d reads, %d creates; want 1 and 1", len(reads), len(creates))
	}
	for _, r := range append(reads, creates...) {
		for _, s := range secrets {
			if strings.Contains(r.Detail, s) {
				t.Fatal("audit detail carries a confidential value")
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "vigil.db*"))
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Fatalf("%q found in clear in %s", s, fn)
			}
		}
	}
}

func TestIncitementFormRejectsBadInput(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	tok, csrf := f.session(f.users[0][access.Analyst])
	v := incitementForm(csrf, []string{"x", "y"})
	v.Set("tier", "criminal")
	v.Set("note_likelihood", "")
	resp := f.do("POST", "/incitement", tok, v, nil)
	if b := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "Likelihood and imminence has none") {
		t.Errorf("criminal tier without reasons: %d", resp.StatusCode)
	}
	v = incitementForm(csrf, []string{"x", "y"})
	v.Set("speech_date", "12/04/2025")
	if resp := f.do("POST", "/incitement", tok, v, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad date accepted: %d", resp.StatusCode)
	}
	vt, vcsrf := f.session(f.users[0][access.Viewer])
	if resp := f.do("POST", "/incitement", vt, incitementForm(vcsrf, []string{"x", "y"}), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer created an assessment: %d", resp.StatusCode)
	}
}

func TestIncitementStorePortable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var list []incitement.Assessment
		err := d.Read(ctx, f.inst[0].ID, func(tx *db.Tx) error {
			var err error
			list, err = incitement.List(ctx, tx, f.keys, f.inst[0].ID, access.Partner)
			return err
		})
		if err != nil || len(list) != 1 || !list[0].Withheld || list[0].Speaker != "" {
			t.Fatalf("partner list: %v %+v", err, list)
		}
		tr := incitement.Trend(list)
		if len(tr) != 1 || tr[0].Year != "2025" || tr[0].ByTier["none"] != 1 {
			t.Errorf("trend %+v", tr)
		}
	})
}
