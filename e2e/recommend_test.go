package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vigil/browsertest"
	"vigil/db"
)

// TestRecommendationsJourney: an analyst searches the recommendations
// tracker (stemmed words), narrows by a facet, opens a recommendation,
// records the institution's independent assessment, and exports the
// matrix by theme, which carries the assessment. Every page is checked
// with axe-core.
func TestRecommendationsJourney(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "analyst")

	if st := b.ClickLoad("nav a[href='/recommendations']"); st != 200 {
		t.Fatalf("recommendations: %d", st)
	}
	browsertest.CheckA11y(t, b)

	// "incite" finds "incitement" and "inciting" through the stemmer.
	b.SetValue("#rec-q", "minorities OR incitement")
	if st := b.Submit("form[role='search']"); st != 200 {
		t.Fatalf("search: %d", st)
	}
	if got := b.Text("#rec-total"); got != "2" {
		t.Fatalf("search found %s, want 2: %s", got, b.Text("main"))
	}
	browsertest.CheckA11y(t, b)

	// Filter by the response facet.
	if st := b.ClickLoad(".rec-facet a[href*='response=supported']"); st != 200 {
		t.Fatalf("facet: %d", st)
	}
	if got := b.Text("#rec-total"); got != "1" {
		t.Fatalf("after the facet %s results, want 1", got)
	}
	if st := b.ClickLoad(".rec-results td a[href^='/recommendations/']"); st != 200 {
		t.Fatalf("open: %d", st)
	}
	if !strings.Contains(b.Text("main"), "Rabat Plan of Action") || !strings.Contains(b.Text("main"), "Government's account") {
		t.Fatalf("recommendation page: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)

	count := func() int {
		var n int
		err := a.DB.Read(context.Background(), a.Demo.InstitutionID, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = 'recommendation.assessment.create'
			AND detail = 'source=nhri status=partially'`, a.Demo.InstitutionID).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()

	// Record the independent assessment.
	b.SetValue("#as-status", "partially")
	b.SetValue("#as-evidence", "Bill tabled on 3 June; no prosecutions yet (e2e).")
	if st := b.Submit("#assessment-form"); st != 200 {
		t.Fatalf("assessment: %d", st)
	}
	if !strings.Contains(b.Text("p.notice"), "Saved") || !strings.Contains(b.Text("main"), "no prosecutions yet (e2e)") {
		t.Fatalf("after saving: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
	if n := count(); n != before+1 {
		t.Fatalf("audit entries for the assessment: %d, want %d", n, before+1)
	}

	// Export the matrix for the search and read it as the browser downloads it.
	b.Navigate(a.URL + "/recommendations?q=incitement")
	if !b.Exists("a[href^='/recommendations/matrix.csv?']") || !b.Exists("a[href^='/recommendations/matrix.xlsx?']") {
		t.Fatal("no export links")
	}
	csv, err := chromedp.Run(b.Context(), chromedp.Evaluate[string](
		`fetch(document.querySelector("a[href^='/recommendations/matrix.csv?']").href).then(r => r.ok ? r.text() : "HTTP " + r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv, "Cluster (theme)") || !strings.Contains(csv, "Minorities") || !strings.Contains(csv, "no prosecutions yet (e2e)") {
		t.Fatalf("matrix CSV:\n%s", csv)
	}
	if st := b.ClickLoad("a[href='/recommendations/board']"); st != 200 || !b.Exists("svg.chart") {
		t.Fatalf("board: %d", st)
	}
	browsertest.CheckA11y(t, b)
}

// TestRecommendationRiskSuggestions: an analyst reads the suggestion rules,
// runs them, opens a recommendation that has a suggested link to a risk
// indicator with the reason it was made, and confirms it; the confirmation
// is audited. Pages are checked with axe-core.
func TestRecommendationRiskSuggestions(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "analyst")

	if st := b.Navigate(a.URL + "/recommendations/rules"); st != 200 {
		t.Fatalf("rules: %d", st)
	}
	if !b.Exists("#rule-7") {
		t.Fatalf("rules page: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
	if st := b.Submit("form[action='/recommendations/rules/run']"); st != 200 {
		t.Fatalf("run: %d", st)
	}
	if !strings.Contains(b.Text("p.notice"), "new suggestions") {
		t.Fatalf("after the run: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)

	b.Navigate(a.URL + "/recommendations?q=Oravia")
	if st := b.ClickLoad(".rec-results td a[href^='/recommendations/']"); st != 200 {
		t.Fatalf("open: %d", st)
	}
	if !strings.Contains(b.Text(".rec-suggestions"), "suggested because") {
		t.Fatalf("no suggestion shown: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
	count := func() int {
		var n int
		if err := a.DB.Read(context.Background(), a.Demo.InstitutionID, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = 'recommendation.risklink.confirm'`,
				a.Demo.InstitutionID).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	if st := b.ClickLoad(".rec-suggestions button[value='confirm']"); st != 200 {
		t.Fatalf("confirm: %d", st)
	}
	if !strings.Contains(b.Text("p.notice"), "Saved") || !strings.Contains(b.Text(".rec-links"), "first suggested by") {
		t.Fatalf("after confirming: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
	if n := count(); n != before+1 {
		t.Fatalf("audit entries for the confirmation: %d, want %d", n, before+1)
	}
}

// TestRecommendationReminders: the administrator names a recipient of
// e-mail reminders; the page passes axe-core.
func TestRecommendationReminders(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "admin")
	if st := b.Navigate(a.URL + "/recommendations/board"); st != 200 {
		t.Fatalf("board: %d", st)
	}
	if st := b.ClickLoad("a[href='/recommendations/reminders']"); st != 200 {
		t.Fatalf("reminders: %d", st)
	}
	browsertest.CheckA11y(t, b)
	b.SetValue("#rm-email", "followup-e2e@nhrc.example")
	if st := b.Submit("form[action='/recommendations/reminders']"); st != 200 {
		t.Fatalf("add: %d", st)
	}
	if !strings.Contains(b.Text("main"), "followup-e2e@nhrc.example") {
		t.Fatalf("after adding: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
}
