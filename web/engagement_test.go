package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/engage"
	"vigil/sensitivity"
)

func init() {
	// One partner and one activity per institution at partners level, so
	// that every role opens them in its own institution.
	fixtureRecords = append(fixtureRecords,
		func(ctx context.Context, tx *db.Tx, f *fixture, inst int) ([]string, string, error) {
			p, err := engage.CreatePartner(ctx, tx, f.inst[inst].ID, f.users[inst][access.Analyst].ID,
				engage.Partner{Name: "Committee of " + f.inst[inst].Name, Kind: "parliament", Sensitivity: sensitivity.Partners})
			return []string{"/engagement/partners/", "/api/v1/engagement/partners/"}, p.ID, err
		},
		func(ctx context.Context, tx *db.Tx, f *fixture, inst int) ([]string, string, error) {
			a, err := engage.CreateActivity(ctx, tx, f.inst[inst].ID, f.users[inst][access.Analyst].ID, sensitivity.Partners,
				engage.Activity{Kind: "briefing", Title: "Briefing of " + f.inst[inst].Name, StartDate: "2026-03-10", Sensitivity: sensitivity.Partners})
			return []string{"/engagement/activities/", "/api/v1/engagement/activities/"}, a.ID, err
		})
}

// TestEngagementJourney records a partner, a confidential contact and an
// activity through the pages, moves its status, and checks what a viewer
// and a partner-role user may see, and the audit entries.
func TestEngagementJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok, csrf := f.session(f.users[0][access.Analyst])
		resp := f.do("POST", "/engagement/partners", tok, url.Values{"csrf": {csrf}, "name": {"Ministry of Interior"}, "kind": {"ministry"}, "sensitivity": {"internal"}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("partner create: %d", resp.StatusCode)
		}
		pid := strings.TrimPrefix(resp.Header.Get("Location"), "/engagement/partners/")
		resp = f.do("POST", "/engagement/partners/"+pid+"/contacts", tok, url.Values{"csrf": {csrf}, "name": {"Dana Hiddenname"}, "position": {"Adviser"},
			"email": {"dana@example.org"}, "sensitivity": {"confidential"}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("contact create: %d", resp.StatusCode)
		}
		resp = f.do("POST", "/engagement/activities", tok, url.Values{"csrf": {csrf}, "title": {"Meeting on the early-warning unit"}, "kind": {"meeting"},
			"start_date": {"2026-05-04"}, "status": {"planned"}, "partner": {pid}, "links": {"risk_factor: RF8"}, "sensitivity": {"internal"}}, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("activity create: %d %s", resp.StatusCode, body)
		}
		aid := strings.TrimPrefix(resp.Header.Get("Location"), "/engagement/activities/")
		resp = f.do("POST", "/engagement/activities", tok, url.Values{"csrf": {csrf}, "title": {"x"}, "kind": {"meeting"}, "start_date": {"yesterday"}, "sensitivity": {"internal"}}, nil)
		if body := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "YYYY-MM-DD") {
			t.Errorf("bad date: %d", resp.StatusCode)
		}
		resp = f.do("POST", "/engagement/activities/"+aid+"/status", tok, url.Values{"csrf": {csrf}, "status": {"done"}, "outcome": {"Unit agreed"}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status: %d", resp.StatusCode)
		}
		resp = f.do("POST", "/engagement/partners/"+pid, tok, url.Values{"csrf": {csrf}, "name": {"Ministry of the Interior"}, "kind": {"ministry"}, "sensitivity": {"internal"}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("partner edit: %d", resp.StatusCode)
		}
		resp = f.do("GET", "/engagement/partners/"+pid, tok, nil, nil)
		if body := readBody(t, resp); !strings.Contains(body, "Ministry of the Interior") {
			t.Error("the partner's new name is not shown")
		}
		// An edit changes what was recorded; the audit entry names the fields.
		resp = f.do("POST", "/engagement/activities/"+aid, tok, url.Values{"csrf": {csrf}, "title": {"Meeting on the early-warning unit"}, "kind": {"meeting"},
			"start_date": {"2026-05-05"}, "outcome": {"Unit agreed"}, "partner": {pid}, "links": {"risk_factor: RF8\nrecommendation: UPR 1.1"}, "sensitivity": {"internal"}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", resp.StatusCode)
		}
		var detail string
		d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT detail FROM audit_log WHERE institution_id = ? AND action = 'activity.update'", f.inst[0].ID).Scan(&detail)
		})
		if detail != "fields=start_date,links" {
			t.Errorf("edit audit detail %q", detail)
		}
		// The analyst sees the contact; opening the page audits the read.
		resp = f.do("GET", "/engagement/partners/"+pid, tok, nil, nil)
		if body := readBody(t, resp); !strings.Contains(body, "Dana Hiddenname") || !strings.Contains(body, "Meeting on the early-warning unit") {
			t.Errorf("partner page lacks contact or history")
		}
		var n int
		d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action IN ('partner.create','contact.create','activity.create','activity.status','contact.read')", f.inst[0].ID).Scan(&n)
		})
		if n != 6 { // two partner pages opened: two reads of the confidential contact
			t.Errorf("audit entries %d, want 6", n)
		}
		// A viewer sees the internal activity but not the confidential contact.
		vt, _ := f.session(f.users[0][access.Viewer])
		resp = f.do("GET", "/engagement/partners/"+pid, vt, nil, nil)
		if body := readBody(t, resp); resp.StatusCode != 200 || strings.Contains(body, "Dana Hiddenname") {
			t.Errorf("viewer: %d, contact shown: %v", resp.StatusCode, strings.Contains(body, "Dana Hiddenname"))
		}
		// A partner-role user sees neither the internal partner nor the activity.
		pt, _ := f.session(f.users[0][access.Partner])
		for _, p := range []string{"/engagement/partners/" + pid, "/engagement/activities/" + aid, "/api/v1/engagement/activities/" + aid} {
			resp = f.do("GET", p, pt, nil, nil)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("partner role GET %s: %d, want 404", p, resp.StatusCode)
			}
		}
		resp = f.do("GET", "/api/v1/engagement/activities", pt, nil, nil)
		var list struct{ Activities []engageActivityJSON }
		json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if len(list.Activities) != 1 || list.Activities[0].Sensitivity != "partners" {
			t.Errorf("partner role lists %+v", list.Activities)
		}
		// The API records an activity and the report holds it at internal edition only.
		resp = f.do("POST", "/api/v1/engagement/activities", tok, nil, nil)
		resp.Body.Close()
		req := `{"kind":"submission","title":"UPR mid-term submission","start_date":"2026-06-01","sensitivity":"public","links":[{"kind":"recommendation","ref":"112.4"}]}`
		hr, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/engagement/activities", strings.NewReader(req))
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("X-CSRF-Token", csrf)
		hr.AddCookie(&http.Cookie{Name: "vigil_session", Value: tok})
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, resp); resp.StatusCode != http.StatusCreated {
			t.Fatalf("api create: %d %s", resp.StatusCode, body)
		}
		resp = f.do("GET", "/engagement/report/export?from=2026-01-01&to=2026-12-31&edition=partners&format=json", tok, nil, nil)
		body = readBody(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(body, "UPR mid-term submission") || strings.Contains(body, "early-warning unit") {
			t.Errorf("partners edition: %d\n%s", resp.StatusCode, body)
		}
		resp = f.do("GET", "/engagement/report?from=2026-01-01&to=2026-12-31&edition=internal", tok, nil, nil)
		if body := readBody(t, resp); !strings.Contains(body, "early-warning unit") {
			t.Errorf("internal edition lacks the internal activity")
		}
		resp = f.do("GET", "/engagement/report?edition=internal", vt, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("viewer internal edition: %d", resp.StatusCode)
		}
		resp = f.do("GET", "/engagement/report?edition=confidential", tok, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("confidential edition: %d, want 400", resp.StatusCode)
		}
		resp = f.do("GET", "/engagement/calendar?month=2026-05", tok, nil, nil)
		if body := readBody(t, resp); !strings.Contains(body, "Meeting on the early-warning unit") {
			t.Errorf("calendar lacks the activity")
		}
	})
}
