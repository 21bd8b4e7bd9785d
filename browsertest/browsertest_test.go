package browsertest

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The harness's own tests share one browser, as journey tests in other
// packages can; TestOwnBrowser covers the browser-per-test mode.
func TestMain(m *testing.M) { Main(m) }

// page wraps body in a small document that passes the WCAG checks by itself:
// language, title, and one main landmark.
func page(title, body string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>` + title +
		`</title></head><body><main>` + body + `</main></body></html>`
}

// site serves the pages the harness tests walk through.
func site(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, s string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, s)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		serve(w, page("Home", `
			<h1>Welcome</h1>
			<p><a id="about" href="/about">About the institution</a></p>
			<form method="post" action="/hello">
				<label for="name">Your name</label>
				<input id="name" name="name" required>
				<button id="send" name="via" value="button">Send</button>
			</form>
			<button id="reveal" type="button" onclick="document.getElementById('later').hidden = false">Show more</button>
			<p id="later" hidden>More text</p>`))
	})
	mux.HandleFunc("GET /about", func(w http.ResponseWriter, r *http.Request) {
		serve(w, page("About", `<h1 id="heading">About us</h1>`))
	})
	mux.HandleFunc("POST /hello", func(w http.ResponseWriter, r *http.Request) {
		serve(w, page("Hello", `<p id="greeting">Hello, `+html.EscapeString(r.FormValue("name"))+
			` (via `+html.EscapeString(r.FormValue("via"))+`)</p>`))
	})
	mux.HandleFunc("GET /cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "secret", Path: "/"})
		serve(w, page("Cookie", `<p>Set</p>`))
	})
	// Two WCAG A breaches: an image without a text alternative and a field
	// without a label. The strict CSP proves axe-core can still be injected
	// into pages that forbid inline and foreign scripts, as Vigil's will.
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'")
		serve(w, page("Broken", `
			<div id="pictures"><img src="/logo.png"></div>
			<form><input id="unlabelled" type="text"></form>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestJourney(t *testing.T) {
	srv := site(t)
	b := New(t)

	if got := b.Navigate(srv.URL + "/"); got != http.StatusOK {
		t.Fatalf("Navigate status = %d, want 200", got)
	}
	if got := b.Title(); got != "Home" {
		t.Errorf("Title = %q, want Home", got)
	}
	if got := b.Text("h1"); got != "Welcome" {
		t.Errorf("Text(h1) = %q, want Welcome", got)
	}
	if !b.Exists("#about") || b.Exists("#nothing") {
		t.Error("Exists does not tell present from absent elements")
	}
	CheckA11y(t, b)

	b.Click("#reveal")
	b.WaitVisible("#later")
	if got := b.Text("#later"); got != "More text" {
		t.Errorf("revealed text = %q", got)
	}

	if got := b.ClickLoad("#about"); got != http.StatusOK {
		t.Errorf("ClickLoad status = %d, want 200", got)
	}
	if got := b.Location(); got != srv.URL+"/about" {
		t.Errorf("Location = %q, want %s/about", got, srv.URL)
	}
	if got := b.Text("#heading"); got != "About us" {
		t.Errorf("heading = %q", got)
	}

	b.Navigate(srv.URL + "/")
	b.SetValue("#name", "Ada")
	b.SendKeys("#name", " Lovelace")
	if got := b.Value("#name"); got != "Ada Lovelace" {
		t.Errorf("Value = %q, want Ada Lovelace", got)
	}
	b.Submit("#send")
	if got := b.Text("#greeting"); got != "Hello, Ada Lovelace (via button)" {
		t.Errorf("greeting = %q", got)
	}

	if got := Eval[int](b, `document.querySelectorAll("p").length`); got != 1 {
		t.Errorf("Eval count = %d, want 1", got)
	}
	if got := Eval[string](b, `Promise.resolve("later")`); got != "later" {
		t.Errorf("Eval promise = %q, want later", got)
	}

	if got := b.Navigate(srv.URL + "/missing"); got != http.StatusNotFound {
		t.Errorf("Navigate to a missing page: status %d, want 404", got)
	}

	shot := filepath.Join(t.TempDir(), "shots", "page.png")
	b.Screenshot(shot)
	png, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("Screenshot did not write a PNG: %v", err)
	}
}

func violationIDs(vs []Violation) []string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids
}

func requireAxe(t *testing.T) {
	t.Helper()
	if os.Getenv("VIGIL_AXE_JS") == "" {
		missing(t, "VIGIL_AXE_JS is not set")
	}
}

func TestViolations(t *testing.T) {
	requireAxe(t)
	srv := site(t)
	b := New(t)
	b.Navigate(srv.URL + "/broken")

	vs, err := b.Violations()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := violationIDs(vs), []string{"image-alt", "label"}; !slices.Equal(got, want) {
		t.Fatalf("violations = %v, want %v\n%s", got, want, FormatViolations("broken", vs))
	}
	for _, v := range vs {
		if v.Impact == "" || v.Help == "" || !strings.HasPrefix(v.HelpURL, "https://") || len(v.Nodes) != 1 {
			t.Errorf("violation %s is missing details: %+v", v.ID, v)
		}
	}
	if got := vs[1].Nodes[0].Target; !slices.Equal(got, []string{"#unlabelled"}) {
		t.Errorf("label target = %v, want [#unlabelled]", got)
	}

	// A second check on the same page must not inject axe-core again or
	// change the findings.
	if again, err := b.Violations(); err != nil || len(again) != 2 {
		t.Errorf("second check: %d violations, %v", len(again), err)
	}

	vs, err = b.Violations(Exclude("#pictures"))
	if err != nil {
		t.Fatal(err)
	}
	if got := violationIDs(vs); !slices.Equal(got, []string{"label"}) {
		t.Errorf("with Exclude(#pictures): %v, want [label]", got)
	}
	vs, err = b.Violations(SkipRules("label"))
	if err != nil {
		t.Fatal(err)
	}
	if got := violationIDs(vs); !slices.Equal(got, []string{"image-alt"}) {
		t.Errorf("with SkipRules(label): %v, want [image-alt]", got)
	}
}

// recorder is a testing.TB that records failures and skips instead of
// acting on them, so tests can check what the harness reports. Like the real
// one, Fatalf and Skipf end the calling goroutine.
type recorder struct {
	testing.TB
	mu      sync.Mutex
	errors  []string
	skipped bool
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped = true
	r.mu.Unlock()
	runtime.Goexit()
}

// inGoroutine runs f on its own goroutine, so that a recorded Fatalf or
// Skipf ends only f.
func inGoroutine(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func TestCheckA11yFails(t *testing.T) {
	requireAxe(t)
	srv := site(t)
	b := New(t)
	b.Navigate(srv.URL + "/broken")

	rec := &recorder{TB: t}
	inGoroutine(func() { CheckA11y(rec, b) })
	if len(rec.errors) != 1 {
		t.Fatalf("CheckA11y reported %d failures, want 1: %q", len(rec.errors), rec.errors)
	}
	msg := rec.errors[0]
	for _, want := range []string{"2 WCAG", "image-alt (critical)", "label (critical)", "#unlabelled", "/broken"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message lacks %q:\n%s", want, msg)
		}
	}
}

func TestMissingTools(t *testing.T) {
	t.Setenv("VIGIL_CHROMIUM", filepath.Join(t.TempDir(), "no-such-chromium"))
	t.Setenv("VIGIL_AXE_JS", "")

	t.Setenv("CI", "")
	t.Setenv("VIGIL_REQUIRE_BROWSER", "")
	rec := &recorder{TB: t}
	inGoroutine(func() { New(rec) })
	if !rec.skipped || len(rec.errors) != 0 {
		t.Errorf("without CI, a missing Chromium should skip: skipped=%v errors=%q", rec.skipped, rec.errors)
	}

	t.Setenv("CI", "true")
	rec = &recorder{TB: t}
	inGoroutine(func() { New(rec) })
	if rec.skipped || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "VIGIL_CHROMIUM") {
		t.Errorf("in CI, a missing Chromium should fail: skipped=%v errors=%q", rec.skipped, rec.errors)
	}

	// CheckA11y reads VIGIL_AXE_JS before it touches the browser, so a
	// Browser with no tab is enough here.
	b := &Browser{t: t}
	t.Setenv("CI", "")
	rec = &recorder{TB: t}
	inGoroutine(func() { CheckA11y(rec, b) })
	if len(rec.errors) != 0 {
		t.Errorf("without CI, a missing axe-core should only log: %q", rec.errors)
	}
	t.Setenv("VIGIL_REQUIRE_BROWSER", "1")
	rec = &recorder{TB: t}
	inGoroutine(func() { CheckA11y(rec, b) })
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "VIGIL_AXE_JS") {
		t.Errorf("with VIGIL_REQUIRE_BROWSER=1, a missing axe-core should fail: %q", rec.errors)
	}
}

// TestIsolation checks that tests sharing the browser do not see each
// other's cookies.
func TestIsolation(t *testing.T) {
	srv := site(t)
	t.Run("first", func(t *testing.T) {
		b := New(t)
		b.Navigate(srv.URL + "/cookie")
		if got := Eval[string](b, "document.cookie"); got != "session=secret" {
			t.Errorf("cookie = %q, want session=secret", got)
		}
	})
	t.Run("second", func(t *testing.T) {
		b := New(t)
		b.Navigate(srv.URL + "/about")
		if got := Eval[string](b, "document.cookie"); got != "" {
			t.Errorf("cookie leaked from the previous test: %q", got)
		}
	})
}

// TestOwnBrowser covers New without Main: a browser process of its own,
// stopped when the test ends.
func TestOwnBrowser(t *testing.T) {
	sharedMode = false
	t.Cleanup(func() { sharedMode = true })
	srv := site(t)
	b := New(t)
	b.Navigate(srv.URL + "/about")
	if got := b.Title(); got != "About" {
		t.Errorf("Title = %q, want About", got)
	}
}
