package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/forecast"
)

// The demo's statistical forecast. Vangoria is not in the Early Warning
// Project's data and the demo must not depend on ../shared/data, so the
// demo stores a clearly labelled fictional series instead: invented
// predictor rows for Vangoria and seven invented neighbours, scored with a
// logistic formula whose coefficients are invented too (nothing is fitted).
// Every page and API answer that shows these runs says so.

// demoVars are the variables the invented formula uses (EWP names).
var demoVars = []string{"battledeaths.log2", "coup.try.5yr", "pol_killing_approved", "repress_civilsoc", "v2mecenefm_binary",
	"freediscussion", "discrimpop", "mk_ever", "minorityrule", "ios.iccpr1"}

// demoCoef are the invented coefficients, in demoVars order, after the
// intercept.
var demoCoef = []float64{-5.0, 0.12, 0.6, 0.9, 0.5, 0.4, -1.2, 1.5, 0.5, 0.4, -0.4}

type demoState struct {
	code, name string
	// rows by year 2016..2024: each a function of the year index.
	row func(i int) []float64
}

func ramp(i, from int, a, b float64) float64 {
	if i < from {
		return a
	}
	return b
}

var demoStates = []demoState{
	{"XVG", "Vangoria (fictional)", func(i int) []float64 {
		deaths := []float64{0, 0, 0, 3, 5, 6, 8, 9, 10}[i]
		return []float64{deaths, ramp(i, 7, 0, 1), 0, ramp(i, 6, 0, 1), ramp(i, 7, 0, 1), 0.8 - 0.04*float64(i), 0.2, 1, 0, 0}
	}},
	{"XOS", "Ostland (fictional)", func(i int) []float64 { return []float64{0, 0, 0, 0, 0, 0.9, 0.02, 0, 0, 1} }},
	{"XBR", "Brennmark (fictional)", func(i int) []float64 {
		return []float64{ramp(i, 2, 8, 4), ramp(i, 3, 1, 0), 0, 1, 1, 0.35, 0.1, 1, 1, 0}
	}},
	{"XTL", "Tallinor (fictional)", func(i int) []float64 { return []float64{0, 0, 0, 0, 0, 0.85, 0.05, 1, 0, 1} }},
	{"XKV", "Kavera (fictional)", func(i int) []float64 {
		return []float64{ramp(i, 5, 0, 6), ramp(i, 5, 0, 1), ramp(i, 6, 0, 1), 1, 1, 0.3, 0.3, 1, 1, 0}
	}},
	{"XMD", "Mirdana (fictional)", func(i int) []float64 { return []float64{2, 0, 0, 0, 1, 0.6, 0.15, 0, 0, 0} }},
	{"XSL", "Solvane (fictional)", func(i int) []float64 { return []float64{0, 0, 0, 0, 0, 0.95, 0, 0, 0, 1} }},
	{"XPR", "Perath (fictional)", func(i int) []float64 { return []float64{4, 1, 0, 1, 1, 0.4, 0.05, 1, 0, 0} }},
}

const demoFirstYear = 2016

func demoDataset() *forecast.Dataset {
	d := &forecast.Dataset{Vars: demoVars}
	for i := 0; i < 9; i++ {
		for _, s := range demoStates {
			d.Rows = append(d.Rows, forecast.Row{Name: s.name, Year: demoFirstYear + i, X: s.row(i)})
		}
	}
	return d
}

func demoScore(x []float64) float64 {
	z := demoCoef[0]
	for j, v := range x {
		z += demoCoef[j+1] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// demoHash names the invented data: the rows and the coefficients as text.
func demoHash(d *forecast.Dataset) string {
	var b strings.Builder
	fmt.Fprintln(&b, strings.Join(demoVars, ","), demoCoef)
	for _, r := range d.Rows {
		fmt.Fprintln(&b, r.Name, r.Year, r.X)
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:])
}

func init() {
	Register(Seeder{Name: "forecast", Order: 61, Seed: seedForecast})
}

func seedForecast(ctx context.Context, tx *db.Tx, env Env) error {
	d := demoDataset()
	codes := map[string]string{}
	for _, s := range demoStates {
		codes[s.name] = s.code
	}
	resolve := func(name string) (string, bool) { c, ok := codes[name]; return c, ok }
	base := forecast.StoredRun{Model: "demo-logit", ModelDetail: "logistic formula with invented coefficients (demo/forecast.go); nothing was fitted",
		DataFile: "invented rows for eight fictional States (demo/forecast.go)", DataSHA256: demoHash(d), CV: "none: no fit",
		Demo: true, Note: "Fictional run for the demo State: invented data and invented coefficients, ranked among eight fictional States. Not a forecast."}
	an := env.Users[access.Analyst]
	for L := 2018; L <= 2022; L++ {
		sr := forecast.SeriesRun{LastTrainYear: L, ScoredYear: L + 2, Scores: forecast.ScoreYear(d, L+2, demoScore)}
		var train []int
		for i, r := range d.Rows {
			if r.Year <= L {
				train = append(train, i)
			}
		}
		sr.TrainingRows = len(train)
		if L == 2022 {
			sr.Shifts = map[string][]forecast.Shift{}
			for _, i := range d.ScoringRows(L + 2) {
				sr.Shifts[d.Rows[i].Name] = forecast.Shifts(d, train, demoScore, d.Rows[i].X)
			}
		}
		scores, unmapped := sr.ToStored(resolve)
		r := base
		r.LastTrainYear, r.ScoredYear, r.TrainingRows, r.Unmapped = L, L+2, len(train), unmapped
		id, _, err := forecast.SaveRun(ctx, tx, env.Institution.ID, "vigil demo", r, scores)
		if err != nil {
			return err
		}
		if err := env.Audit.Append(ctx, tx, audit.Entry{Institution: env.Institution.ID, ActorID: an.ID, ActorName: "vigil demo",
			Action: "forecast.run", ObjectType: "forecast_run", ObjectID: id,
			Detail: fmt.Sprintf("model=demo-logit (fictional) scored_year=%d countries=%d", L+2, len(scores))}); err != nil {
			return err
		}
	}
	return nil
}
