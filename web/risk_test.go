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
	"vigil/risk"
	"vigil/sensitivity"
)

// One partners-level draft assessment per institution (with the built-in
// framework) for the authorization walk; the framework is registered too.
func init() {
	fixtureRecords = append(fixtureRecords,
		func(ctx context.Context, tx *db.Tx, f *fixture, i int) ([]string, string, error) {
			inst := f.inst[i].ID
			fw, _, err := risk.EnsureDefault(ctx, tx, inst)
			if err != nil {
				return nil, "", err
			}
			a, err := risk.Create(ctx, tx, inst, f.users[i][access.Analyst].ID, risk.NewAssessment{FrameworkID: fw, Country: "XVG", Period: "2026", Sensitivity: sensitivity.Partners})
			if err != nil {
				return nil, "", err
			}
			return []string{"/risk/assessments/", "/api/v1/risk/assessments/"}, a.ID, nil
		},
		func(ctx context.Context, tx *db.Tx, f *fixture, i int) ([]string, string, error) {
			fw, _, err := risk.EnsureDefault(ctx, tx, f.inst[i].ID)
			return []string{"/risk/frameworks/", "/api/v1/risk/frameworks/"}, fw, err
		})
}

func TestRiskJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		an, rev := f.users[0][access.Analyst], f.users[0][access.Reviewer]
		tokA, csrfA := f.session(an)
		tokR, csrfR := f.session(rev)
		post := func(tok, csrf, path string, form url.Values) *http.Response {
			form.Set("csrf", csrf)
			return f.do("POST", path, tok, form, nil)
		}
		resp := post(tokA, csrfA, "/risk/assessments", url.Values{"country": {"XVG"}, "period": {"2027"}, "sensitivity": {"public"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(t, resp))
		}
		path := resp.Header.Get("Location")
		resp.Body.Close()
		if resp := f.do("GET", path+"?factor=7", tokA, nil, nil); resp.StatusCode != 200 || !strings.Contains(readBody(t, resp), `id="rate-ind-7-14"`) {
			t.Fatalf("factor page of a draft: %d, or no rating form", resp.StatusCode)
		}
		const secret = "SECRET-INFORMANT-4471"
		for _, form := range []url.Values{
			{"number": {"7.14"}, "rating": {"high"}, "direction": {"worse"}, "confidence": {"high"}, "rationale": {"Broadcasts tripled."}, "sensitivity": {"public"}},
			{"number": {"5.5"}, "rating": {"moderate"}, "rationale": {"Told by " + secret}, "sensitivity": {"confidential"}},
		} {
			resp := post(tokA, csrfA, path+"/ratings", form)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("rate %v: %d", form["number"], resp.StatusCode)
			}
		}
		resp = post(tokA, csrfA, path+"/evidence", url.Values{"number": {"7.14"}, "title": {"Monitoring log " + secret}, "sensitivity": {"confidential"}})
		resp.Body.Close()
		resp = post(tokA, csrfA, path+"/items", url.Values{"kind": {"trigger"}, "title": {"Census"}, "date": {"2027-03-01"}, "sensitivity": {"public"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("trigger: %d", resp.StatusCode)
		}
		// The analyst cannot approve: the table refuses before the handler.
		resp = post(tokA, csrfA, path+"/approve", url.Values{})
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("analyst approve: %d", resp.StatusCode)
		}
		for _, step := range []struct{ tok, csrf, step string }{{tokA, csrfA, "submit"}, {tokR, csrfR, "approve"}, {tokR, csrfR, "publish"}} {
			resp := post(step.tok, step.csrf, path+"/"+step.step, url.Values{})
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", step.step, resp.StatusCode)
			}
		}
		resp = post(tokA, csrfA, path+"/ratings", url.Values{"number": {"7.14"}, "rating": {"low"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("rating a published assessment: %d, want 409", resp.StatusCode)
		}
		page := readBody(t, f.do("GET", path+"?factor=5", tokA, nil, nil))
		if !strings.Contains(page, secret) {
			t.Error("analyst does not see the confidential rationale")
		}
		pub := readBody(t, f.do("GET", path+"/report?edition=public", tokA, nil, nil))
		if strings.Contains(pub, secret) || !strings.Contains(pub, "Broadcasts tripled.") {
			t.Errorf("public edition: secret present=%v, public rationale present=%v", strings.Contains(pub, secret), strings.Contains(pub, "Broadcasts tripled."))
		}
		for _, lang := range []string{"fr", "es", "ar"} {
			body := readBody(t, f.do("GET", path+"/report?kind=briefing&lang="+lang, tokA, nil, nil))
			if strings.Contains(body, secret) || !strings.Contains(body, `lang="`+lang+`"`) {
				t.Errorf("briefing in %s: wrong language or confidential content", lang)
			}
		}
		conf := f.do("GET", path+"/report?edition=confidential", tokA, nil, nil)
		body := readBody(t, conf)
		if conf.StatusCode != 200 || !strings.Contains(body, secret) || !strings.Contains(body, "watermark") {
			t.Errorf("confidential edition: %d", conf.StatusCode)
		}
		tokV, _ := f.session(f.users[0][access.Viewer])
		resp = f.do("GET", path+"/report?edition=confidential", tokV, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer got the confidential edition: %d", resp.StatusCode)
		}
		// The viewer's page does not carry the confidential rationale either.
		if page := readBody(t, f.do("GET", path+"?factor=5", tokV, nil, nil)); strings.Contains(page, secret) {
			t.Error("viewer sees a confidential rationale")
		}
		var n int
		d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action LIKE 'risk.%' AND detail LIKE ?", f.inst[0].ID, "%"+secret+"%").Scan(&n)
		})
		if n != 0 {
			t.Error("a confidential value reached the audit trail")
		}
		for _, action := range []string{"risk.assessment.create", "risk.rating.update", "risk.evidence.create", "risk.assessment.approve", "risk.assessment.publish", "risk.assessment.read", "risk.report.confidential"} {
			var c int
			d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
				return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = ?", f.inst[0].ID, action).Scan(&c)
			})
			if c == 0 {
				t.Errorf("no audit entry %s", action)
			}
		}
		// A correction opens version 2 as a draft.
		resp = post(tokA, csrfA, path+"/correct", url.Values{"note": {"Rating of 7.14 revised"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") == path+"?done=corrected" {
			t.Fatalf("correct: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}
