package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/demo"
	"vigil/fieldcrypt"
	"vigil/forecast"
	"vigil/risk"
	"vigil/sensitivity"
	"vigil/web"
)

// BenchmarkForecastBacktest times the Early Warning Project back-test (31
// fits, each with 10-fold cross-validation over its lambda path), the work
// bench/forecast_glmnet.R times in R. Reading the CSV files is excluded, as
// in the R script. Needs the shared data (VIGIL_EWP_DATA, default
// ../../shared/data/ewp).
func BenchmarkForecastBacktest(b *testing.B) {
	dir := os.Getenv("VIGIL_EWP_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data", "ewp")
	}
	d, err := forecast.LoadFile(filepath.Join(dir, "prepared2024predictors-2025-09-03.csv"))
	if err != nil {
		b.Skipf("Early Warning Project data not available (set VIGIL_EWP_DATA): %v", err)
	}
	folds, err := forecast.LoadFoldsFile(filepath.Join(dir, "derived", "derived_foldids.csv"))
	if err != nil {
		b.Skipf("fold assignments not available: %v", err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bt, err := forecast.RunBacktest(d, forecast.EWPModel, forecast.FitOptions{Folds: folds}, forecast.BacktestOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if bt.Metrics.OnsetsInTop30 != 27 {
			b.Fatalf("back-test gives %d/39 onsets in the top 30, want 27", bt.Metrics.OnsetsInTop30)
		}
	}
}

// BenchmarkForecastCountryPage measures one request for a country page
// (/forecast/XVG) on the embedded SQLite store, from the request to the
// last byte: the run, the country's score and 35 shift rows, its trend over
// five runs, the latest Framework of Analysis assessment with its roll-up,
// the disagreement rules and the SVG chart. The store holds the demo
// institution plus a series of the size a real run leaves (5 runs of 168
// countries, the latest with 35 shifts per country). Side by side, in the
// same run: the ranked list (/forecast) and, as the peer, the risk part's
// page of the same assessment (/risk/assessments/{id}).
func BenchmarkForecastCountryPage(b *testing.B) {
	ctx := context.Background()
	access.UseTestHashCost()
	d := dbtest.Open(b, "sqlite:"+filepath.Join(b.TempDir(), "vigil.db"))
	keys, log := fieldcrypt.Ephemeral(), &audit.Log{}
	info, err := demo.Seed(ctx, d, keys, log)
	if err != nil {
		b.Fatal(err)
	}
	inst := info.InstitutionID
	var sess access.Session
	var assessment string
	err = d.Write(ctx, inst, func(tx *db.Tx) error {
		for L := 2019; L <= 2023; L++ {
			r := forecast.StoredRun{Model: "ensemble3", DataFile: "bench.csv", DataSHA256: "bench", CV: "bench", LastTrainYear: L, ScoredYear: L + 2}
			var scores []forecast.StoredScore
			for c := 0; c < 168; c++ {
				s := forecast.StoredScore{Name: fmt.Sprintf("Country %03d", c), Country: fmt.Sprintf("Q%02d", c%100), Risk: float64(c+1) / 1000, Rank: 168 - c}
				if c == 100 {
					s.Name, s.Country = "Vangoria", "XVG"
				}
				if L == 2023 {
					for j, v := range forecast.EWPVariables[:35] {
						s.Shifts = append(s.Shifts, forecast.StoredShift{Variable: v, Description: forecast.Describe(v), From: 1, To: 0,
							Risk: s.Risk / 2, Delta: -s.Risk / float64(j+2)})
					}
				}
				scores = append(scores, s)
			}
			if _, _, err := forecast.SaveRun(ctx, tx, inst, "bench", r, scores); err != nil {
				return err
			}
		}
		as, err := risk.List(ctx, tx, inst, sensitivity.Confidential, "XVG")
		if err != nil || len(as) == 0 {
			return fmt.Errorf("no demo assessment: %v", err)
		}
		assessment = as[0].ID
		users, err := access.ListUsers(ctx, tx, inst)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.Username == "viewer" {
				sess, err = access.StartSession(ctx, tx, u, "127.0.0.1", "bench", false)
			}
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	s, err := web.New(web.Config{DB: d, Audit: log, Keys: keys, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, p := range []struct{ name, path string }{{"country", "/forecast/XVG"}, {"list", "/forecast"}, {"peer-risk-assessment", "/risk/assessments/" + assessment}} {
		b.Run(p.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", srv.URL+p.path, nil)
			req.AddCookie(&http.Cookie{Name: "vigil_session", Value: sess.Token})
			for b.Loop() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
