package risk

import (
	"context"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/incident"
	"vigil/recommend"
	"vigil/sensitivity"
)

// LoadLinks finds documented acts of the country and period by their
// indicator codes ("RF9.3"), confirmed recommendations with the State's
// response and the latest independent assessment, and leaves out what is
// above the reader's level, suggested links, other countries and other
// periods.
func TestLoadLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		in, users := setup(t, d)
		inst, an := in.ID, users[access.Analyst]
		var a Assessment
		err := d.Write(ctx, inst, func(tx *db.Tx) error {
			fw, _, err := EnsureDefault(ctx, tx, inst)
			if err != nil {
				return err
			}
			if a, err = Create(ctx, tx, inst, an.ID, NewAssessment{FrameworkID: fw, Country: "XVG", Period: "2026"}); err != nil {
				return err
			}
			act := func(title, country, date string, lvl sensitivity.Level, codes ...string) {
				e, err := incident.CreateEvent(ctx, tx, inst, an.ID, incident.Event{Title: title, Country: country, DateStart: date, DateEnd: date, DatePrecision: 1, Sensitivity: lvl})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := incident.AddAct(ctx, tx, inst, incident.Act{EventID: e.ID, Type: "incitement", Indicators: codes, Sensitivity: lvl}); err != nil {
					t.Fatal(err)
				}
			}
			act("Public broadcast", "XVG", "2026-03-02", sensitivity.Public, "RF9.3", "9.3")
			act("Secret meeting CONF-ACT", "XVG", "2026-04-02", sensitivity.Confidential, "RF9.3")
			act("Last year's broadcast", "XVG", "2025-03-02", sensitivity.Public, "RF9.3")
			act("Neighbour's broadcast", "XAA", "2026-03-02", sensitivity.Public, "RF9.3")
			// A withdrawn incident (recorded in error) is never cited as evidence.
			we, err := incident.CreateEvent(ctx, tx, inst, an.ID, incident.Event{Title: "Withdrawn broadcast", Country: "XVG", DateStart: "2026-05-02", DateEnd: "2026-05-02", DatePrecision: 1, Sensitivity: sensitivity.Public})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := incident.AddAct(ctx, tx, inst, incident.Act{EventID: we.ID, Type: "incitement", Indicators: []string{"RF9.3"}, Sensitivity: sensitivity.Public}); err != nil {
				t.Fatal(err)
			}
			if err := incident.WithdrawEvent(ctx, tx, inst, sensitivity.Confidential, we.ID, "recorded in error"); err != nil {
				t.Fatal(err)
			}
			rec := func(text string, own bool, lvl sensitivity.Level) string {
				r := recommend.Recommendation{StateUnderReview: "XVG", Text: text, Response: "supported", Sensitivity: lvl, DocumentSymbol: "A/HRC/1/1", Paragraph: "1.1"}
				if own {
					r, err = recommend.CreateOwn(ctx, tx, inst, r)
				} else {
					r.Mechanism, r.Source, r.SourceKey = "upr", "test", text
					_, err = recommend.Save(ctx, tx, &r)
				}
				if err != nil {
					t.Fatal(err)
				}
				return r.ID
			}
			pub := rec("Public recommendation", false, sensitivity.Public)
			conf := rec("Own recommendation CONF-REC", true, sensitivity.Confidential)
			sugg := rec("Only suggested", false, sensitivity.Public)
			for _, l := range []recommend.RiskLink{
				{RecommendationID: pub, IndicatorCode: "9.3", ConfirmedBy: an.ID, Sensitivity: sensitivity.Public},
				{RecommendationID: conf, IndicatorCode: "RF9.3", ConfirmedBy: an.ID, Sensitivity: sensitivity.Public},
				{RecommendationID: sugg, IndicatorCode: "9.3"},
			} {
				if _, err := recommend.AddRiskLink(ctx, tx, inst, l); err != nil {
					t.Fatal(err)
				}
			}
			for _, x := range []recommend.Assessment{
				{RecommendationID: pub, Source: "nhri", Status: "not_implemented", AssessedBy: "A", AssessedOn: "2025-01-01", Evidence: "Seen.", Sensitivity: sensitivity.Public},
				{RecommendationID: pub, Source: "nhri", Status: "partially", AssessedBy: "A", AssessedOn: "2026-01-01", Evidence: "Seen.", Sensitivity: sensitivity.Public},
				{RecommendationID: pub, Source: "nhri", Status: "fully", AssessedBy: "A", AssessedOn: "2026-06-01", Evidence: "Seen.", Sensitivity: sensitivity.Confidential},
			} {
				if _, err := recommend.AddAssessment(ctx, tx, inst, an.ID, x); err != nil {
					t.Fatal(err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = d.Read(ctx, inst, func(tx *db.Tx) error {
			a, err := Get(ctx, tx, inst, a.ID, sensitivity.Confidential)
			if err != nil {
				return err
			}
			public, err := LoadLinks(ctx, tx, inst, a, sensitivity.Public)
			if err != nil {
				return err
			}
			l := public.Of("9.3")
			if len(l.Acts) != 1 || l.Acts[0].EventTitle != "Public broadcast" {
				t.Errorf("public acts of 9.3: %+v", l.Acts)
			}
			if len(l.Recs) != 1 || l.Recs[0].Text != "Public recommendation" || l.Recs[0].Response != "supported" || l.Recs[0].NHRIStatus != "partially" {
				t.Errorf("public recommendations of 9.3: %+v", l.Recs)
			}
			full, err := LoadLinks(ctx, tx, inst, a, sensitivity.Confidential)
			if err != nil {
				return err
			}
			l = full.Of("9.3")
			if len(l.Acts) != 2 || len(l.Recs) != 2 {
				t.Errorf("confidential reader sees %d acts, %d recommendations of 9.3, want 2 and 2", len(l.Acts), len(l.Recs))
			}
			for _, r := range l.Recs {
				if r.Text == "Only suggested" {
					t.Error("a suggested (unconfirmed) link was shown")
				}
				if r.Text == "Public recommendation" && r.NHRIStatus != "fully" {
					t.Errorf("latest assessment at confidential level: %q", r.NHRIStatus)
				}
			}
			// Redact removes again what is above a level.
			red := full.Redact(sensitivity.Public).Of("9.3")
			if len(red.Acts) != 1 || len(red.Recs) != 1 || red.Recs[0].NHRIStatus != "" {
				t.Errorf("redacted to public: %+v", red)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
