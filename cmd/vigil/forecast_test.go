package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/forecast"
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
