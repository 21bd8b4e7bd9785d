package forecast

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
)

// Score is one country's forecast made from one year's data.
type Score struct {
	Name string
	Year int // the year of the data the forecast is made from
	Risk float64
	Rank int // 1 = highest risk in that year; ties share the better rank
}

// Scorer turns one row of predictors into a probability.
type Scorer func(x []float64) float64

// Model is a way of turning training rows into a scorer. A model must use
// nothing but the rows it is given: the back-test hands it only rows with
// year <= L.
type Model struct {
	Name        string
	Description string
	Fit         func(d *Dataset, train []int, foldID []int) (Scorer, error)
}

// FitOptions say how folds are drawn when no folds file is given.
type FitOptions struct {
	Folds   Folds  // exact fold ids per last training year, or nil
	Seed    uint64 // seed for random folds
	NFolds  int    // default 10
	Workers int    // concurrent fold fits inside one fit (default 1)
}

func (o FitOptions) foldIDs(d *Dataset, L int, rows []int) ([]int, error) {
	if o.Folds != nil {
		return o.Folds.forYear(d, L, rows)
	}
	k := o.NFolds
	if k == 0 {
		k = 10
	}
	return RandomFolds(len(rows), k, o.Seed+uint64(L)), nil
}

// Design builds the column-major matrix of the given rows.
func (d *Dataset) Design(rows []int) Matrix {
	m := Matrix{N: len(rows), Cols: make([][]float64, len(d.Vars))}
	for j := range d.Vars {
		c := make([]float64, len(rows))
		for i, r := range rows {
			c[i] = d.Rows[r].X[j]
		}
		m.Cols[j] = c
	}
	return m
}

// Targets returns mk_onset_1or2 of the given rows.
func (d *Dataset) Targets(rows []int) []float64 {
	y := make([]float64, len(rows))
	for i, r := range rows {
		y[i] = d.Rows[r].Target
	}
	return y
}

// FitEWP fits the Early Warning Project's model for last training year L:
// elastic net, alpha 0.5, 10-fold cross-validation, lambda.min.
func FitEWP(d *Dataset, L int, o FitOptions) (*CVFit, []int, error) {
	rows := d.TrainingRows(L)
	ids, err := o.foldIDs(d, L, rows)
	if err != nil {
		return nil, nil, err
	}
	cv, err := FitCV(d.Design(rows), d.Targets(rows), ids, PathOptions{Alpha: 0.5}, o.Workers)
	if err != nil {
		return nil, nil, fmt.Errorf("last training year %d: %w", L, err)
	}
	return cv, rows, nil
}

// Forecast fits model m on the rows up to L and scores the complete rows of
// year L+2, ranked.
func Forecast(d *Dataset, L int, m Model, o FitOptions) ([]Score, error) {
	score, _, err := FitModel(d, L, m, o)
	if err != nil {
		return nil, err
	}
	return ScoreYear(d, L+2, score), nil
}

// FitModel fits model m on the training rows up to L and returns the scorer
// and those rows.
func FitModel(d *Dataset, L int, m Model, o FitOptions) (Scorer, []int, error) {
	rows := d.TrainingRows(L)
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("forecast: no complete training rows up to %d", L)
	}
	ids, err := o.foldIDs(d, L, rows)
	if err != nil {
		return nil, nil, err
	}
	score, err := m.Fit(d, rows, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("last training year %d: %w", L, err)
	}
	return score, rows, nil
}

// ScoreYear scores and ranks the complete rows of one year.
func ScoreYear(d *Dataset, year int, score Scorer) []Score {
	L := year - 2
	var out []Score
	for _, i := range d.ScoringRows(L + 2) {
		out = append(out, Score{Name: d.Rows[i].Name, Year: L + 2, Risk: score(d.Rows[i].X)})
	}
	rankScores(out)
	return out
}

// rankScores sets Rank: 1 for the highest risk, ties get the lowest rank
// number among them (R's rank(-risk, ties.method = "min")). The slice keeps
// its order.
func rankScores(s []Score) {
	for i := range s {
		r := 1
		for j := range s {
			if s[j].Risk > s[i].Risk {
				r++
			}
		}
		s[i].Rank = r
	}
}

// BacktestRow is one country-year of the back-test: the two forecasts that
// cover year Year (made from the data of Year-1 and of Year-2) and what
// happened.
type BacktestRow struct {
	Name     string
	Year     int
	Onset    float64 // NaN when unknown
	MaxRisk  float64 // NaN when neither forecast exists
	MinRank  int     // 0 when neither forecast exists
	RiskPrev float64 // forecast from Year-1 data (NaN if none)
	RiskTwo  float64 // forecast from Year-2 data (NaN if none)
}

// Metrics are the EWP's headline back-test figures.
type Metrics struct {
	Model               string  `json:"model"`
	AUC                 float64 `json:"auc"`
	Onsets              int     `json:"onsets"`
	OnsetsInTop30       int     `json:"onsets_in_top30"`
	Threshold           float64 `json:"threshold"`
	FalseAlarmsPerOnset float64 `json:"false_alarms_per_onset"`
}

// Backtest is the result of the whole pseudo-out-of-sample exercise.
type Backtest struct {
	Forecasts map[int][]Score // by last training year
	Rows      []BacktestRow
	Metrics   Metrics
}

// BacktestOptions bound the exercise. The zero value is the EWP's: last
// training years 1991..2021, threshold 4 %.
type BacktestOptions struct {
	FirstL, LastL int
	Threshold     float64
	Parallel      int // fits run at once (default: number of CPUs)
}

// RunBacktest fits the model once per last training year L (rows up to L
// only), scores year L+2, and evaluates, for every country-year Y from
// FirstL+3 to LastL+3, the larger of the two forecasts that cover Y against
// the onsets of Y.
func RunBacktest(d *Dataset, m Model, o FitOptions, bo BacktestOptions) (*Backtest, error) {
	if bo.FirstL == 0 {
		bo.FirstL = 1991
	}
	if bo.LastL == 0 {
		bo.LastL = 2021
	}
	if bo.Threshold == 0 {
		bo.Threshold = 0.04
	}
	par := bo.Parallel
	if par < 1 {
		par = runtime.GOMAXPROCS(0)
	}
	bt := &Backtest{Forecasts: map[int][]Score{}}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for L := bo.FirstL; L <= bo.LastL; L++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(L int) {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := Forecast(d, L, m, o)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			bt.Forecasts[L] = s
		}(L)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	type key struct {
		name string
		year int
	}
	byKey := map[key]Score{}
	for _, ss := range bt.Forecasts {
		for _, s := range ss {
			byKey[key{s.Name, s.Year}] = s
		}
	}
	for _, r := range d.Rows {
		if r.Year < bo.FirstL+3 || r.Year > bo.LastL+3 {
			continue
		}
		br := BacktestRow{Name: r.Name, Year: r.Year, Onset: r.Onset, MaxRisk: math.NaN(), RiskPrev: math.NaN(), RiskTwo: math.NaN()}
		for _, back := range []int{1, 2} {
			s, ok := byKey[key{r.Name, r.Year - back}]
			if !ok {
				continue
			}
			if back == 1 {
				br.RiskPrev = s.Risk
			} else {
				br.RiskTwo = s.Risk
			}
			if math.IsNaN(br.MaxRisk) || s.Risk > br.MaxRisk {
				br.MaxRisk = s.Risk
			}
			if br.MinRank == 0 || s.Rank < br.MinRank {
				br.MinRank = s.Rank
			}
		}
		bt.Rows = append(bt.Rows, br)
	}
	bt.Metrics = Evaluate(bt.Rows, bo.Threshold)
	bt.Metrics.Model = m.Name
	return bt, nil
}

// Evaluate computes the EWP's figures from back-test rows:
//   - AUC of the larger covering forecast against the onsets, over the rows
//     that have both (the Mann-Whitney statistic with tied scores sharing
//     their average rank, which is what pROC reports);
//   - onsets, and onsets whose better covering rank is 30 or less;
//   - false alarms per onset at the threshold: country-years without an onset
//     whose risk is above it, divided by those with an onset above it.
func Evaluate(rows []BacktestRow, threshold float64) Metrics {
	m := Metrics{Threshold: threshold}
	var scored []BacktestRow
	fa, hits := 0, 0
	for _, r := range rows {
		if math.IsNaN(r.Onset) {
			continue
		}
		if r.Onset == 1 {
			m.Onsets++
			if r.MinRank > 0 && r.MinRank <= 30 {
				m.OnsetsInTop30++
			}
		}
		if math.IsNaN(r.MaxRisk) {
			continue
		}
		scored = append(scored, r)
		if r.MaxRisk > threshold {
			if r.Onset == 1 {
				hits++
			} else {
				fa++
			}
		}
	}
	m.AUC = auc(scored)
	if hits > 0 {
		m.FalseAlarmsPerOnset = float64(fa) / float64(hits)
	} else {
		m.FalseAlarmsPerOnset = math.Inf(1)
	}
	return m
}

func auc(rows []BacktestRow) float64 {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return rows[idx[a]].MaxRisk < rows[idx[b]].MaxRisk })
	rank := make([]float64, len(rows))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && rows[idx[j+1]].MaxRisk == rows[idx[i]].MaxRisk {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			rank[idx[k]] = avg
		}
		i = j + 1
	}
	var npos, nneg, sumPos float64
	for i, r := range rows {
		if r.Onset == 1 {
			npos++
			sumPos += rank[i]
		} else {
			nneg++
		}
	}
	if npos == 0 || nneg == 0 {
		return math.NaN()
	}
	return (sumPos - npos*(npos+1)/2) / (npos * nneg)
}
