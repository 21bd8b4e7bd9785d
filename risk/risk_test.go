package risk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

func setup(t *testing.T, d *db.DB) (access.Institution, map[access.Role]access.User) {
	t.Helper()
	ctx := context.Background()
	var in access.Institution
	users := map[access.Role]access.User{}
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		var err error
		if in, err = access.CreateInstitution(ctx, tx, "Office", "XVG"); err != nil {
			return err
		}
		for _, r := range access.Roles {
			u, err := access.CreateUser(ctx, tx, in.ID, access.NewUser{Username: string(r), DisplayName: string(r), Role: r, Password: "a long enough password"})
			if err != nil {
				return err
			}
			users[r] = u
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return in, users
}

func TestDefaultFramework(t *testing.T) {
	ff := Default()
	if len(ff.Factors) != 14 {
		t.Fatalf("%d factors, want 14", len(ff.Factors))
	}
	n := 0
	for i, f := range ff.Factors {
		if f.Number != i+1 || f.Title == "" || len(f.Wording) == 0 {
			t.Errorf("factor %d malformed: %+v", i+1, f)
		}
		n += len(f.Wording)
	}
	if n < 110 {
		t.Errorf("only %d indicators", n)
	}
}

func TestAssessmentLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		in, users := setup(t, d)
		inst := in.ID
		an, rev := users[access.Analyst], users[access.Reviewer]
		conf := sensitivity.Confidential
		var a Assessment
		err := d.Write(ctx, inst, func(tx *db.Tx) error {
			fw, created, err := EnsureDefault(ctx, tx, inst)
			if err != nil || !created {
				return errors.Join(err, errors.New("default not created"))
			}
			if _, again, err := EnsureDefault(ctx, tx, inst); err != nil || again {
				t.Errorf("EnsureDefault twice created again (%v)", err)
			}
			if a, err = Create(ctx, tx, inst, an.ID, NewAssessment{FrameworkID: fw, Country: "xvg", Period: "2026", Sensitivity: sensitivity.Public}); err != nil {
				return err
			}
			if _, err := Create(ctx, tx, inst, an.ID, NewAssessment{FrameworkID: fw, Country: "XVG", Period: "2026"}); err == nil {
				t.Error("second assessment for the same period accepted")
			}
			if _, _, err := Rate(ctx, tx, inst, a.ID, an.ID, conf, RatingEdit{Number: "9.1", Rating: High, Direction: "worse", Rationale: "SECRET-SOURCE-NAME said so", Sensitivity: conf}); err != nil {
				return err
			}
			if _, _, err := Rate(ctx, tx, inst, a.ID, an.ID, conf, RatingEdit{Number: "1.1", Rating: Moderate, Rationale: "public reason", Sensitivity: sensitivity.Public}); err != nil {
				return err
			}
			for _, n := range []string{"2.1", "3.1", "4.1", "5.1"} {
				if _, _, err := Rate(ctx, tx, inst, a.ID, an.ID, conf, RatingEdit{Number: n, Rating: High, Sensitivity: sensitivity.Public}); err != nil {
					return err
				}
			}
			if _, _, err := Rate(ctx, tx, inst, a.ID, an.ID, conf, RatingEdit{Number: "13.1", Rating: Low}); err != nil {
				return err
			}
			if _, err := AddEvidence(ctx, tx, inst, a.ID, an.ID, conf, "9.1", Evidence{Title: "CONFIDENTIAL-INTERVIEW", SourceDate: "2026-02-01", Sensitivity: conf}); err != nil {
				return err
			}
			if _, err := AddEvidence(ctx, tx, inst, a.ID, an.ID, conf, "9.1", Evidence{Title: "Public report", URL: "https://example.org/r", Sensitivity: sensitivity.Public}); err != nil {
				return err
			}
			if _, err := AddEvidence(ctx, tx, inst, a.ID, an.ID, conf, "9.1", Evidence{Title: "x", URL: "javascript:alert(1)"}); err == nil {
				t.Error("javascript: link accepted")
			}
			if _, err := AddItem(ctx, tx, inst, a.ID, an.ID, conf, Item{Kind: "trigger", Title: "Census", Date: "2026-09-01", Sensitivity: sensitivity.Public}); err != nil {
				return err
			}
			if _, err := AddItem(ctx, tx, inst, a.ID, an.ID, conf, Item{Kind: "recommendation", Title: "Ratify", Sensitivity: sensitivity.Public}); err == nil {
				t.Error("recommendation without addressee accepted")
			}
			return SetOverride(ctx, tx, inst, a.ID, an.ID, conf, "factor:13", Moderate, "Command breakdown seen in the east")
		})
		if err != nil {
			t.Fatal(err)
		}
		err = d.Write(ctx, inst, func(tx *db.Tx) error {
			got, err := Get(ctx, tx, inst, a.ID, conf)
			if err != nil {
				return err
			}
			r := Roll(got)
			f9, _ := r.Factor(9)
			f13, _ := r.Factor(13)
			if f9.Level.Level != High || f13.Computed != Low || f13.Level.Level != Moderate || !f13.Overridden {
				t.Errorf("factor levels: 9=%+v 13=%+v", f9.Level, f13.Level)
			}
			// Common factors: 1 moderate, 2-5 high -> lower median high; genocide from 9 = high.
			// War crimes: 13 (overridden moderate), raised one step to high by the common median.
			for _, c := range r.Crimes {
				want := map[string]string{"genocide": High, "crimes_against_humanity": NotAssessed, "war_crimes": High}[c.Key]
				if c.Level.Level != want {
					t.Errorf("crime %s = %s, want %s (%+v)", c.Key, c.Level.Level, want, c)
				}
			}
			pub := got.Redact(sensitivity.Public)
			for _, rt := range pub.Ratings {
				if strings.Contains(rt.Rationale, "SECRET") {
					t.Error("public redaction kept a confidential rationale")
				}
				for _, e := range rt.Evidence {
					if e.Sensitivity > sensitivity.Public {
						t.Error("public redaction kept confidential evidence")
					}
				}
			}
			// Workflow: analyst cannot approve; reviewer can; published is frozen.
			if _, err := Step(ctx, tx, inst, a.ID, an, "approve"); !errors.Is(err, ErrForbidden) {
				t.Errorf("analyst approve: %v", err)
			}
			if _, err := Step(ctx, tx, inst, a.ID, an, "submit"); err != nil {
				return err
			}
			if _, _, err := Rate(ctx, tx, inst, a.ID, an.ID, conf, RatingEdit{Number: "1.2", Rating: Low}); !errors.Is(err, ErrFrozen) {
				t.Errorf("rating in review: %v", err)
			}
			if _, err := Step(ctx, tx, inst, a.ID, rev, "publish"); !errors.Is(err, ErrState) {
				t.Errorf("publish before approval: %v", err)
			}
			for _, s := range []string{"approve", "publish"} {
				if _, err := Step(ctx, tx, inst, a.ID, rev, s); err != nil {
					return err
				}
			}
			if _, err := Correct(ctx, tx, inst, a.ID, an.ID, conf, ""); err == nil {
				t.Error("correction without a note accepted")
			}
			c, err := Correct(ctx, tx, inst, a.ID, an.ID, conf, "Rating of 1.1 revised after new figures")
			if err != nil {
				return err
			}
			cg, err := Get(ctx, tx, inst, c.ID, conf)
			if err != nil {
				return err
			}
			if cg.Version != 2 || cg.Status != Draft || len(cg.Ratings) != len(got.Ratings) || len(cg.Overrides) != 1 || len(cg.Items) != 1 {
				t.Errorf("correction: v%d %s %d ratings %d overrides %d items", cg.Version, cg.Status, len(cg.Ratings), len(cg.Overrides), len(cg.Items))
			}
			found, err := Find(ctx, tx, inst, "XVG", "2026", conf)
			if err != nil || found.ID != a.ID {
				t.Errorf("Find picked %s (%v), want the published %s", found.ID, err, a.ID)
			}
			// A partner does not see an internal assessment at all.
			if _, err := Get(ctx, tx, inst, c.ID, sensitivity.Partners); err != nil {
				t.Errorf("public-level correction hidden from partners: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestFrameworkEditDoesNotRewriteAssessments(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	in, users := setup(t, d)
	err := d.Write(ctx, in.ID, func(tx *db.Tx) error {
		fw, _, err := EnsureDefault(ctx, tx, in.ID)
		if err != nil {
			return err
		}
		a, err := Create(ctx, tx, in.ID, users[access.Analyst].ID, NewAssessment{FrameworkID: fw, Country: "XVG", Period: "2025"})
		if err != nil {
			return err
		}
		f, err := GetFramework(ctx, tx, in.ID, fw)
		if err != nil {
			return err
		}
		ind := f.Factors[0].Indicators[0]
		if _, what, err := EditIndicator(ctx, tx, in.ID, fw, users[access.Administrator].ID, IndicatorEdit{ID: ind.ID, Factor: 1, Number: "1.1", Wording: "Changed wording", Checked: true}); err != nil || what == "" {
			return errors.Join(err, errors.New("no change described"))
		}
		got, err := Get(ctx, tx, in.ID, a.ID, sensitivity.Confidential)
		if err != nil {
			return err
		}
		if got.Ratings[0].Wording == "Changed wording" {
			t.Error("editing the framework rewrote an assessment")
		}
		f, _ = GetFramework(ctx, tx, in.ID, fw)
		if !f.Factors[0].Indicators[0].Checked || f.Factors[0].Indicators[0].CheckedBy == "" {
			t.Error("checking not recorded")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestImportCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		dir := t.TempDir()
		file := filepath.Join(dir, "national.csv")
		os.WriteFile(file, []byte("risk_factor,risk_factor_name,applies_to,indicator,paraphrase,text_check\n"+
			"1,Instability,all,1.1,Armed conflict,recall\n"+
			"1,Instability,all,1.2,Unrest,official\n"+
			"2,Record,everything,2.1,Bad,recall\n"+
			"3,Weak State,all,4.1,Wrong number,recall\n"), 0o600)
		res, err := runImport(context.Background(), d, []string{file}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 2 || res.Rejected != 2 {
			t.Fatalf("first import: %+v", res)
		}
		res, err = runImport(context.Background(), d, []string{file}, nil)
		if err != nil || res.Unchanged != 2 || res.Inserted != 0 {
			t.Fatalf("second import: %+v %v", res, err)
		}
		if p := "../../shared/data/framework/un_foa_2014_indicators.csv"; fileExists(p) {
			res, err := runImport(context.Background(), d, []string{p}, nil)
			if err != nil || res.Inserted < 100 || res.Rejected != 0 {
				t.Errorf("shared framework CSV: %+v %v", res, err)
			}
		} else {
			t.Log("../shared/data/framework not present: the import of the shared CSV is not tested")
		}
	})
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
