// Package report renders Vigil's publications from assessment data: the
// annual report on atrocity-crime risks and the two-page briefing note, as
// self-contained HTML (html/template, styles inline, charts as SVG drawn in
// Go) and as PDF through headless Chromium. It decides what an edition may
// contain (the public edition nothing above public sensitivity; the
// confidential edition everything, watermarked) and how the report reads in
// each language, including right-to-left Arabic. Fetching the data belongs to
// the domain packages (risk); serving the files to web and cmd/vigil.
package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"

	"vigil/risk"
	"vigil/sensitivity"
)

//go:embed templates/*.html templates/*.css
var files embed.FS

// Editions of a report.
const (
	Public       = "public"
	Confidential = "confidential"
)

// Options say which report to make.
type Options struct {
	Edition     string // Public or Confidential
	Lang        string // en, fr, es, ar
	Institution string // name of the publishing institution
	Generated   time.Time
	// Links are the records of other parts tied to the indicators
	// (risk.LoadLinks), loaded at the edition's level; Build removes any
	// above it again.
	Links risk.LinkSet
}

// Level is the most sensitive level an edition may contain.
func Level(edition string) (sensitivity.Level, error) {
	switch edition {
	case Public, "":
		return sensitivity.Public, nil
	case Confidential:
		return sensitivity.Confidential, nil
	}
	return 0, fmt.Errorf("unknown edition %q: want public or confidential", edition)
}

// Data is what the templates receive.
type Data struct {
	Opt          Options
	Lang, Dir    string
	Confidential bool
	A            risk.Assessment
	Roll         risk.Rollup
	Prev         *risk.Assessment
	Changes      []risk.Change
	Heat         template.HTML
	Profile      template.HTML
	Unchecked    int
	TrUnchecked  int // wordings and titles shown as translations no one has checked
	HighFactors  []risk.FactorLevel
	Rose, Fell   []risk.Change
	Inhibitors   []risk.Item
	Triggers     []risk.Item
	Recs         []risk.Item
	RuleFactor   string
	RuleCrime    string
	Links        risk.LinkSet
	LinkedRecs   []risk.RecWithIndicators // recommendations of human rights mechanisms tied to the indicators
	// RecCounts counts LinkedRecs by the State's response (keys "resp.*")
	// and by the institution's latest assessment (keys "impl.*"), for the
	// briefing note; only non-zero counts, in a fixed order.
	RecCounts []KeyCount
}

// KeyCount is a count with the message key that names it.
type KeyCount struct {
	Key string
	N   int
}

// LinksOf returns the records tied to indicator number in this edition.
func (d Data) LinksOf(number string) risk.Links { return d.Links.Of(number) }

// Notable picks the indicators a factor's findings discuss: rated moderate
// or high, newly present or worse, backed by a source, or tied to
// documented acts, recommendations or treaty gaps. The rest are in Annex A,
// so the report stays readable.
func (d Data) Notable(r risk.Rating) bool {
	return r.Rating == risk.Moderate || r.Rating == risk.High || r.Direction == "worse" || r.Direction == "new" || len(r.Evidence) > 0 ||
		!d.Links.Of(r.Number).Empty()
}

// Build prepares the data of a report on assessment a (loaded with full
// clearance), with history (one assessment per earlier period, oldest first,
// for the heat map) and prev (the previous period, or nil). Everything above
// the edition's level is removed here, before any template sees it.
func Build(a risk.Assessment, history []risk.Assessment, prev *risk.Assessment, opt Options) (Data, error) {
	lvl, err := Level(opt.Edition)
	if err != nil {
		return Data{}, err
	}
	if opt.Edition == "" {
		opt.Edition = Public
	}
	if _, ok := Languages[opt.Lang]; !ok {
		opt.Lang = "en"
	}
	if opt.Generated.IsZero() {
		opt.Generated = time.Now()
	}
	a = a.Redact(lvl).Localize(opt.Lang)
	links := opt.Links.Redact(lvl)
	opt.Links = nil
	d := Data{Opt: opt, Lang: opt.Lang, Dir: Languages[opt.Lang], Confidential: opt.Edition == Confidential, A: a, Roll: risk.Roll(a),
		RuleFactor: ruleText(opt.Lang, 0), RuleCrime: ruleText(opt.Lang, 1), Links: links}
	d.LinkedRecs = links.Recommendations(links.Numbers(a))
	counts := map[string]int{}
	for _, r := range d.LinkedRecs {
		counts["resp."+r.Response]++
		if r.NHRIStatus != "" {
			counts["impl."+r.NHRIStatus]++
		}
	}
	for _, k := range []string{"resp.supported", "resp.supported_in_part", "resp.noted", "resp.pending", "resp.pledge", "impl.fully", "impl.partially", "impl.not_implemented", "impl.unknown"} {
		if counts[k] > 0 {
			d.RecCounts = append(d.RecCounts, KeyCount{k, counts[k]})
		}
	}
	if prev != nil {
		p := prev.Redact(lvl).Localize(opt.Lang)
		d.Prev = &p
		d.Changes = risk.Compare(p, a)
		for _, c := range d.Changes {
			if c.Delta > 0 {
				d.Rose = append(d.Rose, c)
			} else if c.Delta < 0 {
				d.Fell = append(d.Fell, c)
			}
		}
	}
	for _, r := range a.Ratings {
		if !r.Checked {
			d.Unchecked++
		}
		if r.WordingUnchecked {
			d.TrUnchecked++
		}
	}
	for _, f := range d.Roll.Factors {
		if f.TitleUnchecked {
			d.TrUnchecked++
		}
	}
	for _, f := range d.Roll.Factors {
		if f.Level.Level == risk.High {
			d.HighFactors = append(d.HighFactors, f)
		}
	}
	d.Inhibitors, d.Triggers, d.Recs = a.ItemsOf("inhibitor"), a.ItemsOf("trigger"), a.ItemsOf("recommendation")
	sort.SliceStable(d.Triggers, func(i, j int) bool { return d.Triggers[i].Date < d.Triggers[j].Date })
	var cols []risk.HeatColumn
	for _, h := range history {
		if h.Period < a.Period {
			cols = append(cols, risk.HeatColumnOf(h))
		}
	}
	cols = append(cols, risk.HeatColumnOf(a))
	labels := risk.HeatLabels{Title: tr(opt.Lang, "heat.title"), Level: func(l string) string { return tr(opt.Lang, "level."+l) },
		Factor: func(n int, t string) string { return isolate(opt.Lang, fmt.Sprintf("%d. %s", n, t)) }}
	d.Heat = template.HTML(risk.HeatMapSVG("heat", d.Roll.Factors, cols, labels))
	d.Profile = template.HTML(profileSVG(d.Roll.Factors, opt.Lang))
	return d, nil
}

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"t": tr,
	"css": func() template.CSS {
		b, _ := files.ReadFile("templates/report.css")
		return template.CSS(b)
	},
	"date": func(s string) string {
		if len(s) >= 10 {
			return s[:10]
		}
		return s
	},
	"paras": func(s string) []string {
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
	"upper": strings.ToUpper,
	"first": func(n int, items []risk.Item) []risk.Item {
		if len(items) > n {
			return items[:n]
		}
		return items
	},
	"counts": func(lang string, f risk.FactorLevel) string {
		sep := ", "
		if lang == "ar" {
			sep = "، "
		}
		return f.CountsIn(func(r string) string { return tr(lang, "level."+r) }, sep)
	},
	"ratingsOf": func(f risk.FactorLevel) []risk.Rating { return f.Ratings },
	"assessed":  func(r risk.Rating) bool { return r.Rating != risk.NotAssessed },
	"firstActs": func(n int, l []risk.ActLink) []risk.ActLink {
		if len(l) > n {
			return l[:n]
		}
		return l
	},
	"sub":  func(a, b int) int { return a - b },
	"join": strings.Join,
	"gen":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
}).ParseFS(files, "templates/*.html"))

// Annual writes the annual report as one HTML document.
func Annual(w io.Writer, d Data) error { return pages.ExecuteTemplate(w, "annual.html", d) }

// Briefing writes the briefing note (two printed pages) as one HTML document.
func Briefing(w io.Writer, d Data) error { return pages.ExecuteTemplate(w, "briefing.html", d) }

// Render writes kind ("annual" or "briefing") as HTML.
func Render(w io.Writer, kind string, d Data) error {
	switch kind {
	case "annual", "":
		return Annual(w, d)
	case "briefing":
		return Briefing(w, d)
	}
	return fmt.Errorf("unknown report %q: want annual or briefing", kind)
}

// HTML renders kind to bytes.
func HTML(kind string, d Data) ([]byte, error) {
	var b bytes.Buffer
	err := Render(&b, kind, d)
	return b.Bytes(), err
}

// profileSVG draws one horizontal bar per risk factor, its length the level.
func profileSVG(factors []risk.FactorLevel, lang string) string {
	const labelW, barW, rowH, top = 320, 240, 20, 6
	h := top + rowH*len(factors) + 26
	w := labelW + barW + 110
	rtl := Languages[lang] == "rtl"
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="profile" direction="ltr" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="profile-t">`, w, h, w, h)
	fmt.Fprintf(&b, `<title id="profile-t">%s</title>`, esc(tr(lang, "profile.title")))
	steps := map[string]int{risk.NotAssessed: 0, risk.NotPresent: 0, risk.Low: 1, risk.Moderate: 2, risk.High: 3}
	fill := map[string]string{risk.Low: "#c9a400", risk.Moderate: "#d9822b", risk.High: "#b3261e"}
	for i, f := range factors {
		y := top + rowH*i
		label := isolate(lang, fmt.Sprintf("%d. %s", f.Number, f.Title))
		if len([]rune(label)) > 50 {
			label = string([]rune(label)[:49]) + "…"
		}
		lx, anchor, bx := 4, "start", labelW
		if rtl {
			lx, anchor, bx = w-4, "end", 110
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#222222" text-anchor="%s">%s</text>`, lx, y+14, anchor, esc(label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="14" fill="#eeeeee"/>`, bx, y+3, barW)
		lv := f.Level.Level
		if n := steps[lv]; n > 0 {
			bw := barW * n / 3
			x := bx
			if rtl {
				x = bx + barW - bw
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="14" fill="%s"/>`, x, y+3, bw, fill[lv])
		}
		tx, tanchor := bx+barW+6, "start"
		if rtl {
			tx, tanchor = bx-6, "end"
		}
		name := tr(lang, "level."+lv)
		if f.Overridden {
			name += " *"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#222222" text-anchor="%s">%s</text>`, tx, y+14, tanchor, esc(name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// IsolateLabel is isolate for the charts of web pages.
func IsolateLabel(lang, s string) string { return isolate(lang, s) }

// isolate wraps a chart label written in a right-to-left script in a
// right-to-left isolate when the report is right to left, so that a
// translated factor title reads in its own order inside the chart (whose own
// direction is fixed left to right); other labels are left as they are.
func isolate(lang, s string) string {
	if Languages[lang] != "rtl" {
		return s
	}
	for _, r := range s {
		if unicode.In(r, unicode.Arabic, unicode.Hebrew) {
			return "\u2067" + s + "\u2069"
		}
	}
	return s
}
