package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A11yTags are the axe-core rule tags CheckA11y runs: WCAG 2.0 and 2.1 at
// levels A and AA, the level public bodies are generally held to.
var A11yTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// ErrNoAxe is returned by Violations when VIGIL_AXE_JS is not set.
var ErrNoAxe = errors.New("VIGIL_AXE_JS is not set to the path of axe.min.js")

// Violation is one axe-core rule that the page breaks, with the elements
// that break it.
type Violation struct {
	ID      string          `json:"id"`     // rule id, such as "image-alt"
	Impact  string          `json:"impact"` // minor, moderate, serious or critical
	Help    string          `json:"help"`
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	// Target holds CSS selectors for the element; more than one when it is
	// inside iframes or shadow roots, outermost first.
	Target         []string `json:"target"`
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// A11yOption narrows an accessibility check.
type A11yOption func(*a11yConfig)

type a11yConfig struct {
	Exclude []string        `json:"exclude"`
	Rules   map[string]bool `json:"rules"` // rule id -> enabled
}

// Exclude leaves out the parts of the page that match the CSS selectors, for
// content the project does not control.
func Exclude(css ...string) A11yOption {
	return func(c *a11yConfig) { c.Exclude = append(c.Exclude, css...) }
}

// SkipRules turns axe-core rules off by id. Say why next to each use: a
// skipped rule hides every later breach of it on that page.
func SkipRules(ids ...string) A11yOption {
	return func(c *a11yConfig) {
		for _, id := range ids {
			c.Rules[id] = false
		}
	}
}

// axeRunJS runs axe-core on the page with the WCAG tags and returns the
// violations in the shape of Violation. Targets of elements inside frames or
// shadow roots are nested arrays in axe; they are flattened to strings here.
const axeRunJS = `(async () => {
	const cfg = %s, tags = %s;
	const rules = {};
	for (const [id, on] of Object.entries(cfg.rules)) rules[id] = {enabled: on};
	const context = cfg.exclude.length ? {exclude: cfg.exclude.map(s => [s])} : document;
	const res = await axe.run(context, {runOnly: {type: "tag", values: tags}, rules, resultTypes: ["violations"]});
	return res.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({
			target: n.target.map(t => Array.isArray(t) ? t.join(" >>> ") : String(t)),
			html: n.html, failureSummary: n.failureSummary || "",
		})),
	}));
})()`

// Violations runs axe-core on the current page and returns the WCAG 2.1 A and
// AA violations, or ErrNoAxe when VIGIL_AXE_JS is not set. Most tests want
// CheckA11y; this is for tests that inspect the findings themselves.
func (b *Browser) Violations(opts ...A11yOption) ([]Violation, error) {
	cfg := a11yConfig{Exclude: []string{}, Rules: map[string]bool{}}
	for _, o := range opts {
		o(&cfg)
	}
	path := os.Getenv("VIGIL_AXE_JS")
	if path == "" {
		return nil, ErrNoAxe
	}

	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	// Each page load starts without axe, so inject it on every check, but
	// only once per page: a second copy would reset its state for nothing.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read axe-core (VIGIL_AXE_JS): %w", err)
		}
		// Runtime.evaluate runs as DevTools does, outside the page's
		// Content-Security-Policy, so strict pages can be checked as served.
		// The trailing void 0 keeps the protocol from serialising whatever
		// the bundle's last statement happens to return.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(src)+"\n;void 0")); err != nil {
			return nil, fmt.Errorf("inject axe-core from %s: %w", path, err)
		}
	}

	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	tagsJSON, err := json.Marshal(A11yTags)
	if err != nil {
		return nil, err
	}
	js := fmt.Sprintf(axeRunJS, cfgJSON, tagsJSON)
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	return v, nil
}

// maxTargets is how many elements CheckA11y lists per rule; the rest are
// counted, since one broken template often repeats a breach many times.
const maxTargets = 3

// CheckA11y runs axe-core on the current page of b and fails t with every
// WCAG 2.1 A/AA violation found. Without VIGIL_AXE_JS it logs and returns on
// a developer machine, and fails when RequireBrowser reports true.
func CheckA11y(t testing.TB, b *Browser, opts ...A11yOption) {
	t.Helper()
	vs, err := b.Violations(opts...)
	if errors.Is(err, ErrNoAxe) {
		if RequireBrowser() {
			t.Fatalf("browsertest: accessibility check required, but %v (run ./scripts/test.sh, which installs it)", err)
		}
		t.Logf("browsertest: accessibility check not run: %v", err)
		return
	}
	if err != nil {
		t.Fatalf("browsertest: accessibility check on %s: %v", b.location(), err)
	}
	if len(vs) > 0 {
		t.Errorf("%s", FormatViolations(b.location(), vs))
	}
}

// FormatViolations describes violations for a test failure message.
func FormatViolations(page string, vs []Violation) string {
	var s strings.Builder
	fmt.Fprintf(&s, "accessibility: %d WCAG 2.1 A/AA rule(s) broken on %s:", len(vs), page)
	for _, v := range vs {
		fmt.Fprintf(&s, "\n  %s (%s): %s\n    %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for i, n := range v.Nodes {
			if i == maxTargets {
				fmt.Fprintf(&s, "\n      ... and %d more", len(v.Nodes)-maxTargets)
				break
			}
			fmt.Fprintf(&s, "\n      %s", strings.Join(n.Target, " "))
		}
	}
	return s.String()
}
