package e2e

import (
	"strings"
	"testing"

	"vigil/browsertest"
)

// TestHomeAndNavigation opens the public start page, follows its link to
// sign in, and checks both pages, in English and in Arabic (right to left).
func TestHomeAndNavigation(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	if st := b.Navigate(a.URL + "/"); st != 200 {
		t.Fatalf("home: %d", st)
	}
	if got := b.Text("h1"); got != "Vigil" {
		t.Fatalf("home heading %q", got)
	}
	browsertest.CheckA11y(t, b)
	if st := b.ClickLoad("main a.button"); st != 200 {
		t.Fatalf("follow sign-in link: %d", st)
	}
	if !strings.HasSuffix(b.Location(), "/login") || !b.Exists("#username") {
		t.Fatalf("link led to %s", b.Location())
	}
	browsertest.CheckA11y(t, b)

	b.Navigate(a.URL + "/?lang=ar")
	if dir := browsertest.Eval[string](b, "document.documentElement.dir"); dir != "rtl" {
		t.Fatalf("Arabic page dir = %q", dir)
	}
	if lang := browsertest.Eval[string](b, "document.documentElement.lang"); lang != "ar" {
		t.Fatalf("Arabic page lang = %q", lang)
	}
	browsertest.CheckA11y(t, b)
}

// TestSignInSignOutAndRefusal signs in as a viewer, walks the menu, is
// refused the administration page, signs out, and finds the dashboard closed.
func TestSignInSignOutAndRefusal(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)

	// A wrong password keeps the visitor out with a message.
	b.Navigate(a.URL + "/login")
	b.SetValue("#username", "viewer")
	b.SetValue("#password", "not the right password")
	if st := b.Submit("form[action='/login']"); st != 401 {
		t.Fatalf("wrong password: status %d", st)
	}
	if !strings.Contains(b.Text("p.error"), "not right") {
		t.Fatalf("no error message: %q", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)

	signIn(t, b, a, "viewer")
	if !strings.Contains(b.Text("header"), "viewer") {
		t.Fatal("header does not say who is signed in")
	}
	browsertest.CheckA11y(t, b)
	// The menu offers only what a viewer may open.
	if b.Exists("nav a[href='/admin/users']") || b.Exists("nav a[href='/audit']") {
		t.Fatal("viewer's menu offers administration or the audit trail")
	}
	if st := b.ClickLoad("nav a[href='/persons']"); st != 200 {
		t.Fatalf("persons: %d", st)
	}
	browsertest.CheckA11y(t, b)

	// Typing the address of a refused page gives a clear 403 page.
	if st := b.Navigate(a.URL + "/admin/users"); st != 403 {
		t.Fatalf("viewer opened administration: %d", st)
	}
	if !strings.Contains(b.Text("main"), "role does not allow") {
		t.Fatalf("refusal page says %q", b.Text("main"))
	}
	browsertest.CheckA11y(t, b)

	// Sign out; the dashboard then sends to the sign-in page.
	b.Navigate(a.URL + "/dashboard")
	b.ClickLoad("form[action='/logout'] button")
	b.Navigate(a.URL + "/dashboard")
	if !strings.Contains(b.Location(), "/login") {
		t.Fatalf("after sign-out the dashboard is at %s", b.Location())
	}
}

// TestAdministratorAddsUserAndReadsAudit: an administrator adds a user
// through the form; the audit trail shows it.
func TestAdministratorAddsUserAndReadsAudit(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "admin")
	b.ClickLoad("nav a[href='/admin/users']")
	browsertest.CheckA11y(t, b)
	b.SetValue("#nu-username", "hana.field")
	b.SetValue("#nu-name", "Hana Field")
	b.SetValue("#nu-role", "documenter")
	b.SetValue("#nu-pw", "a sufficiently long passphrase")
	if st := b.Submit("form[action='/admin/users']"); st != 200 {
		t.Fatalf("add user: %d", st)
	}
	if !strings.Contains(b.Text("p.notice"), "hana.field") || !strings.Contains(b.Text("table"), "Hana Field") {
		t.Fatal("new user not listed")
	}
	b.ClickLoad("nav a[href='/audit']")
	browsertest.CheckA11y(t, b)
	if !strings.Contains(b.Text("table"), "user.create") {
		t.Fatal("audit trail does not show the creation")
	}
}

// TestDocumenterRecordsConfidentialPerson records a victim and opens the record.
func TestDocumenterRecordsConfidentialPerson(t *testing.T) {
	a := startApp(t)
	b := browsertest.New(t)
	signIn(t, b, a, "documenter")
	b.Navigate(a.URL + "/persons/new")
	browsertest.CheckA11y(t, b)
	b.SetValue("#p-pseudonym", "V-777")
	b.SetValue("#p-kind", "victim")
	b.SetValue("#p-name", "Ilse Marrow-Tane")
	if st := b.Submit("form[action='/persons']"); st != 200 {
		t.Fatalf("save person: %d", st)
	}
	if !strings.Contains(b.Text("main"), "Ilse Marrow-Tane") || !strings.Contains(b.Text("h1"), "confidential") {
		t.Fatal("person page does not show the saved, confidential record")
	}
	browsertest.CheckA11y(t, b)
}
