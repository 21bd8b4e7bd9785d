package e2e

import (
	"context"
	"strings"
	"testing"

	"vigil/browsertest"
	"vigil/db"
)

// TestEngagementRecordAndReport: an analyst records a briefing with a
// partner and a link to a risk factor, moves it to done with an outcome,
// finds it on the partner's history and in the month's calendar, and
// exports the activity report to the Special Adviser's office, which holds
// it under cooperation with external partners. Every page is checked with
// axe-core.
func TestEngagementRecordAndReport(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "analyst")

	if st := b.ClickLoad("nav a[href='/engagement']"); st != 200 {
		t.Fatalf("engagement: %d", st)
	}
	if !strings.Contains(b.Text("main"), "Proposal for a parliamentary committee on atrocity prevention") {
		t.Fatal("the demo year's activities are not listed")
	}
	browsertest.CheckA11y(t, b)

	if st := b.ClickLoad("a[href='/engagement/activities/new']"); st != 200 {
		t.Fatalf("form: %d", st)
	}
	browsertest.CheckA11y(t, b)
	const title = "Briefing to the Senate defence committee on security-force oversight"
	b.SetValue("#a-title", title)
	b.SetValue("#a-kind", "briefing")
	b.SetValue("#a-start", "2026-11-20")
	b.SetValue("#a-status", "planned")
	b.SetValue("#a-summary", "Findings on the Rapid Intervention Companies and a request for an oversight hearing.")
	b.SetValue("#a-links", "risk_factor: RF8")
	b.SetValue("#a-level", "partners")
	// The first partner box: the demo's standing committee sorts among the first.
	b.Click("fieldset.choices input[type=checkbox]")
	if st := b.Submit("form[action='/engagement/activities']"); st != 200 {
		t.Fatalf("create: %d: %s", st, b.Text("main"))
	}
	if !strings.Contains(b.Text("h1"), title) {
		t.Fatalf("after saving: %q", b.Text("h1"))
	}
	browsertest.CheckA11y(t, b)
	b.SetValue("#s-status", "done")
	b.SetValue("#s-outcome", "The committee scheduled a hearing for January.")
	if st := b.Submit("form[action$='/status']"); st != 200 {
		t.Fatalf("status: %d", st)
	}
	if !strings.Contains(b.Text("p.notice"), "Status saved") || !strings.Contains(b.Text("main"), "scheduled a hearing") {
		t.Fatalf("status not shown: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)

	// Correct what was recorded: the edit form keeps the status.
	if st := b.ClickLoad("a[href$='/edit']"); st != 200 {
		t.Fatalf("edit form: %d", st)
	}
	browsertest.CheckA11y(t, b)
	if b.Exists("#a-status") {
		t.Fatal("the edit form offers the status, which moves only through its history")
	}
	b.SetValue("#a-end", "2026-11-21")
	if st := b.Submit("form[action^='/engagement/activities/']"); st != 200 {
		t.Fatalf("edit: %d: %s", st, b.Text("main"))
	}
	if !strings.Contains(b.Text("main"), "2026-11-20 to 2026-11-21") || !strings.Contains(b.Text("main"), "done") {
		t.Fatalf("after the edit: %s", b.Text("main"))
	}

	// The partner's history.
	if st := b.ClickLoad("dl.facts a[href^='/engagement/partners/']"); st != 200 {
		t.Fatalf("partner: %d", st)
	}
	if !strings.Contains(b.Text("main"), title) {
		t.Fatal("the partner's history lacks the new activity")
	}
	browsertest.CheckA11y(t, b)

	// The calendar of November 2026.
	if st := b.Navigate(a.URL + "/engagement/calendar?month=2026-11"); st != 200 {
		t.Fatalf("calendar: %d", st)
	}
	if !strings.Contains(b.Text("table.calendar"), title) {
		t.Fatal("the calendar lacks the new activity")
	}
	browsertest.CheckA11y(t, b)

	// The report page, then the exported document.
	if st := b.ClickLoad("nav.subnav a[href='/engagement/report']"); st != 200 {
		t.Fatalf("report: %d", st)
	}
	browsertest.CheckA11y(t, b)
	b.SetValue("#r-from", "2026-01-01")
	b.SetValue("#r-to", "2026-12-31")
	if st := b.Submit("form[action='/engagement/report']"); st != 200 {
		t.Fatalf("report for 2026: %d", st)
	}
	if !strings.Contains(b.Text("main"), title) {
		t.Fatal("the report page lacks the new activity")
	}
	if st := b.Navigate(a.URL + "/engagement/report/export?from=2026-01-01&to=2026-12-31&edition=partners&format=html&download=0"); st != 200 {
		t.Fatalf("export: %d", st)
	}
	ext := b.Text("body")
	if !strings.Contains(ext, "2. Cooperation with external partners") || !strings.Contains(ext, title) || !strings.Contains(ext, "1. Internal matters") {
		t.Fatalf("exported report: %s", ext)
	}
	// Internal and confidential demo records stay out of the partners edition.
	if strings.Contains(ext, "Monitoring of the pre-election period") || strings.Contains(ext, "market protest arrests") {
		t.Fatal("the partners edition holds internal or confidential activities")
	}
	browsertest.CheckA11y(t, b)

	var n int
	err := a.DB.Read(context.Background(), a.Demo.InstitutionID, func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action IN ('activity.create', 'activity.status', 'activity.update') AND actor_name = 'analyst'",
			a.Demo.InstitutionID).Scan(&n)
	})
	if err != nil || n != 3 {
		t.Fatalf("audit entries for the analyst's changes: %d (%v), want 3", n, err)
	}
}

// TestExchangePageAccessible: the administrator's exchange page shows the
// demo bundle, by sender, and passes axe-core.
func TestExchangePageAccessible(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "admin")
	if st := b.Navigate(a.URL + "/engagement/exchange"); st != 200 {
		t.Fatalf("exchange: %d", st)
	}
	if !strings.Contains(b.Text("main"), "From Ombudsperson of Ostland (demo)") {
		t.Fatal("the demo bundle is not shown by sender")
	}
	browsertest.CheckA11y(t, b)
}
