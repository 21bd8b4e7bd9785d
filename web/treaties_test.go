package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
	"vigil/treaty"
)

// One partners-level checklist answer per institution, so that the
// authorization walk opens the {id} routes of the treaty part, plus a
// little reference data (instrument, participation, declaration).
func init() {
	fixtureRecords = append(fixtureRecords, func(ctx context.Context, tx *db.Tx, f *fixture, inst int) ([]string, string, error) {
		if inst == 0 {
			if _, err := treaty.UpsertInstrument(ctx, tx, treaty.Instrument{ID: "cat", ShortName: "CAT", Title: "Convention against Torture", Category: "core_hr", UNTCID: "IV-9"}); err != nil {
				return nil, "", err
			}
			if _, err := treaty.UpsertParticipation(ctx, tx, treaty.Participation{State: "XVG", Instrument: "cat", ConsentDate: "1996-04-30", ConsentType: "accession", Source: "test", AsOf: "2025-12-31"}); err != nil {
				return nil, "", err
			}
			body := "Vangoria recognizes, under article 22, the competence of the Committee to receive communications from or on behalf of individuals."
			if _, err := treaty.UpsertDeclaration(ctx, tx, treaty.Declaration{State: "XVG", Instrument: "cat", Section: "optional_articles", Body: body,
				Suggested: treaty.Suggest("cat", "optional_articles", body), Source: "test", AsOf: "2025-12-31"}); err != nil {
				return nil, "", err
			}
		}
		e, err := treaty.SaveCheck(ctx, tx, f.inst[inst].ID, f.users[inst][access.Analyst].ID, treaty.CheckEntry{State: "XVG", Item: "npm",
			Status: "partly", Evidence: "test evidence " + f.inst[inst].Name, Sensitivity: sensitivity.Partners})
		return []string{"/treaties/checklist/", "/api/v1/treaties/checklist/"}, e.ID, err
	})
}

func TestTreatyConfirmAndChecklistAreAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok, csrf := f.session(f.users[0][access.Analyst])
		resp := f.do("GET", "/treaties/confirm?state=XVG", tok, nil, nil)
		body := readBody(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(body, "cat.art22") {
			t.Fatalf("confirm page: %d\n%s", resp.StatusCode, body)
		}
		resp = f.do("POST", "/treaties/acceptances", tok, url.Values{"csrf": {csrf}, "state": {"XVG"}, "procedure": {"cat.art22"},
			"status": {"accepted"}, "declaration": {treaty.DeclarationID("XVG", "cat", "optional_articles")}, "sensitivity": {"public"}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d", resp.StatusCode)
		}
		resp = f.do("GET", "/api/v1/treaties/status?state=XVG", tok, nil, nil)
		body = readBody(t, resp)
		if !strings.Contains(body, `"code": "cat.art22"`) || strings.Contains(body, "CAT art. 22: individual communications: the declaration's text suggests it was accepted; confirm it") {
			t.Fatalf("status after confirmation: %s", body)
		}
		// ?indicator= keeps the gaps on one Framework indicator.
		body = readBody(t, f.do("GET", "/api/v1/treaties/status?state=XVG&indicator=6.7", tok, nil, nil))
		if !strings.Contains(body, "CAT art. 21") || strings.Contains(body, "Genocide is a crime in national law: not assessed") {
			t.Fatalf("indicator filter: %s", body)
		}
		// The other institution has not confirmed anything.
		tokB, _ := f.session(f.users[1][access.Analyst])
		body = readBody(t, f.do("GET", "/api/v1/treaties/status?state=XVG", tokB, nil, nil))
		if !strings.Contains(body, "CAT art. 22: individual communications: the declaration's text suggests it was accepted; confirm it") {
			t.Fatalf("institution B sees A's confirmation: %s", body)
		}
		// A confidential checklist answer: hidden from viewers, audited when read.
		resp = f.do("POST", "/treaties/checklist", tok, url.Values{"csrf": {csrf}, "state": {"XVG"}, "item": {"crime_torture"},
			"status": {"no"}, "evidence": {"secret-evidence-text"}, "sensitivity": {"confidential"}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("checklist save: %d", resp.StatusCode)
		}
		vt, _ := f.session(f.users[0][access.Viewer])
		if strings.Contains(readBody(t, f.do("GET", "/treaties/state?state=XVG", vt, nil, nil)), "secret-evidence-text") {
			t.Fatal("viewer sees a confidential checklist answer")
		}
		if !strings.Contains(readBody(t, f.do("GET", "/treaties/state?state=XVG", tok, nil, nil)), "secret-evidence-text") {
			t.Fatal("analyst does not see the answer")
		}
		entries, _, err := listAudit(t, d, f.inst[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"treaty.acceptance.confirm", "treaty.checklist.save", "treaty.checklist.read"} {
			if !strings.Contains(entries, want) {
				t.Errorf("audit trail lacks %s: %s", want, entries)
			}
		}
		if strings.Contains(entries, "secret-evidence-text") {
			t.Fatal("evidence text leaked into the audit trail")
		}
		// The JSON API writes too, audited, and refuses what it cannot read.
		resp = f.do("POST", "/api/v1/treaties/checklist", tok, nil, map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"})
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("empty JSON body: %d", resp.StatusCode)
		}
		req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/treaties/acceptances", strings.NewReader(`{"state":"XVG","procedure":"cat.art21","status":"not_accepted","sensitivity":"public"}`))
		req.Header.Set("X-CSRF-Token", csrf)
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: "vigil_session", Value: tok})
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `"status": "not_accepted"`) {
			t.Fatalf("API confirmation: %d %s", resp.StatusCode, body)
		}
		// Exports neutralise formulas.
		resp = f.do("POST", "/treaties/checklist", tok, url.Values{"csrf": {csrf}, "state": {"XVG"}, "item": {"npm"},
			"status": {"no"}, "evidence": {"=HYPERLINK(\"http://evil\")"}, "sensitivity": {"internal"}}, nil)
		resp.Body.Close()
		csv := readBody(t, f.do("GET", "/treaties/export.csv?state=XVG", tok, nil, nil))
		if strings.Contains(csv, ",=HYPERLINK") || !strings.Contains(csv, "'=HYPERLINK") {
			t.Fatalf("formula not neutralised:\n%s", csv)
		}
	})
}

func listAudit(t *testing.T, d *db.DB, inst string) (string, int, error) {
	t.Helper()
	var b strings.Builder
	n := 0
	err := d.Read(context.Background(), inst, func(tx *db.Tx) error {
		rows, err := tx.Query(context.Background(), "SELECT action, detail FROM audit_log WHERE institution_id = ? ORDER BY seq", inst)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, det string
			if err := rows.Scan(&a, &det); err != nil {
				return err
			}
			b.WriteString(a + " " + det + "\n")
			n++
		}
		return rows.Err()
	})
	return b.String(), n, err
}
