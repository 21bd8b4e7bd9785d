package forecast

import (
	"context"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

func count(t *testing.T, d *db.DB, inst, table string) int {
	t.Helper()
	var n int
	err := d.Read(context.Background(), inst, func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table+" WHERE institution_id = ?", inst).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStoreRoundTrip saves a series of two runs for one institution and
// reads them back on both stores: runs newest first, scores by rank, one
// country's score with its shifts in order, the trend across the series,
// and nothing of it from the other institution.
func TestStoreRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var inst [2]string
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			for i, name := range []string{"A", "B"} {
				in, err := access.CreateInstitution(ctx, tx, "Office "+name, "XVG")
				if err != nil {
					return err
				}
				inst[i] = in.ID
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		base := StoredRun{Model: "ewp", ModelDetail: "test", DataFile: "d.csv", DataSHA256: "abc", CV: "random folds, seed 1"}
		save := func(L int, risks map[string]float64, withShifts bool) (string, string) {
			r := base
			r.LastTrainYear, r.ScoredYear, r.TrainingRows, r.Unmapped = L, L+2, 100, []string{"Atlantis"}
			var scores []StoredScore
			for name, risk := range risks {
				s := StoredScore{Name: name, Risk: risk, Country: map[string]string{"Vangoria": "XVG", "Ostland": "XOS"}[name]}
				for other := range risks {
					if risks[other] > risk {
						s.Rank++
					}
				}
				s.Rank++
				if withShifts && name == "Vangoria" {
					s.Shifts = []StoredShift{{Variable: "battledeaths.log2", Description: Describe("battledeaths.log2"), From: 10, To: 0, Risk: 0.02, Delta: -0.08},
						{Variable: "coup.try.5yr", Description: Describe("coup.try.5yr"), From: 1, To: 0, Risk: 0.07, Delta: -0.03}}
				}
				scores = append(scores, s)
			}
			var id, outcome string
			err := d.Write(ctx, inst[0], func(tx *db.Tx) error {
				var err error
				id, outcome, err = SaveRun(ctx, tx, inst[0], "tester", r, scores)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return id, outcome
		}
		old, o1 := save(2020, map[string]float64{"Vangoria": 0.05, "Ostland": 0.01, "Atlantis": 0.2}, false)
		cur, o2 := save(2021, map[string]float64{"Vangoria": 0.10, "Ostland": 0.01, "Atlantis": 0.2}, true)
		if o1 != "inserted" || o2 != "inserted" {
			t.Fatalf("outcomes %s %s", o1, o2)
		}
		rows := count(t, d, inst[0], "forecast_shifts") + count(t, d, inst[0], "forecast_scores") + count(t, d, inst[0], "forecast_runs")
		again, o3 := save(2021, map[string]float64{"Vangoria": 0.10, "Ostland": 0.01, "Atlantis": 0.2}, true)
		if again != cur || o3 != "unchanged" {
			t.Fatalf("second save of the same run: %s %s, want %s unchanged", again, o3, cur)
		}
		if n := count(t, d, inst[0], "forecast_shifts") + count(t, d, inst[0], "forecast_scores") + count(t, d, inst[0], "forecast_runs"); n != rows {
			t.Fatalf("rows after the same run again: %d, want %d", n, rows)
		}

		err = d.Read(ctx, inst[0], func(tx *db.Tx) error {
			runs, err := Runs(ctx, tx, inst[0], sensitivity.Public)
			if err != nil {
				return err
			}
			if len(runs) != 2 || runs[0].ID != cur || runs[1].ID != old || runs[0].Countries != 3 || runs[0].Sensitivity != sensitivity.Public {
				t.Fatalf("runs %+v", runs)
			}
			if runs[0].DataSHA256 != "abc" || runs[0].ScoredYear != 2023 || len(runs[0].Unmapped) != 1 || runs[0].Unmapped[0] != "Atlantis" || runs[0].CreatedBy != "tester" {
				t.Fatalf("run %+v", runs[0])
			}
			c, err := Current(ctx, tx, inst[0], sensitivity.Public)
			if err != nil || c.ID != cur {
				t.Fatalf("current %v %v", c.ID, err)
			}
			scores, err := Scores(ctx, tx, inst[0], cur)
			if err != nil {
				return err
			}
			if len(scores) != 3 || scores[0].Name != "Atlantis" || scores[0].Country != "" || scores[1].Name != "Vangoria" || scores[1].Rank != 2 {
				t.Fatalf("scores %+v", scores)
			}
			s, err := CountryScore(ctx, tx, inst[0], cur, "XVG")
			if err != nil {
				return err
			}
			if s.Risk != 0.10 || s.Rank != 2 || len(s.Shifts) != 2 || s.Shifts[0].Variable != "battledeaths.log2" || s.Shifts[0].Delta != -0.08 || s.Shifts[1].To != 0 {
				t.Fatalf("country %+v", s)
			}
			tr, err := Trend(ctx, tx, inst[0], c, "XVG", sensitivity.Public)
			if err != nil {
				return err
			}
			if len(tr) != 2 || tr[0].ScoredYear != 2022 || tr[0].Risk != 0.05 || tr[1].ScoredYear != 2023 || tr[1].Of != 3 {
				t.Fatalf("trend %+v", tr)
			}
			if p, err := Previous(ctx, tx, inst[0], c, sensitivity.Public); err != nil || p.ID != old {
				t.Fatalf("previous of the current run: %v %v, want %s", p.ID, err, old)
			}
			if _, err := Previous(ctx, tx, inst[0], runs[1], sensitivity.Public); err != ErrNotFound {
				t.Fatalf("previous of the first run: %v", err)
			}
			if _, err := CountryScore(ctx, tx, inst[0], cur, "XXX"); err != ErrNotFound {
				t.Fatalf("unknown country: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The other institution sees none of it.
		err = d.Read(ctx, inst[1], func(tx *db.Tx) error {
			runs, err := Runs(ctx, tx, inst[1], sensitivity.Confidential)
			if err != nil || len(runs) != 0 {
				t.Fatalf("other institution: %d runs, %v", len(runs), err)
			}
			if _, err := Run(ctx, tx, inst[1], cur, sensitivity.Confidential); err != ErrNotFound {
				t.Fatalf("other institution opened the run: %v", err)
			}
			if _, err := CountryScore(ctx, tx, inst[1], cur, "XVG"); err != ErrNotFound {
				t.Fatalf("other institution opened the score: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
