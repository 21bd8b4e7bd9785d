package risk

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
)

const arWording = "نص عربي مخزن للمؤشر"

// A translation is copied into an assessment when it is opened; changing the
// framework (English wording or translation) afterwards leaves the
// assessment's copy as it was.
func TestTranslationsCopiedAndKept(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		in, users := setup(t, d)
		inst, admin := in.ID, users[access.Administrator]
		err := d.Write(ctx, inst, func(tx *db.Tx) error {
			fw, _, err := EnsureDefault(ctx, tx, inst)
			if err != nil {
				return err
			}
			f, err := GetFramework(ctx, tx, inst, fw)
			if err != nil {
				return err
			}
			ind, fac := f.Factors[0].Indicators[0], f.Factors[0]
			what, err := SetTranslation(ctx, tx, inst, fw, admin.ID, TranslationEdit{Kind: "indicator", ID: ind.ID, Lang: "ar", Text: arWording})
			if err != nil || !strings.Contains(what, "added") || strings.Contains(what, arWording) {
				t.Fatalf("SetTranslation: %q %v (the audit description must not carry the text)", what, err)
			}
			if _, err := SetTranslation(ctx, tx, inst, fw, admin.ID, TranslationEdit{Kind: "factor", ID: fac.ID, Lang: "fr", Text: "Conflit armé", Checked: true}); err != nil {
				return err
			}
			if what, _ := SetTranslation(ctx, tx, inst, fw, admin.ID, TranslationEdit{Kind: "factor", ID: fac.ID, Lang: "fr", Text: "Conflit armé", Checked: true}); what != "" {
				t.Errorf("saving the same translation again reported %q", what)
			}
			if _, err := SetTranslation(ctx, tx, inst, fw, admin.ID, TranslationEdit{Kind: "indicator", ID: ind.ID, Lang: "de", Text: "x"}); err == nil {
				t.Error("a language outside TranslationLangs was accepted")
			}
			f, _ = GetFramework(ctx, tx, inst, fw)
			if tr := f.Factors[0].Translations["fr"]; !tr.Checked() || tr.CheckedBy != admin.ID {
				t.Errorf("checked translation lost who checked it: %+v", tr)
			}
			if tr := f.Factors[0].Indicators[0].Translations["ar"]; tr.Text != arWording || tr.Checked() {
				t.Errorf("new translation should be stored unchecked: %+v", tr)
			}
			a, err := Create(ctx, tx, inst, admin.ID, NewAssessment{FrameworkID: fw, Country: "XVG", Period: "2026"})
			if err != nil {
				return err
			}
			// The framework changes after the assessment was opened.
			if _, err := SetTranslation(ctx, tx, inst, fw, admin.ID, TranslationEdit{Kind: "indicator", ID: ind.ID, Lang: "ar", Text: "صياغة جديدة"}); err != nil {
				return err
			}
			if _, err := SetTranslation(ctx, tx, inst, fw, admin.ID, TranslationEdit{Kind: "factor", ID: fac.ID, Lang: "fr", Text: ""}); err != nil {
				return err
			}
			if _, _, err := EditIndicator(ctx, tx, inst, fw, admin.ID, IndicatorEdit{ID: ind.ID, Factor: 1, Number: ind.Number, Wording: "Changed English wording"}); err != nil {
				return err
			}
			got, err := Get(ctx, tx, inst, a.ID, access.Administrator.Clearance())
			if err != nil {
				return err
			}
			r := got.Ratings[0]
			if r.Wording != ind.Wording || r.WordingTr["ar"].Text != arWording || r.FactorTr["fr"].Text != "Conflit armé" {
				t.Errorf("past assessment rewritten: wording %q, ar %q, factor fr %q", r.Wording, r.WordingTr["ar"].Text, r.FactorTr["fr"].Text)
			}
			ar := got.Localize("ar")
			if ar.Ratings[0].Wording != arWording || ar.Ratings[0].WordingLang != "" || !ar.Ratings[0].WordingUnchecked {
				t.Errorf("Arabic wording not used: %+v", ar.Ratings[0])
			}
			if ar.Ratings[1].WordingLang != "en" || ar.Ratings[1].Wording != got.Ratings[1].Wording {
				t.Errorf("missing translation should fall back to English marked en: %+v", ar.Ratings[1])
			}
			fr := got.Localize("fr")
			if fr.Ratings[0].FactorTitle != "Conflit armé" || fr.Ratings[0].FactorLang != "" || fr.Ratings[0].FactorUnchecked {
				t.Errorf("checked French factor title not used: %+v", fr.Ratings[0])
			}
			if roll := Roll(fr); roll.Factors[0].Title != "Conflit armé" || roll.Factors[2].Title != defaultFactorTitles[3][0] || !fr.Ratings[len(fr.Ratings)-1].FactorUnchecked {
				t.Errorf("roll-up does not carry the localized titles (the built-in French titles ship unchecked): %q %q", roll.Factors[0].Title, roll.Factors[2].Title)
			}
			if roll := Roll(got.Localize("de")); roll.Factors[1].TitleLang != "en" || roll.Factors[1].Title != got.Ratings[len(f.Factors[0].Indicators)].FactorTitle {
				t.Errorf("a language without translations should fall back to English marked en: %+v", roll.Factors[1].Title)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// Export writes the translations; importing the file into another store
// gives the same translations with their checked marks; importing an older
// file without the columns changes nothing.
func TestTranslationsCSVRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		in, users := setup(t, d)
		inst, admin := in.ID, users[access.Administrator]
		var exported bytes.Buffer
		err := d.Write(ctx, inst, func(tx *db.Tx) error {
			fw, _, err := EnsureDefault(ctx, tx, inst)
			if err != nil {
				return err
			}
			f, _ := GetFramework(ctx, tx, inst, fw)
			ind := f.Factors[1].Indicators[2]
			for _, e := range []TranslationEdit{
				{Kind: "indicator", ID: ind.ID, Lang: "ar", Text: arWording, Checked: true},
				{Kind: "indicator", ID: ind.ID, Lang: "fr", Text: "Les violations graves restent impunies"},
				{Kind: "factor", ID: f.Factors[1].ID, Lang: "es", Text: "Antecedentes de violaciones graves", Checked: true},
			} {
				if _, err := SetTranslation(ctx, tx, inst, fw, admin.ID, e); err != nil {
					return err
				}
			}
			f, _ = GetFramework(ctx, tx, inst, fw)
			return ExportCSV(&exported, f)
		})
		if err != nil {
			t.Fatal(err)
		}
		head := strings.SplitN(exported.String(), "\n", 2)[0]
		for _, c := range []string{"paraphrase_ar", "paraphrase_ar_check", "risk_factor_name_es", "risk_factor_name_fr_check"} {
			if !strings.Contains(head, c) {
				t.Errorf("export header lacks %s: %s", c, head)
			}
		}
		ff, res, err := ReadCSV(bytes.NewReader(exported.Bytes()), "x.csv")
		if err != nil || len(res.Errors) > 0 {
			t.Fatalf("read back: %v %v", err, res.Errors)
		}
		ind := ff.Factors[1].Indicators[2]
		if ind.Translations["ar"] != (FileTranslation{arWording, true}) || ind.Translations["fr"] != (FileTranslation{"Les violations graves restent impunies", false}) {
			t.Errorf("indicator translations not read back: %+v", ind.Translations)
		}
		if ff.Factors[1].Translations["es"] != (FileTranslation{"Antecedentes de violaciones graves", true}) {
			t.Errorf("factor translation not read back: %+v", ff.Factors[1].Translations)
		}
		// Into a second institution: the same translations and marks.
		var other access.Institution
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			var err error
			other, err = access.CreateInstitution(ctx, tx, "Other office", "XVG")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		err = d.Write(ctx, other.ID, func(tx *db.Tx) error {
			ff.CheckedBy = "test import"
			id, _, err := Save(ctx, tx, other.ID, ff)
			if err != nil {
				return err
			}
			f, _ := GetFramework(ctx, tx, other.ID, id)
			got := f.Factors[1].Indicators[2].Translations
			if got["ar"].Text != arWording || !got["ar"].Checked() || got["ar"].CheckedBy != "test import" || got["fr"].Checked() {
				t.Errorf("imported translations: %+v", got)
			}
			if tr := f.Factors[1].Translations["es"]; !tr.Checked() {
				t.Errorf("imported factor translation: %+v", tr)
			}
			// Importing the same file again changes nothing.
			if _, res, err := Save(ctx, tx, other.ID, ff); err != nil || res.Updated != 0 || res.Inserted != 0 {
				t.Errorf("second import changed something: %+v %v", res, err)
			}
			// An older file without the translation columns changes nothing.
			old := "risk_factor,risk_factor_name,applies_to,indicator,paraphrase,text_check,framework_code,framework_version\n"
			for _, fa := range f.Factors {
				for _, in := range fa.Indicators {
					old += strings.Join([]string{strconv.Itoa(fa.Number), csvq(fa.Title), fa.AppliesTo, in.Number, csvq(in.Wording), "unchecked", f.Code, f.Version}, ",") + "\n"
				}
			}
			off, res, err := ReadCSV(strings.NewReader(old), "old.csv")
			if err != nil || len(res.Errors) > 0 {
				t.Fatalf("old file: %v %v", err, res.Errors)
			}
			if _, res, err := Save(ctx, tx, other.ID, off); err != nil || res.Updated != 0 {
				t.Errorf("old file without translation columns changed %d indicators (%v)", res.Updated, err)
			}
			f, _ = GetFramework(ctx, tx, other.ID, id)
			if f.Factors[1].Indicators[2].Translations["ar"].Text != arWording || f.Factors[1].Translations["es"].Text == "" {
				t.Error("old file removed translations")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func csvq(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func TestIndicatorNumber(t *testing.T) {
	for in, want := range map[string]string{"RF9.3": "9.3", "rf 9.3": "9.3", "9.3": "9.3", "FoA-09.03": "9.3", "RF9": "", "6.7": "6.7", "": "", "RF10.1": "10.1", "x9.3": ""} {
		if got := IndicatorNumber(in); got != want {
			t.Errorf("IndicatorNumber(%q) = %q, want %q", in, got, want)
		}
	}
	for p, want := range map[string][2]string{"2026": {"2026-01-01", "2026-12-31"}, "2026-H2": {"2026-07-01", "2026-12-31"}, "2025-Q2": {"2025-04-01", "2025-06-30"}} {
		if f, to := PeriodRange(p); f != want[0] || to != want[1] {
			t.Errorf("PeriodRange(%q) = %s..%s", p, f, to)
		}
	}
}

// A correction of a published assessment copies its translations, not the
// framework's current ones.
func TestCorrectionKeepsTranslations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		in, users := setup(t, d)
		inst, admin, rev := in.ID, users[access.Administrator], users[access.Reviewer]
		err := d.Write(ctx, inst, func(tx *db.Tx) error {
			fw, _, err := EnsureDefault(ctx, tx, inst)
			if err != nil {
				return err
			}
			f, _ := GetFramework(ctx, tx, inst, fw)
			ind := f.Factors[0].Indicators[0]
			if _, err := SetTranslation(ctx, tx, inst, fw, admin.ID, TranslationEdit{Kind: "indicator", ID: ind.ID, Lang: "es", Text: "Un conflicto armado en curso"}); err != nil {
				return err
			}
			a, err := Create(ctx, tx, inst, admin.ID, NewAssessment{FrameworkID: fw, Country: "XVG", Period: "2026"})
			if err != nil {
				return err
			}
			for _, step := range []string{"submit", "approve", "publish"} {
				if _, err := Step(ctx, tx, inst, a.ID, rev, step); err != nil {
					return err
				}
			}
			if _, err := SetTranslation(ctx, tx, inst, fw, admin.ID, TranslationEdit{Kind: "indicator", ID: ind.ID, Lang: "es", Text: "Otra redacción"}); err != nil {
				return err
			}
			c, err := Correct(ctx, tx, inst, a.ID, rev.ID, rev.Role.Clearance(), "Fix a rating")
			if err != nil {
				return err
			}
			got, err := Get(ctx, tx, inst, c.ID, rev.Role.Clearance())
			if err != nil {
				return err
			}
			if w := got.Ratings[0].WordingTr["es"].Text; w != "Un conflicto armado en curso" {
				t.Errorf("correction holds %q, want the published version's translation", w)
			}
			if got.Ratings[0].FactorTr["es"].Text != defaultFactorTitles[1][1] {
				t.Errorf("correction lost the factor title's translation: %+v", got.Ratings[0].FactorTr)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
