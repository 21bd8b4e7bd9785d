// Package browsertest drives a headless Chromium from Go tests, so that user
// journeys and accessibility can be checked against the real HTML, CSS and
// JavaScript that Vigil serves.
//
// A test calls New to get a Browser with its own tab, then uses the helpers
// (Navigate, Click, SetValue, Submit, Text, ...) that fail the test on error,
// so that a journey reads as a list of steps. CheckA11y runs axe-core on the
// current page. The raw chromedp context is there for anything else.
//
// Chromium comes from VIGIL_CHROMIUM, or /usr/bin/chromium as Debian installs
// it, and axe-core from the file named by VIGIL_AXE_JS. scripts/test.sh sets
// both. When one is missing, the test skips on a developer machine, but fails
// when CI is set or VIGIL_REQUIRE_BROWSER=1, so that CI never goes green by
// running nothing.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// DefaultTimeout bounds each helper call. It is generous because a loaded CI
// machine with two cores can take seconds to render a page.
const DefaultTimeout = 15 * time.Second

// startTimeout bounds the start of Chromium. chromedp has no limit of its own
// when it talks to the browser over a pipe, so a browser that hangs at start
// would otherwise hold the test until go test's own ten-minute timeout.
const startTimeout = 60 * time.Second

// Browser is one tab of a headless Chromium, bound to one test. Its helpers
// call t.Fatal on error. Use it from the test's own goroutine, and use For to
// hand it to a subtest.
type Browser struct {
	t       testing.TB
	ctx     context.Context
	timeout time.Duration
}

// New opens a tab in a headless Chromium and closes it when the test ends.
// Without Main in TestMain, each call starts its own browser process (about
// half a second); with Main, the tests of the package share one process and
// each gets a fresh browser context, so cookies and storage never leak from
// one test to the next.
//
// When no Chromium is found, New skips the test, or fails it when
// RequireBrowser reports true.
func New(t testing.TB) *Browser {
	t.Helper()
	path, err := execPath()
	if err != nil {
		missing(t, err.Error())
	}

	var ctx context.Context
	if sharedMode {
		parent, err := sharedBrowser(path)
		if err != nil {
			t.Fatalf("browsertest: start shared Chromium %s: %v", path, err)
		}
		var cancel context.CancelFunc
		ctx, cancel = chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := startTab(ctx, cancel); err != nil {
			t.Fatalf("browsertest: open tab: %v", err)
		}
	} else {
		var err error
		var stop func()
		ctx, stop, err = startBrowser(path)
		if err != nil {
			t.Fatalf("browsertest: start Chromium %s: %v", path, err)
		}
		t.Cleanup(stop)
	}

	b := &Browser{t: t, ctx: ctx, timeout: DefaultTimeout}
	// Registered after the close above, so it runs first (cleanups run last
	// in, first out) while the page is still there to capture.
	t.Cleanup(b.saveArtifacts)
	return b
}

// For returns a Browser on the same tab that reports to t. Helpers must fail
// the test that is running them, so a subtest that continues a journey needs
// its own handle.
func (b *Browser) For(t testing.TB) *Browser {
	c := *b
	c.t = t
	return &c
}

// SetTimeout changes how long each later helper call may take.
func (b *Browser) SetTimeout(d time.Duration) { b.timeout = d }

// Context returns the chromedp context of the tab, for chromedp actions the
// helpers do not cover. It has no deadline; add one per call.
func (b *Browser) Context() context.Context { return b.ctx }

// RequireBrowser reports whether missing browser tools must fail tests rather
// than skip them: when CI is set (as CI services do) or VIGIL_REQUIRE_BROWSER=1.
func RequireBrowser() bool {
	return truthy(os.Getenv("CI")) || truthy(os.Getenv("VIGIL_REQUIRE_BROWSER"))
}

func truthy(v string) bool {
	return v != "" && v != "0" && v != "false"
}

// missing skips or fails the test because a tool is absent.
func missing(t testing.TB, why string) {
	t.Helper()
	if RequireBrowser() {
		t.Fatalf("browsertest: %s (required because CI or VIGIL_REQUIRE_BROWSER is set; run ./scripts/test.sh, which installs it)", why)
	}
	t.Skipf("browsertest: %s; skipping (./scripts/test.sh installs it)", why)
}

// execPath finds Chromium: VIGIL_CHROMIUM when set, which must then exist,
// otherwise Debian's /usr/bin/chromium or a chromium on PATH.
func execPath() (string, error) {
	if p := os.Getenv("VIGIL_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("VIGIL_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", errors.New("no Chromium found (apt-get install chromium, or set VIGIL_CHROMIUM)")
}

func allocatorOptions(path string) []chromedp.ExecAllocatorOption {
	// The defaults already run headless. chromedp also gives every browser
	// its own temporary user data directory and removes it, killing leftover
	// child processes first; a t.TempDir here would race with those children
	// and fail the test on removal.
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.DisableGPU,
		// Tests run as root in CI, and Chromium refuses to sandbox as root.
		chromedp.NoSandbox,
		// A desktop-sized window, so layouts match what staff see rather
		// than the 800x600 headless default.
		chromedp.WindowSize(1280, 900),
	)
}

// startBrowser starts a browser process with one tab and returns the tab's
// context and a func that closes the browser and waits for it to exit.
func startBrowser(path string) (context.Context, func(), error) {
	actx, acancel := chromedp.NewExecAllocator(context.Background(), allocatorOptions(path)...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := startTab(ctx, acancel); err != nil {
		cancel()
		acancel()
		return nil, nil, err
	}
	stop := func() {
		// A graceful close first, so Chromium can flush and exit on its own;
		// the allocator's cancel then waits for the process and removes the
		// user data directory.
		cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
		chromedp.Cancel(cctx)
		ccancel()
		cancel()
		acancel()
	}
	return ctx, stop, nil
}

// startTab runs the first action on ctx, which starts the browser or opens the
// tab. chromedp ties the browser's life to the context of this first call, so
// it must have no deadline; the watchdog calls abort instead if the start
// hangs.
func startTab(ctx context.Context, abort func()) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(startTimeout):
		abort()
		<-done
		return fmt.Errorf("no answer within %s", startTimeout)
	}
}

// Shared-browser mode, switched on by Main.
var (
	sharedMode bool
	shared     struct {
		sync.Mutex
		ctx  context.Context
		stop func()
		err  error
	}
)

// Main runs the tests of a package with one shared Chromium process, which
// saves the start-up cost of a browser per test. Call it from TestMain:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
//
// The browser starts with the first New and stops after the last test.
func Main(m *testing.M) {
	sharedMode = true
	code := m.Run()
	shared.Lock()
	if shared.stop != nil {
		shared.stop()
	}
	shared.Unlock()
	os.Exit(code)
}

func sharedBrowser(path string) (context.Context, error) {
	shared.Lock()
	defer shared.Unlock()
	// A failed start is remembered so that every later test reports it at
	// once instead of waiting for its own attempt.
	if shared.ctx == nil && shared.err == nil {
		shared.ctx, shared.stop, shared.err = startBrowser(path)
	}
	return shared.ctx, shared.err
}

// do runs actions with the per-call timeout.
func (b *Browser) do(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// run runs one action with the per-call timeout and returns its value.
// Just after a navigation chromedp may still hold node ids of the page
// before ("No node with given id found"); asking again resolves the selector
// in the new document, so run retries that error a few times.
func run[T any](b *Browser, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	for i := 0; i < 3 && err != nil && strings.Contains(err.Error(), "No node with given id"); i++ {
		time.Sleep(100 * time.Millisecond)
		v, err = chromedp.Run(ctx, a)
	}
	return v, err
}

// fail reports a helper's error, naming the page it happened on, which is
// usually the first thing one needs to understand a failed journey step.
func (b *Browser) fail(step string, err error) {
	b.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s: %w", b.timeout, err)
	}
	b.t.Fatalf("browsertest: %s on %s: %v", step, b.location(), err)
}

// Do runs chromedp actions in order, for steps the helpers do not cover.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := b.do(actions...); err != nil {
		b.fail("Do", err)
	}
}

// Run runs one chromedp action and returns its value, failing the test on
// error. It is a function because Go methods cannot have type parameters.
func Run[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := run(b, a)
	if err != nil {
		b.fail("Run", err)
	}
	return v
}

// Navigate loads url, waits for the page's load event and returns the HTTP
// status of the document (0 for pages without one, like about:blank). An HTTP
// error status is not a failure, so tests can assert on 403 and 404 pages.
func (b *Browser) Navigate(url string) int {
	b.t.Helper()
	return b.loadBy("Navigate("+url+")", chromedp.Navigate(url))
}

// loadBy runs actions that load a new page, waits for it and returns its
// HTTP status.
func (b *Browser) loadBy(step string, actions ...chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.fail(step+", waiting for a page load,", err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Click clicks the first element matching the CSS selector, once it is
// visible. It does not wait for anything the click starts; use ClickLoad for
// links and buttons that load a new page, or WaitVisible for content that
// scripts add.
func (b *Browser) Click(css string) {
	b.t.Helper()
	if err := b.do(chromedp.Click(chromedp.CSS(css))); err != nil {
		b.fail("Click("+css+")", err)
	}
}

// ClickLoad clicks the first element matching the CSS selector and waits for
// the page the click loads. It returns the HTTP status of that page.
func (b *Browser) ClickLoad(css string) int {
	b.t.Helper()
	return b.loadBy("ClickLoad("+css+")", chromedp.Click(chromedp.CSS(css)))
}

// SetValue sets the value of a form field directly, without key events.
// It is fast and exact; use SendKeys when scripts react to typing.
func (b *Browser) SetValue(css, value string) {
	b.t.Helper()
	if err := b.do(chromedp.SetValue(chromedp.CSS(css), value)); err != nil {
		b.fail("SetValue("+css+")", err)
	}
}

// SendKeys types text into the first element matching the CSS selector, as
// key events, after the field's current content. "\n" presses Enter.
func (b *Browser) SendKeys(css, text string) {
	b.t.Helper()
	if err := b.do(chromedp.SendKeys(chromedp.CSS(css), text)); err != nil {
		b.fail("SendKeys("+css+")", err)
	}
}

// submitJS submits the form of the element like a user would, with
// requestSubmit: unlike chromedp.Submit's form.submit(), it runs the browser's
// validation and the page's submit handlers, and sends the name and value of
// the button when the element is one.
const submitJS = `(() => {
	const el = document.querySelector(%s);
	const form = el instanceof HTMLFormElement ? el : el.form;
	if (!form) throw new Error("element is not in a form");
	if (el !== form && (el.type === "submit" || el.type === "image")) form.requestSubmit(el);
	else form.requestSubmit();
})()`

// Submit submits the form that the CSS selector matches, or the form of the
// field or button it matches, and waits for the page that loads. It returns
// that page's HTTP status. A form that fails browser validation loads no page,
// so Submit then fails after the timeout.
func (b *Browser) Submit(css string) int {
	b.t.Helper()
	return b.loadBy("Submit("+css+")",
		chromedp.WaitReady(chromedp.CSS(css)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(submitJS, jsString(css))),
	)
}

// Text returns the visible text (innerText) of the first element matching the
// CSS selector, waiting for the element to exist.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	s, err := run(b, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.fail("Text("+css+")", err)
	}
	return s
}

// Value returns the value of the first form field matching the CSS selector.
func (b *Browser) Value(css string) string {
	b.t.Helper()
	s, err := run(b, chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		b.fail("Value("+css+")", err)
	}
	return s
}

// Exists reports whether an element matches the CSS selector now. Unlike the
// other helpers it does not wait, so it can assert that something is absent.
func (b *Browser) Exists(css string) bool {
	b.t.Helper()
	ok, err := run(b, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%s) !== null", jsString(css))))
	if err != nil {
		b.fail("Exists("+css+")", err)
	}
	return ok
}

// WaitVisible waits until an element matching the CSS selector is visible.
func (b *Browser) WaitVisible(css string) {
	b.t.Helper()
	if err := b.do(chromedp.WaitVisible(chromedp.CSS(css))); err != nil {
		b.fail("WaitVisible("+css+")", err)
	}
}

// WaitGone waits until no element matches the CSS selector.
func (b *Browser) WaitGone(css string) {
	b.t.Helper()
	if err := b.do(chromedp.WaitNotPresent(chromedp.CSS(css))); err != nil {
		b.fail("WaitGone("+css+")", err)
	}
}

// Eval evaluates a JavaScript expression in the page and returns its value,
// decoded from JSON into T. A promise is awaited, so async code works too.
// Use chromedp.Void as T for an expression whose value does not matter.
func Eval[T any](b *Browser, js string) T {
	b.t.Helper()
	v, err := run(b, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("Eval", err)
	}
	return v
}

// Location returns the URL of the current page.
func (b *Browser) Location() string {
	b.t.Helper()
	u, err := run(b, chromedp.Location())
	if err != nil {
		b.fail("Location", err)
	}
	return u
}

// Title returns the title of the current page.
func (b *Browser) Title() string {
	b.t.Helper()
	s, err := run(b, chromedp.Title())
	if err != nil {
		b.fail("Title", err)
	}
	return s
}

// Screenshot saves a PNG of the whole page, beyond the viewport, to path,
// creating its directory.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	png, err := run(b, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.MkdirAll(filepath.Dir(path), 0o755)
	}
	if err == nil {
		err = os.WriteFile(path, png, 0o644)
	}
	if err != nil {
		b.fail("Screenshot("+path+")", err)
	}
}

// location is Location for error messages: it never fails the test.
func (b *Browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown page)"
	}
	return u
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// saveArtifacts keeps a screenshot and the HTML of the page of a failed test
// in VIGIL_BROWSER_ARTIFACTS, when set, because a CI log alone rarely shows
// why a journey broke.
func (b *Browser) saveArtifacts() {
	dir := os.Getenv("VIGIL_BROWSER_ARTIFACTS")
	if dir == "" || !b.t.Failed() || b.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	base := filepath.Join(dir, unsafeName.ReplaceAllString(b.t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("browsertest: artifacts: %v", err)
		return
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(base+".png", png, 0o644)
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.outerHTML")); err == nil {
		os.WriteFile(base+".html", []byte(html), 0o644)
	}
	b.t.Logf("browsertest: saved %s.png and .html", base)
}

// jsString quotes s as a JavaScript string literal; JSON strings are valid
// JavaScript.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
