package bench

import (
	"context"
	"path/filepath"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/demo"
	"vigil/fieldcrypt"
	"vigil/report"
	"vigil/risk"
	"vigil/sensitivity"
)

// demoReport seeds the demo into a fresh SQLite store and returns what the
// annual report of XVG 2026 is built from.
func demoReport(b *testing.B) (*db.DB, string) {
	b.Helper()
	access.UseTestHashCost()
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "vigil.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	info, err := demo.Seed(ctx, d, fieldcrypt.Ephemeral(), &audit.Log{})
	if err != nil {
		b.Fatal(err)
	}
	return d, info.InstitutionID
}

// annualHTML loads the demo assessment with its history and previous
// period, and renders the annual report: what `vigil report annual --format
// html` and the report page do after opening the store.
func annualHTML(b *testing.B, d *db.DB, inst, lang, edition string) []byte {
	ctx := context.Background()
	var data report.Data
	err := d.Read(ctx, inst, func(tx *db.Tx) error {
		a, err := risk.Find(ctx, tx, inst, "XVG", "2026", sensitivity.Confidential)
		if err != nil {
			return err
		}
		hist, err := risk.History(ctx, tx, inst, "XVG", "2026", sensitivity.Confidential)
		if err != nil {
			return err
		}
		prev, err := risk.Previous(ctx, tx, inst, a, sensitivity.Confidential)
		if err != nil {
			return err
		}
		lvl, err := report.Level(edition)
		if err != nil {
			return err
		}
		links, err := risk.LoadLinks(ctx, tx, inst, a, lvl)
		if err != nil {
			return err
		}
		data, err = report.Build(a, hist, &prev, report.Options{Edition: edition, Lang: lang, Institution: "demo", Links: links})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	html, err := report.HTML("annual", data)
	if err != nil {
		b.Fatal(err)
	}
	return html
}

// BenchmarkAnnualReportHTML: load and render the demo annual report (target
// under 300 ms).
func BenchmarkAnnualReportHTML(b *testing.B) {
	d, inst := demoReport(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		html := annualHTML(b, d, inst, "en", report.Public)
		b.SetBytes(int64(len(html)))
	}
}

// BenchmarkAnnualReportPDF: load, render and print the demo annual report
// with a Chromium started for each report, as the CLI and the web page do
// (target under 3 s). Skipped without Chromium.
func BenchmarkAnnualReportPDF(b *testing.B) {
	if _, err := report.ChromiumPath(); err != nil {
		b.Skip(err)
	}
	d, inst := demoReport(b)
	for _, lang := range []string{"en", "ar"} {
		b.Run(lang, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				html := annualHTML(b, d, inst, lang, report.Public)
				pdf, err := report.PDF(context.Background(), html)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(pdf)))
			}
		})
	}
}

// BenchmarkChromiumBlankPDF prints a one-line page: the fixed cost of a PDF
// (starting Chromium, loading, printing) without the report's own layout.
func BenchmarkChromiumBlankPDF(b *testing.B) {
	if _, err := report.ChromiumPath(); err != nil {
		b.Skip(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := report.PDF(context.Background(), []byte("<!doctype html><title>x</title><p>x</p>")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnnualReportPDFWarm: the same with the Chromium that `vigil
// serve` keeps running between downloads (report.Printer); the browser is
// started before the timer.
func BenchmarkAnnualReportPDFWarm(b *testing.B) {
	if _, err := report.ChromiumPath(); err != nil {
		b.Skip(err)
	}
	d, inst := demoReport(b)
	var p report.Printer
	defer p.Close()
	if _, err := p.PDF(context.Background(), []byte("<p>warm up</p>")); err != nil {
		b.Fatal(err)
	}
	for _, lang := range []string{"en", "ar"} {
		b.Run(lang, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				html := annualHTML(b, d, inst, lang, report.Public)
				pdf, err := p.PDF(context.Background(), html)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(pdf)))
			}
		})
	}
}

// BenchmarkRiskLoadLinks measures only the look-up of the records linked to
// the demo assessment's indicators (documented acts, confirmed
// recommendations, treaty gaps), which the annual report and the assessment
// page make on every request.
func BenchmarkRiskLoadLinks(b *testing.B) {
	d, inst := demoReport(b)
	ctx := context.Background()
	var a risk.Assessment
	if err := d.Read(ctx, inst, func(tx *db.Tx) error {
		var err error
		a, err = risk.Find(ctx, tx, inst, "XVG", "2026", sensitivity.Confidential)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Read(ctx, inst, func(tx *db.Tx) error {
			_, err := risk.LoadLinks(ctx, tx, inst, a, sensitivity.Confidential)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}
