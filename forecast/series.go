package forecast

import (
	"fmt"
	"sort"
)

// SeriesRun is one out-of-sample fit of a series: trained on the rows up to
// LastTrainYear, scoring the rows of LastTrainYear+2.
type SeriesRun struct {
	LastTrainYear int
	ScoredYear    int
	TrainingRows  int
	Scores        []Score
	// Shifts holds the shift analysis by country name; only the latest run
	// of a series carries it.
	Shifts map[string][]Shift
}

// LatestScoredYear is the latest year with at least one complete row: the
// year a current forecast is made from.
func (d *Dataset) LatestScoredYear() int {
	y := 0
	for i := range d.Rows {
		if d.Rows[i].Year > y && d.Rows[i].complete() {
			y = d.Rows[i].Year
		}
	}
	return y
}

// RunSeries fits model m for the last training years lastL-years+1 .. lastL,
// each on its own rows only (nothing after its last training year touches
// it), and scores the year two later, as the back-test does. The latest run
// also carries the shift analysis of every country it scores. done, when
// not nil, is called after each fit.
func RunSeries(d *Dataset, m Model, o FitOptions, lastL, years int, done func(L int)) ([]SeriesRun, error) {
	if years < 1 {
		return nil, fmt.Errorf("forecast: years must be at least 1")
	}
	var out []SeriesRun
	for L := lastL - years + 1; L <= lastL; L++ {
		score, train, err := FitModel(d, L, m, o)
		if err != nil {
			return nil, err
		}
		r := SeriesRun{LastTrainYear: L, ScoredYear: L + 2, TrainingRows: len(train), Scores: ScoreYear(d, L+2, score)}
		if len(r.Scores) == 0 {
			return nil, fmt.Errorf("forecast: no complete rows for year %d to score", L+2)
		}
		if L == lastL {
			r.Shifts = map[string][]Shift{}
			for _, i := range d.ScoringRows(L + 2) {
				r.Shifts[d.Rows[i].Name] = Shifts(d, train, score, d.Rows[i].X)
			}
		}
		out = append(out, r)
		if done != nil {
			done(L)
		}
	}
	return out, nil
}

// ToStored turns a run's scores into rows for the store, mapping each name
// to a country code with resolve. Names resolve cannot map are kept (with
// Country "") and returned, sorted, so that the caller reports them.
func (r SeriesRun) ToStored(resolve func(name string) (string, bool)) ([]StoredScore, []string) {
	var out []StoredScore
	var unmapped []string
	for _, s := range r.Scores {
		st := StoredScore{Name: s.Name, Risk: s.Risk, Rank: s.Rank}
		if code, ok := resolve(s.Name); ok {
			st.Country = code
		} else {
			unmapped = append(unmapped, s.Name)
		}
		for _, sh := range r.Shifts[s.Name] {
			st.Shifts = append(st.Shifts, StoredShift{Variable: sh.Variable, Description: Describe(sh.Variable),
				From: sh.From, To: sh.To, Risk: sh.Risk, Delta: sh.Delta})
		}
		out = append(out, st)
	}
	sort.Strings(unmapped)
	return out, unmapped
}
