package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"vigil/access"
	"vigil/country"
	"vigil/db"
	"vigil/forecast"
	"vigil/sensitivity"
)

// writeSyntheticEWP writes a small country-year table in the EWP layout
// where onsets follow one predictor, so that a fit has something to find.
func writeSyntheticEWP(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ewp.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	header := append([]string{"ewp_name", "year"}, forecast.EWPVariables...)
	header = append(header, "mk_onset_1or2", "mk_onset", "ccode", "mk_onset_1", "mk_onset_2")
	w.Write(header)
	rng := rand.New(rand.NewPCG(4, 2))
	for c := 0; c < 40; c++ {
		for y := 1980; y <= 2000; y++ {
			rec := []string{fmt.Sprintf("Country %02d", c), fmt.Sprint(y)}
			risk := 0.0
			for j, v := range forecast.EWPVariables {
				x := rng.NormFloat64()
				switch v {
				case "year":
					x = float64(y)
				case "year_sq":
					x = float64(y * y)
				}
				if j == 0 {
					risk = x
				}
				rec = append(rec, fmt.Sprint(x))
			}
			on := 0
			if rng.Float64() < 1/(1+math.Exp(2-1.5*risk)) {
				on = 1
			}
			rec = append(rec, fmt.Sprint(on), fmt.Sprint(on), fmt.Sprint(c), "0", "0")
			w.Write(rec)
		}
	}
	w.Flush()
	f.Close()
	return path
}

func TestForecastCommands(t *testing.T) {
	data := writeSyntheticEWP(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "scores.csv")
	ctx := context.Background()
	if got := run(ctx, []string{"forecast", "fit", "--data", data, "--last-train-year", "1995", "--out", out}); got != 0 {
		t.Fatalf("fit: exit %d", got)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if lines[0] != "ewp_name,risk,rank" || len(lines) != 41 {
		t.Fatalf("fit wrote %d lines starting %q", len(lines), lines[0])
	}
	bt := filepath.Join(dir, "bt.csv")
	if got := run(ctx, []string{"forecast", "backtest", "--data", data, "--model", "ewp", "--first-year", "1990", "--last-year", "1995", "--out", bt}); got != 0 {
		t.Fatalf("backtest: exit %d", got)
	}
	if b, _ := os.ReadFile(bt); !strings.HasPrefix(string(b), "year,ewp_name,mk_onset,risk_prev") {
		t.Fatalf("backtest file starts %q", string(b[:min(60, len(b))]))
	}
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"forecast", "models"}, 0},
		{[]string{"forecast", "fit", "--data", data, "--last-train-year", "1995", "--json", "--explain", "Country 03"}, 0},
		{[]string{"forecast", "fit", "--data", data, "--last-train-year", "1995", "--explain", "Country 03"}, 2},
		{[]string{"forecast", "fit", "--data", data, "--last-train-year", "1995", "--json", "--explain", "Atlantis"}, 2},
		{[]string{"forecast"}, 2},
		{[]string{"forecast", "fit", "--data", data}, 2},
		{[]string{"forecast", "fit", "--last-train-year", "1995"}, 2},
		{[]string{"forecast", "backtest", "--data", data}, 2},
		{[]string{"forecast", "backtest", "--data", data, "--out", bt, "--model", "nope"}, 2},
		{[]string{"forecast", "fit", "--data", filepath.Join(dir, "missing.csv"), "--last-train-year", "1995"}, 1},
	} {
		if got := run(ctx, c.args); got != c.want {
			t.Errorf("vigil %s: exit %d, want %d", strings.Join(c.args, " "), got, c.want)
		}
	}
}

// forecastStore makes a store with one institution for `vigil forecast
// run`, optionally with the shared country list, and returns its URL.
func forecastStore(t *testing.T, dir string, countries string) (string, string) {
	t.Helper()
	ctx := context.Background()
	u := "sqlite:" + filepath.Join(dir, "vigil.db")
	d, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var inst string
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		in, err := access.CreateInstitution(ctx, tx, "Office", "XVG")
		inst = in.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if countries != "" {
		if _, err := country.Import(ctx, d, []string{countries}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return u, inst
}

type storedCounts struct{ runs, scores, shifts, audits int }

func countForecast(t *testing.T, u, inst string) storedCounts {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var c storedCounts
	err = d.Read(ctx, inst, func(tx *db.Tx) error {
		for _, q := range []struct {
			sql string
			dst *int
		}{{"SELECT COUNT(*) FROM forecast_runs WHERE institution_id = ?", &c.runs}, {"SELECT COUNT(*) FROM forecast_scores WHERE institution_id = ?", &c.scores},
			{"SELECT COUNT(*) FROM forecast_shifts WHERE institution_id = ?", &c.shifts},
			{"SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = 'forecast.run'", &c.audits}} {
			if err := tx.QueryRow(ctx, q.sql, inst).Scan(q.dst); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// storedScores reads the scores of the run that scored year, by name.
func storedScores(t *testing.T, u, inst string, year int) map[string]forecast.StoredScore {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out := map[string]forecast.StoredScore{}
	err = d.Read(ctx, inst, func(tx *db.Tx) error {
		runs, err := forecast.Runs(ctx, tx, inst, sensitivity.Public)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.ScoredYear != year {
				continue
			}
			ss, err := forecast.Scores(ctx, tx, inst, r.ID)
			for _, s := range ss {
				out[s.Name] = s
			}
			return err
		}
		return fmt.Errorf("no run scored %d", year)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameAsFit checks that the stored scores of a year are exactly what
// `vigil forecast fit` writes for it.
func sameAsFit(t *testing.T, stored map[string]forecast.StoredScore, fitArgs []string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "fit.csv")
	if got := run(context.Background(), append(append([]string{"forecast", "fit"}, fitArgs...), "--out", out)); got != 0 {
		t.Fatalf("fit: exit %d", got)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != len(stored) {
		t.Fatalf("fit scored %d countries, the store holds %d", len(recs)-1, len(stored))
	}
	for _, r := range recs[1:] {
		s, ok := stored[r[0]]
		risk, _ := strconv.ParseFloat(r[1], 64)
		rank, _ := strconv.Atoi(r[2])
		if !ok || s.Risk != risk || s.Rank != rank {
			t.Fatalf("%s: fit %v rank %d, stored %+v", r[0], risk, rank, s)
		}
	}
}

// TestForecastRunStoresAndIsIdempotent: `vigil forecast run` stores one
// run per last training year with the latest run's shifts, audits each,
// reports names it cannot map, stores exactly what `forecast fit` gives,
// and a second run of the same file changes nothing.
func TestForecastRunStoresAndIsIdempotent(t *testing.T) {
	data := writeSyntheticEWP(t)
	dir := t.TempDir()
	u, inst := forecastStore(t, dir, "")
	args := []string{"forecast", "run", "--data", data, "--last-train-year", "1996", "--years", "2", "--db", u, "--data-dir", dir, "--json"}
	if got := run(context.Background(), args); got != 0 {
		t.Fatalf("run: exit %d", got)
	}
	c := countForecast(t, u, inst)
	if c.runs != 2 || c.scores != 80 || c.shifts == 0 || c.audits != 2 {
		t.Fatalf("after the first run: %+v", c)
	}
	if got := run(context.Background(), args); got != 0 {
		t.Fatalf("second run: exit %d", got)
	}
	if c2 := countForecast(t, u, inst); c2 != c {
		t.Fatalf("the same run again changed the store: %+v, was %+v", c2, c)
	}
	stored := storedScores(t, u, inst, 1998)
	for _, s := range stored {
		if s.Country != "" {
			t.Fatalf("%s mapped to %s with no country list", s.Name, s.Country)
		}
	}
	sameAsFit(t, stored, []string{"--data", data, "--last-train-year", "1996"})
	if got := run(context.Background(), []string{"forecast", "run", "--data", data, "--years", "0", "--db", u, "--data-dir", dir}); got != 2 {
		t.Errorf("--years 0: exit %d, want 2", got)
	}
}

// TestForecastRunSharedEWP: on the Early Warning Project's data (skipped
// when absent) the stored scores of 2023 equal `vigil forecast fit
// --last-train-year 2021` with the published folds, and every name but
// Kosovo (which has no ISO code) maps to a country code.
func TestForecastRunSharedEWP(t *testing.T) {
	ewp := os.Getenv("VIGIL_EWP_DATA")
	if ewp == "" {
		ewp = filepath.Join("..", "..", "..", "shared", "data", "ewp")
	}
	data := filepath.Join(ewp, "prepared2024predictors-2025-09-03.csv")
	folds := filepath.Join(ewp, "derived", "derived_foldids.csv")
	iso := filepath.Join(ewp, "..", "iso3166")
	for _, p := range []string{data, folds, filepath.Join(iso, "iso3166_m49_all.csv")} {
		if _, err := os.Stat(p); err != nil {
			t.Skip("shared Early Warning Project data not found (" + p + "); set VIGIL_EWP_DATA")
		}
	}
	dir := t.TempDir()
	u, inst := forecastStore(t, dir, iso)
	if got := run(context.Background(), []string{"forecast", "run", "--data", data, "--folds", folds, "--last-train-year", "2021", "--years", "1",
		"--db", u, "--data-dir", dir}); got != 0 {
		t.Fatalf("run: exit %d", got)
	}
	stored := storedScores(t, u, inst, 2023)
	var unmapped []string
	for _, s := range stored {
		if s.Country == "" {
			unmapped = append(unmapped, s.Name)
		}
	}
	if len(unmapped) > 1 || (len(unmapped) == 1 && unmapped[0] != "Kosovo") {
		t.Errorf("names not mapped: %v", unmapped)
	}
	sameAsFit(t, stored, []string{"--data", data, "--folds", folds, "--last-train-year", "2021"})
}
