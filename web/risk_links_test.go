package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/incident"
	"vigil/recommend"
	"vigil/risk"
	"vigil/sensitivity"
)

// An administrator translates framework wording (audited, unchecked until
// checked); an assessment opened afterwards shows it in an Arabic page and
// report, with the English wording marked lang="en" where there is none.
// Linked acts and recommendations show by the reader's level, and a
// confidential one never reaches the public edition.
func TestRiskTranslationsAndLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		inst := f.inst[0].ID
		admin, an := f.users[0][access.Administrator], f.users[0][access.Analyst]
		tokAd, csrfAd := f.session(admin)
		tokA, csrfA := f.session(an)
		tokV, _ := f.session(f.users[0][access.Viewer])
		var fw risk.Framework
		d.Read(ctx, inst, func(tx *db.Tx) error {
			id, _, err := risk.EnsureDefault(ctx, tx, inst)
			if err == nil {
				fw, err = risk.GetFramework(ctx, tx, inst, id)
			}
			return err
		})
		var ind714 risk.Indicator
		for _, in := range fw.Factors[6].Indicators {
			if in.Number == "7.14" {
				ind714 = in
			}
		}
		const arText = "تزايد خطاب الكراهية في الإذاعات المحلية"
		form := url.Values{"csrf": {csrfAd}, "kind": {"indicator"}, "target": {ind714.ID}, "text_ar": {arText}, "checked_ar": {"0"}, "text_fr": {""}, "checked_fr": {"0"}}
		resp := f.do("POST", "/risk/frameworks/"+fw.ID+"/translations", tokAd, form, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("translate: %d", resp.StatusCode)
		}
		form.Set("csrf", csrfA)
		if resp := f.do("POST", "/risk/frameworks/"+fw.ID+"/translations", tokA, form, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("an analyst translated framework wording: %d", resp.StatusCode)
		}
		var n int
		d.Read(ctx, inst, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = 'risk.translation.update' AND detail LIKE '%7.14 ar translation added%'", inst).Scan(&n)
		})
		if n != 1 {
			t.Errorf("translation audit entries: %d, want 1", n)
		}
		page := readBody(t, f.do("GET", "/risk/frameworks/"+fw.ID+"?lang=ar", tokV, nil, nil))
		if !strings.Contains(page, "<bdi>"+arText+"</bdi>") || !strings.Contains(page, `<bdi lang="en">`+template.HTMLEscapeString(fw.Factors[0].Indicators[0].Wording)+`</bdi>`) {
			t.Error("framework page in Arabic: stored Arabic wording or English fallback missing")
		}

		// An assessment opened now copies the translation.
		resp = f.do("POST", "/risk/assessments", tokA, url.Values{"csrf": {csrfA}, "country": {"XVG"}, "period": {"2027"}, "sensitivity": {"public"}}, nil)
		path := resp.Header.Get("Location")
		resp.Body.Close()
		resp = f.do("POST", path+"/ratings", tokA, url.Values{"csrf": {csrfA}, "number": {"7.14"}, "rating": {"high"}, "rationale": {"Broadcasts tripled."}, "sensitivity": {"public"}}, nil)
		resp.Body.Close()
		id := strings.TrimPrefix(strings.SplitN(path, "?", 2)[0], "/risk/assessments/")

		// Linked records: a public and a confidential act coded RF7.14 in
		// 2027, a confirmed link from a public recommendation and one from
		// a confidential own recommendation.
		const secret = "CONFIDENTIAL-LINK-5521"
		err := d.Write(ctx, inst, func(tx *db.Tx) error {
			for _, x := range []struct {
				title string
				lvl   sensitivity.Level
			}{{"Broadcast at the stadium", sensitivity.Public}, {"Meeting " + secret, sensitivity.Confidential}} {
				e, err := incident.CreateEvent(ctx, tx, inst, an.ID, incident.Event{Title: x.title, Country: "XVG", DateStart: "2027-02-01", DateEnd: "2027-02-01", DatePrecision: 1, Sensitivity: x.lvl})
				if err != nil {
					return err
				}
				if _, err := incident.AddAct(ctx, tx, inst, incident.Act{EventID: e.ID, Type: "incitement", Indicators: []string{"RF7.14"}, Sensitivity: x.lvl}); err != nil {
					return err
				}
			}
			r := recommend.Recommendation{Mechanism: "upr", Source: "test", SourceKey: "1", StateUnderReview: "XVG", Text: "Prosecute incitement", Response: "supported", DocumentSymbol: "A/HRC/9/9", Paragraph: "9.9"}
			if _, err := recommend.Save(ctx, tx, &r); err != nil {
				return err
			}
			own, err := recommend.CreateOwn(ctx, tx, inst, recommend.Recommendation{StateUnderReview: "XVG", Text: "Protect witness " + secret, Sensitivity: sensitivity.Confidential})
			if err != nil {
				return err
			}
			for _, rid := range []string{r.ID, own.ID} {
				if _, err := recommend.AddRiskLink(ctx, tx, inst, recommend.RiskLink{RecommendationID: rid, IndicatorCode: "7.14", ConfirmedBy: an.ID, Sensitivity: sensitivity.Public}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		page = readBody(t, f.do("GET", "/risk/assessments/"+id+"?factor=7&lang=ar", tokA, nil, nil))
		if !strings.Contains(page, "<bdi>"+arText+"</bdi>") || !strings.Contains(page, "Broadcast at the stadium") || !strings.Contains(page, "Meeting "+secret) || !strings.Contains(page, "A/HRC/9/9 ¶ 9.9") {
			t.Error("analyst's Arabic factor page lacks the Arabic wording or the linked records")
		}
		var reads int
		d.Read(ctx, inst, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = 'risk.assessment.read' AND detail LIKE '%confidential linked records%'", inst).Scan(&reads)
		})
		if reads == 0 {
			t.Error("reading confidential linked records was not audited")
		}
		if page := readBody(t, f.do("GET", "/risk/assessments/"+id+"?factor=7", tokV, nil, nil)); strings.Contains(page, secret) || !strings.Contains(page, "Broadcast at the stadium") {
			t.Error("viewer's page: confidential linked record shown, or public one missing")
		}
		for _, lang := range []string{"en", "ar"} {
			pub := readBody(t, f.do("GET", "/risk/assessments/"+id+"/report?edition=public&lang="+lang, tokA, nil, nil))
			if strings.Contains(pub, secret) {
				t.Errorf("%s public edition contains a confidential linked act or recommendation", lang)
			}
			if !strings.Contains(pub, "Broadcast at the stadium") || !strings.Contains(pub, "Prosecute incitement") {
				t.Errorf("%s public edition lacks the public linked records", lang)
			}
			if lang == "ar" && !strings.Contains(pub, "<bdi>"+arText+"</bdi>") {
				t.Error("Arabic public report lacks the stored Arabic wording")
			}
		}
		if conf := readBody(t, f.do("GET", "/risk/assessments/"+id+"/report?edition=confidential", tokA, nil, nil)); !strings.Contains(conf, "Meeting "+secret) {
			t.Error("confidential edition lacks the confidential act")
		}

		// Changing the framework afterwards leaves the assessment as it was.
		form = url.Values{"csrf": {csrfAd}, "kind": {"indicator"}, "target": {ind714.ID}, "text_ar": {"نص آخر"}, "checked_ar": {"1"}}
		resp = f.do("POST", "/risk/frameworks/"+fw.ID+"/translations", tokAd, form, nil)
		resp.Body.Close()
		if page := readBody(t, f.do("GET", "/risk/assessments/"+id+"?factor=7&lang=ar", tokA, nil, nil)); !strings.Contains(page, arText) || strings.Contains(page, "نص آخر") {
			t.Error("the assessment's wording changed with the framework")
		}
	})
}
