package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"
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

// An Arabic report shows the Arabic wording the assessment holds, and the
// English wording marked lang="en" (isolated) where there is none.
func TestArabicWordingAndFallback(t *testing.T) {
	prev, cur := sample()
	const arWording = "خطاب يحرض على العنف ضد جماعة محمية"
	const arTitle = "عوامل محددة لجريمة الإبادة الجماعية"
	var fallback string
	for i := range cur.Ratings {
		r := &cur.Ratings[i]
		switch r.Number {
		case "9.3":
			r.WordingTr = risk.Translations{"ar": {Text: arWording}}
		case "9.4":
			fallback = r.Wording
		}
		if r.FactorNumber == 9 {
			r.FactorTr = risk.Translations{"ar": {Text: arTitle, CheckedBy: "u", CheckedAt: "2026-11-01T00:00:00Z"}}
		}
		if r.FactorNumber == 10 {
			r.FactorTr = risk.Translations{"ar": {Text: "عنوان لم يراجع"}}
		}
	}
	d, err := Build(cur, []risk.Assessment{prev}, &prev, Options{Edition: Public, Lang: "ar", Institution: "Office"})
	if err != nil {
		t.Fatal(err)
	}
	html, err := HTML("annual", d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	if !strings.Contains(s, `<bdi>`+arWording+`</bdi> <span class="unchecked">(`+tr("ar", "tr.unchecked")+`)</span>`) {
		t.Error("the stored Arabic wording is not shown, or not marked as an unchecked translation")
	}
	if !strings.Contains(s, `<bdi lang="en">`+template.HTMLEscapeString(fallback)+`</bdi>`) {
		t.Errorf("indicator 9.4 without a translation should show its English wording marked lang=en")
	}
	if !strings.Contains(s, `9. <bdi>`+arTitle+`</bdi>`) || strings.Contains(s, `<bdi>`+arTitle+`</bdi> <span class="unchecked">`) {
		t.Error("the checked Arabic factor title is not shown as checked")
	}
	if !strings.Contains(s, `<bdi>عنوان لم يراجع</bdi> <span class="unchecked">(`+tr("ar", "tr.unchecked")+`)</span>`) || !strings.Contains(s, tr("ar", "method.tr.unchecked")) {
		t.Error("an unchecked translated factor title is not marked, or the method section does not count it")
	}
	if !strings.Contains(s, `<bdi lang="en">`+template.HTMLEscapeString(cur.Ratings[0].FactorTitle)+`</bdi>`) {
		t.Error("factor 1 has no Arabic title: its English title should be marked lang=en")
	}
	// English report: no marks.
	d, _ = Build(cur, nil, nil, Options{Edition: Public, Lang: "en"})
	html, _ = HTML("annual", d)
	if bytes.Contains(html, []byte(arWording)) || bytes.Contains(html, []byte(`lang="en">`)) {
		t.Error("the English report should show the English wording without lang marks")
	}
}

// Records linked to indicators reach an edition only at its level: a
// confidential act and a confidential recommendation never reach the public
// edition, even when the caller passes links loaded at a higher level.
func TestLinkedRecordsByEdition(t *testing.T) {
	prev, cur := sample()
	links := risk.LinkSet{
		"9.3": {
			Acts: []risk.ActLink{{ActID: "a1", EventTitle: "Radio broadcast in Oravia", Date: "2026-04-12", Type: "incitement", Sensitivity: sensitivity.Public},
				{ActID: "a2", EventTitle: "Meeting " + secret, Date: "2026-05-01", Type: "incitement", Sensitivity: sensitivity.Confidential}},
			Recs: []risk.RecLink{{ID: "r1", Mechanism: "upr", Body: "Human Rights Council", Symbol: "A/HRC/00/0", Paragraph: "120.14", Text: "Prosecute incitement to hatred",
				Response: "supported", Sensitivity: sensitivity.Public, NHRIStatus: "partially", NHRIDate: "2026-02-01", NHRISensitivity: sensitivity.Public},
				{ID: "r2", Mechanism: "nhri", Body: "Commission", Text: "Protect the witness " + secret, Response: "pending", Sensitivity: sensitivity.Confidential}},
			Gaps: []risk.GapLink{{Kind: "not_ratified", Label: "Genocide Convention: not ratified", Level: sensitivity.Public}},
		},
	}
	for _, kind := range []string{"annual", "briefing"} {
		d, err := Build(cur, []risk.Assessment{prev}, &prev, Options{Edition: Public, Lang: "en", Institution: "Office", Links: links})
		if err != nil {
			t.Fatal(err)
		}
		html, _ := HTML(kind, d)
		if bytes.Contains(html, []byte(secret)) {
			t.Errorf("%s public edition contains a confidential linked record", kind)
		}
		if kind == "annual" {
			for _, want := range []string{"Radio broadcast in Oravia", "A/HRC/00/0 ¶ 120.14", "Prosecute incitement to hatred", "partly implemented", "Genocide Convention: not ratified", "Documented acts in the period: 1"} {
				if !bytes.Contains(html, []byte(template.HTMLEscapeString(want))) {
					t.Errorf("public annual report lacks %q", want)
				}
			}
		}
	}
	d, _ := Build(cur, []risk.Assessment{prev}, &prev, Options{Edition: Confidential, Lang: "en", Institution: "Office", Links: links})
	html, _ := HTML("annual", d)
	if !bytes.Contains(html, []byte("Meeting "+secret)) || !bytes.Contains(html, []byte("Protect the witness "+secret)) {
		t.Error("the confidential edition should show the confidential act and recommendation")
	}
}
