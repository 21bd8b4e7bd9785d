package e2e

import (
	"context"
	"strings"
	"testing"

	"vigil/browsertest"
	"vigil/db"
)

// TestTreatyConfirmOptionalProcedure: an analyst opens Vangoria's treaty
// profile, sees that CAT art. 22 is only suggested by the declaration's
// text, reads the text on the confirmation page, confirms the acceptance,
// and finds the profile and the gap list updated and the confirmation in
// the audit trail. Every page is checked with axe-core.
func TestTreatyConfirmOptionalProcedure(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "analyst")

	if st := b.ClickLoad("nav a[href='/treaties']"); st != 200 {
		t.Fatalf("treaties: %d", st)
	}
	browsertest.CheckA11y(t, b)
	if st := b.Submit("form[action='/treaties/state']"); st != 200 {
		t.Fatalf("profile: %d", st)
	}
	// The demo store holds one State's participation: the comparison says
	// so instead of drawing a chart of one.
	if !strings.Contains(b.Text("h1"), "XVG") || !strings.Contains(b.Text("#comparison + p"), "too few for a comparison") {
		t.Fatalf("profile of %q: %q", b.Text("h1"), b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
	if st := b.ClickLoad("a[href='/treaties/gaps?state=XVG']"); st != 200 {
		t.Fatalf("gaps: %d", st)
	}
	if !strings.Contains(b.Text("main"), "CAT art. 22: individual communications: the declaration's text suggests it was accepted; confirm it") {
		t.Fatalf("gap list lacks the unconfirmed CAT art. 22: %s", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)

	if st := b.Navigate(a.URL + "/treaties/confirm?state=XVG"); st != 200 {
		t.Fatalf("confirm page: %d", st)
	}
	if !strings.Contains(b.Text("main"), "recognizes the competence of the Committee against Torture") {
		t.Fatal("the declaration's text is not shown")
	}
	browsertest.CheckA11y(t, b)
	btn := "button[data-procedure='cat.art22']"
	if !b.Exists(btn) {
		t.Fatal("no suggestion to confirm for CAT art. 22")
	}
	if st := b.Submit(btn); st != 200 {
		t.Fatalf("confirm: %d", st)
	}
	if !strings.Contains(b.Text("p.notice"), "confirmation was saved") {
		t.Fatalf("no notice after confirming: %q", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)
	b.Navigate(a.URL + "/treaties/gaps?state=XVG")
	if strings.Contains(b.Text("main"), "CAT art. 22: individual communications: the declaration's text suggests it was accepted; confirm it") {
		t.Fatal("the confirmed acceptance is still listed as a gap")
	}
	b.Navigate(a.URL + "/treaties/instrument?id=cat_op")
	if !b.Exists("svg.chart") {
		t.Fatal("instrument page without its chart")
	}
	browsertest.CheckA11y(t, b)

	var n int
	err := a.DB.Read(context.Background(), a.Demo.InstitutionID, func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = 'treaty.acceptance.confirm'
			AND detail LIKE '%cat.art22%'`, a.Demo.InstitutionID).Scan(&n)
	})
	if err != nil || n != 1 {
		t.Fatalf("audit entries for the confirmation: %d (%v)", n, err)
	}
}
