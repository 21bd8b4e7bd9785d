package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/recommend"
	"vigil/sensitivity"
)

// One of each institution's own recommendations at partners level, so that
// the authorization walk opens the {id} routes of the recommendations part
// (shared UN texts are visible to every institution and cannot stand for
// "the other institution's record"), and one shared UPR text.
func init() {
	fixtureRecords = append(fixtureRecords, func(ctx context.Context, tx *db.Tx, f *fixture, inst int) ([]string, string, error) {
		if inst == 0 {
			r := recommend.Recommendation{Source: "test", SourceKey: "1", Mechanism: "upr", StateUnderReview: "XVG", RecommendingState: "FRA",
				Text: "=HYPERLINK(\"http://evil\") Protect women human rights defenders from reprisals.", Themes: []string{"Human rights defenders"}, Response: "supported", Cycle: 4, Session: "44"}
			if _, err := recommend.Save(ctx, tx, &r); err != nil {
				return nil, "", err
			}
		}
		r, err := recommend.CreateOwn(ctx, tx, f.inst[inst].ID, recommend.Recommendation{StateUnderReview: "XVG",
			Text: "Own advice of " + f.inst[inst].Name + " on discrimination.", Sensitivity: sensitivity.Partners, Themes: []string{"Racial discrimination"}})
		return []string{"/recommendations/", "/api/v1/recommendations/"}, r.ID, err
	})
}

func recBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRecommendationsJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok, csrf := f.session(f.users[0][access.Analyst])
		// Search with stemming, facets and the institution's own record.
		resp := f.do("GET", "/recommendations?q=woman", tok, nil, nil)
		page := recBody(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(page, `<span id="rec-total">1</span>`) || !strings.Contains(page, "Human rights defenders") {
			t.Fatalf("search: %d\n%s", resp.StatusCode, page)
		}
		page = recBody(t, f.do("GET", "/recommendations?q=discriminate", tok, nil, nil))
		if !strings.Contains(page, "Own advice of Office A") || strings.Contains(page, "Office B") {
			t.Fatalf("own records: other institution's leaked or own missing:\n%s", page)
		}
		if resp := f.do("GET", "/recommendations?q=%22unclosed", tok, nil, nil); resp.StatusCode != 400 {
			t.Errorf("bad query: %d", resp.StatusCode)
		}
		// Record an independent assessment; it appears apart from the government's account.
		res := f.apiSearch(t, tok, "q=defenders")
		id := res.Results[0].ID
		resp = f.do("POST", "/recommendations/"+id+"/assessments", tok, url.Values{"csrf": {csrf}, "source": {"nhri"}, "status": {"partially"},
			"assessed_by": {"Analyst A"}, "assessed_on": {"2025-05-01"}, "evidence": {"Two reprisals documented in 2024."}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("assessment: %d %s", resp.StatusCode, recBody(t, resp))
		}
		resp.Body.Close()
		resp = f.do("POST", "/recommendations/"+id+"/assessments", tok, url.Values{"csrf": {csrf}, "source": {"nhri"}, "status": {"fully"},
			"assessed_by": {"Analyst A"}, "assessed_on": {"2025-05-01"}}, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("independent assessment without evidence: %d", resp.StatusCode)
		}
		resp.Body.Close()
		page = recBody(t, f.do("GET", "/recommendations/"+id, tok, nil, nil))
		if !strings.Contains(page, "Two reprisals documented") || !strings.Contains(page, "Independent assessment") {
			t.Fatalf("view:\n%s", page)
		}
		// Office B does not see Office A's assessment.
		tokB, _ := f.session(f.users[1][access.Analyst])
		if page := recBody(t, f.do("GET", "/recommendations/"+id, tokB, nil, nil)); strings.Contains(page, "Two reprisals") {
			t.Fatal("another institution's assessment leaked")
		}
		if r := f.apiSearch(t, tokB, "status=partially"); r.Total != 0 {
			t.Fatalf("status facet of another institution: %d", r.Total)
		}
		if r := f.apiSearch(t, tok, "status=partially"); r.Total != 1 {
			t.Fatalf("status filter: %d", r.Total)
		}
		// The matrix: CSV with formula injection neutralised, XLSX a zip.
		resp = f.do("GET", "/recommendations/matrix.csv?q=defenders", tok, nil, nil)
		csv := recBody(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(csv, `"'=HYPERLINK(""http://evil"")`) || !strings.Contains(csv, "partially (Analyst A, 2025-05-01)") {
			t.Fatalf("csv: %d\n%s", resp.StatusCode, csv)
		}
		resp = f.do("GET", "/recommendations/matrix.xlsx", tok, nil, nil)
		if x := recBody(t, resp); resp.StatusCode != 200 || !strings.HasPrefix(x, "PK") {
			t.Fatalf("xlsx: %d", resp.StatusCode)
		}
		// Action with a past due date shows on the board as overdue.
		resp = f.do("POST", "/recommendations/"+id+"/actions", tok, url.Values{"csrf": {csrf}, "title": {"Protection programme"},
			"responsible": {"Ministry of the Interior"}, "due_on": {"2020-01-01"}}, nil)
		resp.Body.Close()
		page = recBody(t, f.do("GET", "/recommendations/board", tok, nil, nil))
		if !strings.Contains(page, "Ministry of the Interior") || !strings.Contains(page, "1 overdue") || !strings.Contains(page, "<svg") {
			t.Fatalf("board:\n%s", page)
		}
		page = recBody(t, f.do("GET", "/recommendations/submission", tok, nil, nil))
		if !strings.Contains(page, "Human rights defenders") || !strings.Contains(page, "Two reprisals documented") {
			t.Fatalf("submission:\n%s", page)
		}
	})
}

func (f *fixture) apiSearch(t *testing.T, tok, query string) recommend.Results {
	t.Helper()
	resp := f.do("GET", "/api/v1/recommendations?"+query, tok, nil, nil)
	var res recommend.Results
	if err := recDecodeJSON(resp, &res); err != nil || resp.StatusCode != 200 {
		t.Fatalf("api search %s: %d %v", query, resp.StatusCode, err)
	}
	return res
}

func recDecodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func TestRecommendationRiskSuggestions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok, csrf := f.session(f.users[0][access.Analyst])
		viewer, _ := f.session(f.users[0][access.Viewer])
		tokB, csrfB := f.session(f.users[1][access.Analyst])
		page := recBody(t, f.do("GET", "/recommendations/rules", viewer, nil, nil))
		if !strings.Contains(page, `id="rule-13"`) || strings.Contains(page, "/recommendations/rules/run") {
			t.Fatalf("rules page for a viewer:\n%s", page)
		}
		if resp := f.do("POST", "/recommendations/rules/run", viewer, url.Values{"csrf": {csrf}}, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a viewer ran the rules: %d", resp.StatusCode)
		}
		resp := f.do("POST", "/recommendations/rules/run", tok, url.Values{"csrf": {csrf}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("run: %d %s", resp.StatusCode, recBody(t, resp))
		}
		page = recBody(t, f.do("GET", resp.Header.Get("Location"), tok, nil, nil))
		if !strings.Contains(page, "made 2 new suggestions") {
			t.Fatalf("after the run:\n%s", page)
		}
		id := f.apiSearch(t, tok, "q=defenders").Results[0].ID
		page = recBody(t, f.do("GET", "/recommendations/"+id, tok, nil, nil))
		if !strings.Contains(page, "suggested because its theme is &#39;Human rights defenders&#39; (rule 13)") || !strings.Contains(page, `value="confirm"`) {
			t.Fatalf("view with a suggestion:\n%s", page)
		}
		if p := recBody(t, f.do("GET", "/recommendations/"+id, viewer, nil, nil)); !strings.Contains(p, "(rule 13)") || strings.Contains(p, `value="confirm"`) {
			t.Fatalf("viewer sees the suggestion but no buttons:\n%s", p)
		}
		if p := recBody(t, f.do("GET", "/recommendations/"+id, tokB, nil, nil)); strings.Contains(p, "(rule 13)") {
			t.Fatal("another institution's suggestion leaked")
		}
		var linkID string
		d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT id FROM rec_risk_links WHERE institution_id = ? AND recommendation_id = ?", f.inst[0].ID, id).Scan(&linkID)
		})
		// Office B cannot decide on Office A's suggestion.
		if resp := f.do("POST", "/recommendations/"+id+"/links/decide", tokB, url.Values{"csrf": {csrfB}, "link": {linkID}, "decision": {"confirm"}}, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("other institution's decision: %d", resp.StatusCode)
		}
		resp = f.do("POST", "/recommendations/"+id+"/links/decide", tok, url.Values{"csrf": {csrf}, "link": {linkID}, "decision": {"reject"}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reject: %d %s", resp.StatusCode, recBody(t, resp))
		}
		page = recBody(t, f.do("GET", "/recommendations/"+id, tok, nil, nil))
		if strings.Contains(page, `value="confirm"`) || !strings.Contains(page, "Rejected suggestions: 6.1 (rule 13)") {
			t.Fatalf("after the rejection:\n%s", page)
		}
		// Running again suggests nothing new; the rejection stands.
		resp = f.do("POST", "/recommendations/rules/run", tok, url.Values{"csrf": {csrf}}, nil)
		if page := recBody(t, f.do("GET", resp.Header.Get("Location"), tok, nil, nil)); !strings.Contains(page, "made 0 new suggestions") {
			t.Fatalf("second run:\n%s", page)
		}
		var n int
		d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action IN ('recommendation.risklink.suggest', 'recommendation.risklink.reject')", f.inst[0].ID).Scan(&n)
		})
		if n != 3 {
			t.Errorf("%d audit entries for two runs and a rejection", n)
		}
	})
}

func TestRecommendationReminderRecipients(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		admin, csrf := f.session(f.users[0][access.Administrator])
		analyst, csrfA := f.session(f.users[0][access.Analyst])
		if resp := f.do("GET", "/recommendations/reminders", analyst, nil, nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("analyst: %d", resp.StatusCode)
		}
		if resp := f.do("POST", "/recommendations/reminders", analyst, url.Values{"csrf": {csrfA}, "user": {f.users[0][access.Analyst].ID}, "email": {"a@x.example"}}, nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("analyst adds: %d", resp.StatusCode)
		}
		// A user of another institution cannot be named.
		if resp := f.do("POST", "/recommendations/reminders", admin, url.Values{"csrf": {csrf}, "user": {f.users[1][access.Analyst].ID}, "email": {"b@x.example"}}, nil); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("other institution's user: %d", resp.StatusCode)
		}
		resp := f.do("POST", "/recommendations/reminders", admin, url.Values{"csrf": {csrf}, "user": {f.users[0][access.Analyst].ID}, "email": {"followup@nhri.example"}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d %s", resp.StatusCode, recBody(t, resp))
		}
		page := recBody(t, f.do("GET", "/recommendations/reminders", admin, nil, nil))
		if !strings.Contains(page, "followup@nhri.example") || !strings.Contains(page, "No SMTP server is configured") {
			t.Fatalf("page:\n%s", page)
		}
		if resp := f.do("POST", "/recommendations/reminders/remove", admin, url.Values{"csrf": {csrf}, "user": {f.users[0][access.Analyst].ID}}, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", resp.StatusCode)
		}
		if page := recBody(t, f.do("GET", "/recommendations/reminders", admin, nil, nil)); strings.Contains(page, "followup@nhri.example") {
			t.Fatal("still listed after removal")
		}
		var n int
		d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action LIKE 'recommendation.reminders.%'", f.inst[0].ID).Scan(&n)
		})
		if n != 3 { // add, one audited read of the list with an address, remove
			t.Errorf("%d audit entries", n)
		}
	})
}

func TestRecommendationRulesAPI(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newFixture(t, d)
	tok, _ := f.session(f.users[0][access.Viewer])
	resp := f.do("GET", "/api/v1/recommendations/rules", tok, nil, nil)
	var out struct {
		Rules []recommend.Rule `json:"rules"`
	}
	if err := recDecodeJSON(resp, &out); err != nil || resp.StatusCode != 200 || len(out.Rules) != len(recommend.Rules) || out.Rules[0].Indicator != "7.14" {
		t.Fatalf("rules API: %d %v %+v", resp.StatusCode, err, out.Rules[:min(1, len(out.Rules))])
	}
}
