package e2e

import (
	"strings"
	"testing"

	"vigil/browsertest"
)

// TestIncitementAssessment: an analyst opens the incitement assessments,
// sees the demo's trend chart and list, records a new speech act on the six
// Rabat factors, and lands on the assessment with the conclusion and the
// speaker shown; a viewer does not see the confidential one. Every page is
// checked with axe-core.
func TestIncitementAssessment(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "analyst")

	if st := b.ClickLoad("nav a[href='/incitement']"); st != 200 {
		t.Fatalf("incitement list: %d", st)
	}
	if !b.Exists("figure svg") || !strings.Contains(b.Text("main"), "Radio address, 12 April") {
		t.Fatalf("list lacks the trend chart or the demo assessments: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)

	if st := b.ClickLoad("a[href='/incitement/new']"); st != 200 {
		t.Fatalf("form: %d", st)
	}
	browsertest.CheckA11y(t, b)
	b.SetValue("#i-title", "Sermon broadcast, 3 May")
	b.SetValue("#i-date", "2025-05-03")
	b.SetValue("#i-medium", "television")
	b.SetValue("#i-reach", "250000")
	b.SetValue("#i-target", "the Tesh minority")
	b.SetValue("#i-speaker", "Preacher Ander Voss (test)")
	b.SetValue("#i-text", "Words recorded for the test.")
	for _, f := range []string{"context", "speaker", "content", "extent"} {
		b.SetValue("#l-"+f, "high")
	}
	b.SetValue("#l-intent", "medium")
	b.SetValue("#l-likelihood", "medium")
	b.SetValue("#i-tier", "civil")
	if st := b.Submit("form[action='/incitement']"); st != 200 {
		t.Fatalf("save: %d", st)
	}
	if !strings.Contains(b.Text("h1"), "Sermon broadcast, 3 May") || !strings.Contains(b.Text("main"), "Preacher Ander Voss (test)") ||
		!strings.Contains(b.Text("main"), "Civil or administrative sanction") {
		t.Fatalf("assessment page: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
	assessment := b.Location()

	v := browsertest.New(t)
	signIn(t, v, a, "viewer")
	if st := v.Navigate(assessment); st != 404 {
		t.Fatalf("viewer opened a confidential assessment: %d", st)
	}
}
