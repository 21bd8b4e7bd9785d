package forecast

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// ewpDir is where the shared Early Warning Project data lives (see
// ../shared/data/ewp/README.md); VIGIL_EWP_DATA overrides it.
func ewpDir(t testing.TB) string {
	dir := os.Getenv("VIGIL_EWP_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data", "ewp")
	}
	if _, err := os.Stat(filepath.Join(dir, "prepared2024predictors-2025-09-03.csv")); err != nil {
		t.Skipf("Early Warning Project data not found in %s (set VIGIL_EWP_DATA to the folder holding prepared2024predictors-2025-09-03.csv and derived/): %v", dir, err)
	}
	return dir
}

func readCSV(t testing.TB, path string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("reference file missing: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	return col, recs[1:]
}

func num(t testing.TB, s string) float64 {
	if s == "NA" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad number %q", s)
	}
	return v
}

var ewpCache struct {
	d  *Dataset
	f  Folds
	bt *Backtest
}

func loadEWP(t testing.TB) (*Dataset, Folds, string) {
	dir := ewpDir(t)
	if ewpCache.d == nil {
		d, err := LoadFile(filepath.Join(dir, "prepared2024predictors-2025-09-03.csv"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := LoadFoldsFile(filepath.Join(dir, "derived", "derived_foldids.csv"))
		if err != nil {
			t.Skipf("fold assignments missing: %v", err)
		}
		ewpCache.d, ewpCache.f = d, f
	}
	return ewpCache.d, ewpCache.f, dir
}

// TestEWPFitsMatchReference fits the 31 back-test models and compares the
// lambda path and the coefficients at lambda.min with R's glmnet.
func TestEWPFitsMatchReference(t *testing.T) {
	d, folds, dir := loadEWP(t)
	col, paths := readCSV(t, filepath.Join(dir, "derived", "derived_cv_lambda_paths.csv"))
	refLam := map[int][]float64{}
	refMin := map[int]int{}
	for _, r := range paths {
		L := int(num(t, r[col["lasttrainyear"]]))
		refLam[L] = append(refLam[L], num(t, r[col["lambda"]]))
		if r[col["is_lambda_min"]] == "TRUE" {
			refMin[L] = len(refLam[L]) - 1
		}
	}
	ccol, coefs := readCSV(t, filepath.Join(dir, "derived", "derived_coefficients_lambda_min.csv"))
	refCoef := map[int]map[string]float64{}
	for _, r := range coefs {
		L := int(num(t, r[ccol["lasttrainyear"]]))
		if refCoef[L] == nil {
			refCoef[L] = map[string]float64{}
		}
		refCoef[L][r[ccol["variable"]]] = num(t, r[ccol["coef"]])
	}
	worst := 0.0
	for L := 1991; L <= 2021; L++ {
		if testing.Short() && L%5 != 1 {
			continue
		}
		cv, _, err := FitEWP(d, L, FitOptions{Folds: folds, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		lam := cv.Path.Lambda
		if len(lam) != len(refLam[L]) {
			t.Errorf("L=%d: path has %d lambdas, glmnet's %d", L, len(lam), len(refLam[L]))
		}
		for k := 0; k < len(lam) && k < len(refLam[L]); k++ {
			if math.Abs(lam[k]-refLam[L][k]) > 1e-9*refLam[L][k] {
				t.Errorf("L=%d step %d: lambda %.17g, glmnet %.17g", L, k+1, lam[k], refLam[L][k])
				break
			}
		}
		if cv.MinStep != refMin[L] {
			t.Errorf("L=%d: lambda.min at step %d, glmnet at %d", L, cv.MinStep+1, refMin[L]+1)
		}
		diff := math.Abs(cv.Intercept() - refCoef[L]["(Intercept)"])
		for j, v := range d.Vars {
			diff = math.Max(diff, math.Abs(cv.Beta()[j]-refCoef[L][v]))
		}
		worst = math.Max(worst, diff)
		if diff > 1e-4 {
			t.Errorf("L=%d: largest coefficient difference from glmnet %.3g", L, diff)
		}
	}
	t.Logf("largest coefficient difference from glmnet over the fits: %.3g", worst)
}

func ewpBacktest(t testing.TB) *Backtest {
	d, folds, _ := loadEWP(t)
	if ewpCache.bt == nil {
		bt, err := RunBacktest(d, EWPModel, FitOptions{Folds: folds}, BacktestOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ewpCache.bt = bt
	}
	return ewpCache.bt
}

// TestEWPBacktestMatchesPublished runs the whole back-test (31 fits) and
// compares every risk with the EWP's published back-test file, then the
// headline figures: AUC 0.825 and 27 of 39 onsets in the top 30.
func TestEWPBacktestMatchesPublished(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole back-test takes a while; run without -short")
	}
	_, _, dir := loadEWP(t)
	bt := ewpBacktest(t)
	col, foos := readCSV(t, filepath.Join(dir, "FOOSforecasts_3Sep2025.csv"))
	type key struct {
		name string
		year int
	}
	got := map[key]BacktestRow{}
	for _, r := range bt.Rows {
		got[key{r.Name, r.Year}] = r
	}
	if len(bt.Rows) != len(foos) {
		t.Errorf("back-test has %d country-years, the published file %d", len(bt.Rows), len(foos))
	}
	worst, compared := 0.0, 0
	for _, r := range foos {
		k := key{r[col["ewp_name"]], int(num(t, r[col["year"]]))}
		g, ok := got[k]
		if !ok {
			t.Errorf("%v missing from the back-test", k)
			continue
		}
		for _, c := range []struct {
			name string
			mine float64
		}{{"risk_prev", g.RiskPrev}, {"risk_two_years_prior", g.RiskTwo}, {"maxrisk2", g.MaxRisk}} {
			want := num(t, r[col[c.name]])
			if math.IsNaN(want) != math.IsNaN(c.mine) {
				t.Errorf("%v %s: got %v, published %v", k, c.name, c.mine, want)
				continue
			}
			if math.IsNaN(want) {
				continue
			}
			compared++
			diff := math.Abs(want - c.mine)
			worst = math.Max(worst, diff)
			if diff > 1e-4 {
				t.Errorf("%v %s: got %.6f, published %.6f", k, c.name, c.mine, want)
			}
		}
		if mr := r[col["minrank2"]]; mr != "NA" && int(num(t, mr)) != g.MinRank {
			t.Errorf("%v minrank2: got %d, published %s", k, g.MinRank, mr)
		}
	}
	t.Logf("compared %d published risks; largest difference %.3g", compared, worst)
	m := bt.Metrics
	t.Logf("AUC %.4f, %d/%d onsets in the top 30, %.1f false alarms per onset above %.0f%%", m.AUC, m.OnsetsInTop30, m.Onsets, m.FalseAlarmsPerOnset, m.Threshold*100)
	if math.Round(m.AUC*1000)/1000 != 0.825 {
		t.Errorf("AUC %.4f, want 0.825", m.AUC)
	}
	if m.Onsets != 39 || m.OnsetsInTop30 != 27 {
		t.Errorf("onsets in top 30: %d/%d, want 27/39", m.OnsetsInTop30, m.Onsets)
	}
}
