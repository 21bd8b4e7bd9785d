package bench

import (
	"os"
	"path/filepath"
	"testing"

	"vigil/forecast"
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
