package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"vigil/risk"
	"vigil/sensitivity"
)

const secret = "CONFIDENTIAL-MARKER-7731"

func sample() (risk.Assessment, risk.Assessment) {
	mk := func(period, rating string) risk.Assessment {
		a := risk.Assessment{ID: "a" + period, Country: "XVG", Period: period, Version: 1, Status: risk.Published, Title: "Assessment " + period,
			Summary: "Public summary paragraph.\n\nSecond paragraph.", Sensitivity: sensitivity.Public, FrameworkLabel: "UN-FOA 2014"}
		for _, f := range risk.Default().Factors {
			for i, w := range f.Wording {
				r := risk.Rating{FactorNumber: f.Number, FactorTitle: f.Title, AppliesTo: f.AppliesTo, Number: fmt.Sprintf("%d.%d", f.Number, i+1),
					Wording: w, Rating: rating, Direction: "same", Confidence: "medium", Rationale: "Public rationale.", Sensitivity: sensitivity.Public}
				if f.Number == 7 && i == 13 {
					r.Rationale, r.Sensitivity = "Told by "+secret, sensitivity.Confidential
					r.Evidence = []risk.Evidence{{Title: "Interview " + secret, Sensitivity: sensitivity.Confidential}, {Title: "Published statement", URL: "https://example.org/s", Sensitivity: sensitivity.Public}}
				}
				a.Ratings = append(a.Ratings, r)
			}
		}
		a.Items = []risk.Item{
			{Kind: "trigger", Title: "General election", Date: "2026-10-04", Sensitivity: sensitivity.Public},
			{Kind: "trigger", Title: "Planned operation " + secret, Date: "2026-07-01", Sensitivity: sensitivity.Confidential},
			{Kind: "recommendation", Title: "Ratify the Rome Statute", Addressee: "Parliament", Sensitivity: sensitivity.Public},
			{Kind: "inhibitor", Title: "Independent courts", Strength: "moderate", Sensitivity: sensitivity.Internal},
		}
		a.Overrides = []risk.Override{{Scope: "factor:8", Level: risk.High, Reason: "Election in October"}}
		return a
	}
	return mk("2025", risk.Low), mk("2026", risk.Moderate)
}

func TestEditions(t *testing.T) {
	prev, cur := sample()
	for _, lang := range []string{"en", "fr", "es", "ar"} {
		for _, kind := range []string{"annual", "briefing"} {
			d, err := Build(cur, []risk.Assessment{prev}, &prev, Options{Edition: Public, Lang: lang, Institution: "Office"})
			if err != nil {
				t.Fatal(err)
			}
			html, err := HTML(kind, d)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, kind, err)
			}
			if bytes.Contains(html, []byte(secret)) {
				t.Errorf("%s %s public edition contains a confidential string", lang, kind)
			}
			if bytes.Contains(html, []byte("Independent courts")) {
				t.Errorf("%s %s public edition contains an internal item", lang, kind)
			}
			if kind == "annual" && (!bytes.Contains(html, []byte("General election")) || !bytes.Contains(html, []byte("Election in October"))) {
				t.Errorf("%s public annual report lacks public content", lang)
			}
			if lang == "ar" && !bytes.Contains(html, []byte(`dir="rtl"`)) {
				t.Error("Arabic report is not right to left")
			}
			d, _ = Build(cur, []risk.Assessment{prev}, &prev, Options{Edition: Confidential, Lang: lang})
			html, _ = HTML(kind, d)
			if !bytes.Contains(html, []byte(secret)) || !bytes.Contains(html, []byte(`class="watermark"`)) {
				t.Errorf("%s %s confidential edition lacks the confidential content or the watermark", lang, kind)
			}
		}
	}
	if _, err := Build(cur, nil, nil, Options{Edition: "everything"}); err == nil {
		t.Error("unknown edition accepted")
	}
}

func TestPDF(t *testing.T) {
	if _, err := ChromiumPath(); err != nil {
		t.Skip("Chromium not installed: PDF not tested (" + err.Error() + ")")
	}
	prev, cur := sample()
	d, _ := Build(cur, []risk.Assessment{prev}, &prev, Options{Edition: Public, Lang: "ar"})
	html, _ := HTML("annual", d)
	pdf, err := PDF(context.Background(), html)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || bytes.Count(pdf, []byte("/Type /Page")) < 3 {
		t.Fatalf("not a multi-page PDF (%d bytes)", len(pdf))
	}
}

func TestNoChromium(t *testing.T) {
	t.Setenv("VIGIL_CHROMIUM", "/nonexistent/chromium")
	if _, err := PDF(context.Background(), []byte("<p>x")); err == nil || errors.Is(err, nil) {
		t.Fatal("PDF without Chromium did not fail")
	}
}

func TestPrinterReusesBrowser(t *testing.T) {
	if _, err := ChromiumPath(); err != nil {
		t.Skip("Chromium not installed: PDF not tested")
	}
	var p Printer
	defer p.Close()
	for i := 0; i < 2; i++ {
		pdf, err := p.PDF(context.Background(), []byte("<!doctype html><title>t</title><p>page</p>"))
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("print %d: %v", i, err)
		}
	}
	first := p.browser
	p.PDF(context.Background(), []byte("<p>again</p>"))
	if p.browser != first {
		t.Error("a second browser was started")
	}
}
