package e2e

import (
	"strings"
	"testing"

	"vigil/browsertest"
)

// TestForecastCountryPage: a viewer opens the statistical forecast from the
// menu, sees the demo's fictional run labelled as such, opens Vangoria and
// finds the risk and rank, the trend chart with its table, the shift
// analysis, the institution's assessment beside it and the printed
// disagreement rule; both pages pass axe-core. A partner is refused.
func TestForecastCountryPage(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "viewer")

	if st := b.ClickLoad("nav a[href='/forecast']"); st != 200 {
		t.Fatalf("forecast list: %d", st)
	}
	main := b.Text("main")
	for _, want := range []string{"Fictional run for the demo State", "internal checking only", "Vangoria (fictional)", "demo-logit"} {
		if !strings.Contains(main, want) {
			t.Fatalf("list lacks %q: %s", want, main)
		}
	}
	browsertest.CheckA11y(t, b)

	if st := b.ClickLoad("a[href='/forecast/XVG']"); st != 200 {
		t.Fatalf("country page: %d", st)
	}
	main = b.Text("main")
	for _, want := range []string{"Fictional run for the demo State", "of 8", "Where the numbers and the analysts disagree", "Rule:",
		"What drives the score", "battle deaths in armed conflict", "Our Framework of Analysis assessment", "Atrocity-risk assessment of Vangoria, 2026",
		"Risk and rank by year scored"} {
		if !strings.Contains(main, want) {
			t.Fatalf("country page lacks %q: %s", want, main)
		}
	}
	if !b.Exists("figure svg.forecast-chart") || !b.Exists("table.forecast-shifts") {
		t.Fatal("country page lacks the trend chart or the shift table")
	}
	browsertest.CheckA11y(t, b)

	// A viewer is not offered the run form; an analyst is, and it passes axe.
	if b.Exists("a[href='/forecast/run']") {
		t.Fatal("a viewer is offered to run the forecast")
	}
	an := browsertest.New(t)
	signIn(t, an, a, "analyst")
	an.Navigate(a.URL + "/forecast")
	if st := an.ClickLoad("a[href='/forecast/run']"); st != 200 {
		t.Fatalf("run form: %d", st)
	}
	if !an.Exists("input#fr-data[type='file']") {
		t.Fatal("run form lacks the file input")
	}
	browsertest.CheckA11y(t, an)

	p := browsertest.New(t)
	signIn(t, p, a, "partner")
	if st := p.Navigate(a.URL + "/forecast/XVG"); st != 403 {
		t.Fatalf("partner opened the forecast: %d", st)
	}
}
