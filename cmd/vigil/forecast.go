package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"vigil/audit"
	"vigil/db"
	"vigil/forecast"
	"vigil/importer"
)

func init() {
	register(command{"forecast", "statistical early warning: fit, backtest, models", runForecast})
}

const forecastUsage = `Usage: vigil forecast SUBCOMMAND [flags]

Subcommands:
  fit       train on the rows up to a last training year and score the year two later
  backtest  run the Early Warning Project's year-by-year back-test and print its figures
  models    list the models the back-test can judge
  run       fit out of sample and store the scores, ranks and shift analysis for the pages

Run 'vigil forecast SUBCOMMAND --help' for its flags.`

func runForecast(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, forecastUsage)
		return usagef("missing subcommand: fit, backtest, models or run")
	}
	switch args[0] {
	case "fit":
		return forecastFit(args[1:])
	case "backtest":
		return forecastBacktest(args[1:])
	case "models":
		return forecastModels(args[1:])
	case "run":
		return forecastRun(ctx, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(os.Stderr, forecastUsage)
		return flag.ErrHelp
	}
	return usagef("unknown subcommand %q: want fit, backtest, models or run", args[0])
}

// forecastInputs are the flags fit and backtest share.
type forecastInputs struct {
	data, folds, model string
	seed               uint64
}

func addForecastInputs(fs *flag.FlagSet) *forecastInputs {
	in := &forecastInputs{}
	fs.StringVar(&in.data, "data", "", "country-year CSV in the Early Warning Project layout (required)")
	fs.StringVar(&in.folds, "folds", "", "CSV of cross-validation folds: lasttrainyear,ewp_name,year,foldid (default: folds drawn with --seed)")
	fs.StringVar(&in.model, "model", "ewp", "model to run (see 'vigil forecast models')")
	fs.Uint64Var(&in.seed, "seed", 90035, "seed for the folds when --folds is not given")
	return in
}

func (in *forecastInputs) load() (*forecast.Dataset, forecast.Model, forecast.FitOptions, error) {
	var opt forecast.FitOptions
	if in.data == "" {
		return nil, forecast.Model{}, opt, usagef("--data is required")
	}
	m, ok := forecast.ModelByName(in.model)
	if !ok {
		return nil, m, opt, usagef("unknown model %q (see 'vigil forecast models')", in.model)
	}
	d, err := forecast.LoadFile(in.data)
	if err != nil {
		return nil, m, opt, err
	}
	opt.Seed = in.seed
	if in.folds != "" {
		if opt.Folds, err = forecast.LoadFoldsFile(in.folds); err != nil {
			return nil, m, opt, err
		}
	}
	return d, m, opt, nil
}

// jsonFloat keeps NaN and infinities out of JSON (they are not numbers there).
func jsonFloat(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func forecastFit(args []string) error {
	fs := newFlags("forecast fit", "forecast fit --data FILE --last-train-year L [--folds FILE] [--model NAME] [--seed N] [--out FILE] [--json] [--explain COUNTRY]")
	in := addForecastInputs(fs)
	last := fs.Int("last-train-year", 0, "last year whose rows train the model; the rows of the year two later are scored (required)")
	out := fs.String("out", "", "write ewp_name,risk,rank to this file (default: standard output)")
	asJSON := fs.Bool("json", false, "print one JSON object on standard output")
	explain := fs.String("explain", "", "also show, for this country (ewp_name), how its risk moves when each variable alone moves (needs --out or --json)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *last == 0 {
		return usagef("--last-train-year is required")
	}
	if *explain != "" && *out == "" && !*asJSON {
		return usagef("--explain needs --out or --json, so that the scores and the explanation are not mixed on standard output")
	}
	d, m, opt, err := in.load()
	if err != nil {
		return err
	}
	opt.Workers = 2
	score, train, err := forecast.FitModel(d, *last, m, opt)
	if err != nil {
		return err
	}
	scores := forecast.ScoreYear(d, *last+2, score)
	if len(scores) == 0 {
		return fmt.Errorf("no complete rows for year %d to score", *last+2)
	}
	type explained struct {
		Name   string           `json:"ewp_name"`
		Risk   float64          `json:"risk"`
		Rank   int              `json:"rank"`
		Shifts []forecast.Shift `json:"shifts"`
	}
	var ex *explained
	if *explain != "" {
		for _, s := range scores {
			if s.Name == *explain {
				ex = &explained{Name: s.Name, Risk: s.Risk, Rank: s.Rank}
				for _, r := range d.ScoringRows(*last + 2) {
					if d.Rows[r].Name == *explain {
						ex.Shifts = forecast.Shifts(d, train, score, d.Rows[r].X)
					}
				}
			}
		}
		if ex == nil {
			return usagef("%q has no complete row in %d to explain", *explain, *last+2)
		}
	}
	if *out != "" || !*asJSON {
		var w io.Writer = os.Stdout
		if *out != "" {
			f, err := os.Create(*out)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		if err := writeScores(w, scores); err != nil {
			return err
		}
		if ex != nil && !*asJSON {
			fmt.Printf("%s: risk %.4f, rank %d. Largest changes when one variable moves alone:\n", ex.Name, ex.Risk, ex.Rank)
			for i, sh := range ex.Shifts {
				if i == 8 {
					break
				}
				fmt.Printf("  %-28s %10.4g -> %-10.4g risk %.4f (%+.4f)\n", sh.Variable, sh.From, sh.To, sh.Risk, sh.Delta)
			}
		}
	}
	if *asJSON {
		type js struct {
			Name string  `json:"ewp_name"`
			Risk float64 `json:"risk"`
			Rank int     `json:"rank"`
		}
		res := struct {
			Model         string     `json:"model"`
			LastTrainYear int        `json:"last_train_year"`
			ScoredYear    int        `json:"scored_year"`
			TrainingRows  int        `json:"training_rows"`
			Out           string     `json:"out,omitempty"`
			Scores        []js       `json:"scores,omitempty"`
			Explain       *explained `json:"explain,omitempty"`
		}{Explain: ex, Model: m.Name, LastTrainYear: *last, ScoredYear: *last + 2, TrainingRows: len(d.TrainingRows(*last)), Out: *out}
		if *out == "" {
			for _, s := range scores {
				res.Scores = append(res.Scores, js{s.Name, s.Risk, s.Rank})
			}
		}
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	return nil
}

func writeScores(w io.Writer, scores []forecast.Score) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"ewp_name", "risk", "rank"})
	for _, s := range scores {
		cw.Write([]string{s.Name, strconv.FormatFloat(s.Risk, 'g', 17, 64), strconv.Itoa(s.Rank)})
	}
	cw.Flush()
	return cw.Error()
}

func forecastBacktest(args []string) error {
	fs := newFlags("forecast backtest", "forecast backtest --data FILE [--folds FILE] [--model NAME] [--seed N] [--threshold T] --out FILE [--json]")
	in := addForecastInputs(fs)
	out := fs.String("out", "", "write the back-test, one row per country-year, to this CSV file (required)")
	threshold := fs.Float64("threshold", 0.04, "risk above which a forecast counts as an alarm, for false alarms per onset")
	first := fs.Int("first-year", 1991, "first last-training-year of the back-test")
	lastL := fs.Int("last-year", 2021, "last last-training-year of the back-test")
	asJSON := fs.Bool("json", false, "print the figures as one JSON object on standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if *first > *lastL {
		return usagef("--first-year %d is after --last-year %d", *first, *lastL)
	}
	d, m, opt, err := in.load()
	if err != nil {
		return err
	}
	start := time.Now()
	bt, err := forecast.RunBacktest(d, m, opt, forecast.BacktestOptions{FirstL: *first, LastL: *lastL, Threshold: *threshold})
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := writeBacktest(f, bt); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	mt := bt.Metrics
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{
			"model":                  mt.Model,
			"auc":                    jsonFloat(mt.AUC),
			"onsets":                 mt.Onsets,
			"onsets_in_top30":        mt.OnsetsInTop30,
			"threshold":              mt.Threshold,
			"false_alarms_per_onset": jsonFloat(mt.FalseAlarmsPerOnset),
		})
	}
	fmt.Printf("model %s: %d fits (last training years %d-%d) in %s\n", mt.Model, *lastL-*first+1, *first, *lastL, elapsed.Round(time.Millisecond))
	fmt.Printf("AUC %.4f; %d of %d onsets in the top 30; %.1f false alarms per onset above %g\n", mt.AUC, mt.OnsetsInTop30, mt.Onsets, mt.FalseAlarmsPerOnset, mt.Threshold)
	fmt.Printf("wrote %s\n", *out)
	return nil
}

func writeBacktest(w io.Writer, bt *forecast.Backtest) error {
	f := func(v float64) string {
		if math.IsNaN(v) {
			return "NA"
		}
		return strconv.FormatFloat(v, 'g', 17, 64)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"year", "ewp_name", "mk_onset", "risk_prev", "risk_two_years_prior", "maxrisk2", "minrank2"})
	for _, r := range bt.Rows {
		rank := "NA"
		if r.MinRank > 0 {
			rank = strconv.Itoa(r.MinRank)
		}
		cw.Write([]string{strconv.Itoa(r.Year), r.Name, f(r.Onset), f(r.RiskPrev), f(r.RiskTwo), f(r.MaxRisk), rank})
	}
	cw.Flush()
	return cw.Error()
}

func forecastModels(args []string) error {
	fs := newFlags("forecast models", "forecast models [--json]")
	asJSON := fs.Bool("json", false, "print the list as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	type js struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	var list []js
	for _, m := range forecast.Models() {
		list = append(list, js{m.Name, m.Description})
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"models": list})
	}
	for _, m := range list {
		fmt.Printf("%-10s %s\n", m.Name, m.Description)
	}
	return nil
}

// forecastRun fits strictly out of sample, as the back-test does, and
// stores the result for the pages under /forecast: for each of the --years
// last training years ending at --last-train-year, one run scoring the year
// two later, and for the latest run the shift analysis of every country.
// It follows the import convention: a progress bar on a terminal, one
// summary (or --json object) on standard output, and running the same file,
// model, folds and years again changes nothing (no fit is even redone).
func forecastRun(ctx context.Context, args []string) error {
	fs := newFlags("forecast run", "forecast run --data FILE [--model NAME] [--folds FILE] [--last-train-year L] [--years N] [--db URL] [--data-dir DIR] [--institution ID] [--json]")
	in := addForecastInputs(fs)
	last := fs.Int("last-train-year", 0, "last training year of the latest run (default: two years before the latest year with complete rows, i.e. the current forecast)")
	years := fs.Int("years", 5, "number of runs, one per last training year ending at --last-train-year, each fitted on its own rows only (the trend on the country page)")
	sf := &storeFlags{}
	fs.StringVar(&sf.db, "db", os.Getenv("VIGIL_DB"), "store: sqlite:PATH or postgres://URL (env VIGIL_DB; default sqlite:DIR/vigil.db)")
	fs.StringVar(&sf.data, "data-dir", envOr("VIGIL_DATA", "data"), "data directory of the store: embedded database, keys (env VIGIL_DATA)")
	sec := addSecretFlags(fs)
	instFlag := fs.String("institution", "", "institution that owns the runs (default: the only one in the store)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object on standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *years < 1 {
		return usagef("--years must be at least 1")
	}
	d, m, opt, err := in.load()
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(in.data)
	if err != nil {
		return err
	}
	job := forecast.Job{Data: d, DataFile: filepath.Base(in.data), DataSHA256: forecast.SHA256(raw), Model: m, Options: opt,
		CV: fmt.Sprintf("random folds, seed %d", in.seed), LastL: *last, Years: *years}
	job.Options.Workers = 2
	if in.folds != "" {
		fb, err := os.ReadFile(in.folds)
		if err != nil {
			return err
		}
		job.CV = "folds " + filepath.Base(in.folds) + " sha256 " + forecast.SHA256(fb)
	}

	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	env, err := importEnv(ctx, store, sf.data, sec, *instFlag)
	if err != nil {
		return err
	}
	if env.Institution == "" {
		return usagef("the store holds several institutions (or none): name one with --institution")
	}
	job.Institution, job.By = env.Institution, env.Actor
	if err := store.Read(ctx, env.Institution, func(tx *db.Tx) error {
		_, empty, err := forecast.Resolver(ctx, tx)
		if empty {
			fmt.Fprintln(os.Stderr, "warning: the store has no country list (vigil import countries): no name can be mapped to a country code")
		}
		return err
	}); err != nil {
		return err
	}
	pending, err := job.Pending(ctx, store)
	if err != nil {
		return err
	}
	p := importer.NewProgress("forecast run " + m.Name)
	p.SetTotal(pending)
	outs, err := forecast.RunAndStore(ctx, store, job, func(ctx context.Context, tx *db.Tx, r forecast.StoredRun, id string, n int) error {
		return env.Audit.Append(ctx, tx, audit.Entry{Institution: env.Institution, ActorName: env.Actor, Action: "forecast.run",
			ObjectType: "forecast_run", ObjectID: id, Detail: forecast.AuditDetail(r, n)})
	}, func() { p.Add(1) })
	p.Done()
	var res importer.Result
	for _, o := range outs {
		res.Count(o.Outcome)
	}
	if err != nil {
		return importFailed(res, err, *asJSON)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(map[string]any{"inserted": res.Inserted, "updated": res.Updated, "unchanged": res.Unchanged, "rejected": res.Rejected,
			"errors": []any{}, "model": m.Name, "data_sha256": job.DataSHA256, "cv": job.CV, "runs": outs})
	}
	if err := importer.Report(os.Stdout, res, false); err != nil {
		return err
	}
	for _, o := range outs {
		fmt.Printf("run %s: trained to %d, scored %d: %s", o.ID, o.LastTrainYear, o.ScoredYear, o.Outcome)
		if o.Outcome == importer.Inserted {
			fmt.Printf(", %d countries", o.Countries)
		}
		fmt.Println()
		if len(o.Unmapped) > 0 {
			fmt.Printf("  names not mapped to a country code (stored without one): %s\n", strings.Join(o.Unmapped, "; "))
		}
	}
	return nil
}
