package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vigil/browsertest"
)

// TestRecordIncidentWithVictimAndEvidence: a documenter records an
// incident, adds an act, names a confidential victim in it and uploads a
// photograph; the page shows the victim's pseudonym and the file's SHA-256,
// and the file's chain of custody starts with its receipt.
func TestRecordIncidentWithVictimAndEvidence(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "documenter")

	if st := b.ClickLoad("nav a[href='/incidents']"); st != 200 {
		t.Fatalf("incidents: %d", st)
	}
	browsertest.CheckA11y(t, b)
	if st := b.ClickLoad("a[href='/incidents/new']"); st != 200 {
		t.Fatalf("form: %d", st)
	}
	browsertest.CheckA11y(t, b)
	b.SetValue("#e-title", "Beating of detainees at Brennet station")
	b.SetValue("#e-start", "2026-10-20")
	b.SetValue("#e-violence", "one_sided")
	b.SetValue("#e-region", "Brennet")
	b.SetValue("#e-country", "XVG")
	b.SetValue("#e-level", "internal")
	if st := b.Submit("form[action='/incidents']"); st != 200 {
		t.Fatalf("save: %d", st)
	}
	if !strings.Contains(b.Text("p.notice"), "recorded") {
		t.Fatalf("no notice: %q", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
	b.SetValue("#a-type", "ill_treatment")
	b.SetValue("#a-victims", "3")
	b.SetValue("#a-ind", "RF2.1")
	if st := b.Submit("#a-type"); st != 200 {
		t.Fatalf("act: %d", st)
	}
	v := browsertest.Eval[string](b, `[...document.querySelectorAll('#i-who option')].find(o => o.text.startsWith('V-001')).value`)
	b.SetValue("#i-who", v)
	b.SetValue("#i-role", "victim")
	if st := b.Submit("#i-who"); st != 200 {
		t.Fatalf("involvement: %d", st)
	}
	if !strings.Contains(b.Text(".inc-act"), "victim: V-001") {
		t.Fatalf("the act does not name the victim: %q", b.Text(".inc-act"))
	}
	photo := filepath.Join(t.TempDir(), "station.jpg")
	os.WriteFile(photo, []byte("not really a jpeg, but bytes all the same"), 0o600)
	b.Do(chromedp.SetUploadFiles(chromedp.CSS("#v-file"), []string{photo}))
	b.SetValue("#v-desc", "Photograph of the cell, taken by a lawyer")
	if st := b.Submit("#v-file"); st != 200 {
		t.Fatalf("evidence: %d", st)
	}
	if !strings.Contains(b.Text("main"), "station.jpg") || !b.Exists("code.inc-hash") {
		t.Fatalf("the file is not listed with its hash: %q", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
	if st := b.ClickLoad("a[href$='/evidence']"); st != 200 {
		t.Fatalf("custody page: %d", st)
	}
	if !strings.Contains(b.Text("main"), "received") {
		t.Fatalf("the chain of custody lacks the receipt: %q", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
}

// TestFollowCaseToReparation: a documenter takes the demo's overdue petition
// of the displaced families through investigation, trial and judgement to a
// delivered rehabilitation, then the dashboard no longer counts it overdue.
func TestFollowCaseToReparation(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "documenter")
	if st := b.ClickLoad("nav a[href='/cases']"); st != 200 {
		t.Fatalf("cases: %d", st)
	}
	browsertest.CheckA11y(t, b)
	if !strings.Contains(b.Text("main"), "overdue") {
		t.Fatalf("the dashboard shows no overdue case: %q", b.Text("main"))
	}
	href := browsertest.Eval[string](b, `[...document.querySelectorAll('a')].find(a => a.text === 'Petition of the displaced families').getAttribute('href')`)
	if st := b.Navigate(a.URL + href); st != 200 {
		t.Fatalf("case: %d", st)
	}
	browsertest.CheckA11y(t, b)
	for _, st := range []struct{ stage, date, outcome string }{
		{"investigation", "2026-09-01", "open"}, {"trial", "2026-10-01", "open"}, {"judgement", "2026-10-20", "convicted"},
	} {
		b.SetValue("#st-stage", st.stage)
		b.SetValue("#st-date", st.date)
		b.SetValue("#st-out", st.outcome)
		if code := b.Submit("#st-stage"); code != 200 {
			t.Fatalf("step %s: %d", st.stage, code)
		}
	}
	b.SetValue("#r-form", "rehabilitation")
	b.SetValue("#r-status", "delivered")
	b.SetValue("#r-date", "2026-11-01")
	if code := b.Submit("#r-form"); code != 200 {
		t.Fatalf("reparation: %d", code)
	}
	main := b.Text("main")
	if !strings.Contains(main, "rehabilitation") || !strings.Contains(main, "convicted") || strings.Contains(b.Text("dl.facts"), "overdue") {
		t.Fatalf("case after reparation: %q", main)
	}
	browsertest.CheckA11y(t, b)

	// The timeline shows the demo's alert, and the unit pages their record.
	if st := b.Navigate(a.URL + "/incidents/timeline"); st != 200 {
		t.Fatalf("timeline: %d", st)
	}
	if alerts := b.Text("tbody"); !strings.Contains(alerts, "Oravia") || !strings.Contains(alerts, "2026-10") {
		t.Errorf("the first table (alerts) shows no alert for Oravia in 2026-10: %q", alerts)
	}
	browsertest.CheckA11y(t, b)
	if st := b.ClickLoad("nav a[href='/units']"); st != 200 {
		t.Fatalf("units: %d", st)
	}
	browsertest.CheckA11y(t, b)
	href = browsertest.Eval[string](b, `[...document.querySelectorAll('a')].find(a => a.text === '3rd Rapid Intervention Company').getAttribute('href')`)
	if st := b.Navigate(a.URL + href); st != 200 {
		t.Fatalf("unit: %d", st)
	}
	if !strings.Contains(b.Text("main"), "National Police of Vangoria") {
		t.Errorf("the unit page lacks its superior: %q", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
}

// TestViewerAndPartnerNeverSeeConfidentialPerson: the victim V-001 of the
// market-protest arrests is confidential; the viewer sees the incident but
// not the victim, the partner sees neither, and neither finds the person.
func TestViewerAndPartnerNeverSeeConfidentialPerson(t *testing.T) {
	a := startApp(t)
	var eventURL string
	{
		b := browsertest.New(t)
		signIn(t, b, a, "documenter")
		b.Navigate(a.URL + "/incidents?q=market+protest")
		eventURL = browsertest.Eval[string](b, `[...document.querySelectorAll('a')].find(a => a.text.startsWith('Arrests after the March')).getAttribute('href')`)
		b.Navigate(a.URL + eventURL)
		if !strings.Contains(b.Text("main"), "V-001") {
			t.Fatal("the documenter does not see the victim: the test would prove nothing")
		}
	}
	for _, user := range []string{"viewer", "partner"} {
		b := browsertest.New(t)
		signIn(t, b, a, user)
		st := b.Navigate(a.URL + eventURL)
		page := b.Text("body")
		if strings.Contains(page, "V-001") || strings.Contains(page, "Mirela") {
			t.Errorf("%s sees the confidential victim", user)
		}
		if user == "partner" && st != 404 {
			t.Errorf("partner opens an internal incident: %d", st)
		}
		if user == "viewer" && st != 200 {
			t.Errorf("viewer cannot open the incident: %d", st)
		}
		browsertest.CheckA11y(t, b)
		b.Navigate(a.URL + "/persons")
		if strings.Contains(b.Text("main"), "V-001") {
			t.Errorf("%s finds V-001 in the persons list", user)
		}
		b.Navigate(a.URL + "/api/v1/incidents?q=market")
		if strings.Contains(b.Text("body"), "V-001") {
			t.Errorf("%s finds V-001 through the API", user)
		}
	}
}

// TestEditAndWithdrawIncident: a documenter records an incident, corrects
// its title through the edit form, then withdraws it with a reason; the
// page keeps the record, marks it and offers no further changes.
func TestEditAndWithdrawIncident(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "documenter")
	if st := b.Navigate(a.URL + "/incidents/new"); st != 200 {
		t.Fatalf("form: %d", st)
	}
	b.SetValue("#e-title", "Shots fired at the Talmer checkpoint")
	b.SetValue("#e-start", "2026-09-14")
	b.SetValue("#e-region", "Talmer")
	b.SetValue("#e-level", "internal")
	if st := b.Submit("form[action='/incidents']"); st != 200 {
		t.Fatalf("save: %d", st)
	}
	if st := b.ClickLoad("a[href$='/edit']"); st != 200 {
		t.Fatalf("edit form: %d", st)
	}
	browsertest.CheckA11y(t, b)
	b.SetValue("#e-title", "Shots fired at the Talmer bridge checkpoint")
	b.SetValue("#e-status", "monitoring")
	if st := b.Submit("#e-title"); st != 200 {
		t.Fatalf("save the edit: %d", st)
	}
	if !strings.Contains(b.Text("p.notice"), "changes were saved") || !strings.Contains(b.Text("h1"), "Talmer bridge") {
		t.Fatalf("edit not shown: %q", b.Text("main"))
	}
	b.SetValue("#w-reason", "Recorded twice; the other record stays.")
	if st := b.Submit("#w-reason"); st != 200 {
		t.Fatalf("withdraw: %d", st)
	}
	if !strings.Contains(b.Text(".inc-withdrawn"), "Recorded twice") || b.Exists("#w-reason") || b.Exists("a[href$='/edit']") {
		t.Fatalf("the withdrawn record is not marked, or still offers changes: %q", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
}
