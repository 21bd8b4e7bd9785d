package forecast

import (
	"math"
	"sort"
	"strings"
)

// Shift is how one country's risk changes when one variable alone moves,
// in the spirit of the EWP's "interpret shifts" tables: it says which
// variables drive a score.
type Shift struct {
	Variable string  `json:"variable"`
	From     float64 `json:"from"`
	To       float64 `json:"to"`
	Risk     float64 `json:"risk"`  // the risk with the variable moved
	Delta    float64 `json:"delta"` // Risk minus the country's risk
}

// Shifts moves each variable of x in turn and scores the result: a 0/1
// variable is flipped, any other is set to its median over the training
// rows (what a typical country-year has). The time variables (year, year
// squared) and the region dummies stay put: no policy moves them. Shifts are returned largest change first.
func Shifts(d *Dataset, train []int, score Scorer, x []float64) []Shift {
	base := score(x)
	var out []Shift
	moved := append([]float64(nil), x...)
	for j, v := range d.Vars {
		if v == "year" || v == "year_sq" || strings.HasPrefix(v, "reg.") {
			continue
		}
		vals := make([]float64, len(train))
		binary := true
		for i, r := range train {
			vals[i] = d.Rows[r].X[j]
			binary = binary && (vals[i] == 0 || vals[i] == 1)
		}
		to := x[j]
		if binary {
			to = 1 - x[j]
		} else {
			sort.Float64s(vals)
			to = vals[len(vals)/2]
		}
		if to == x[j] {
			continue
		}
		moved[j] = to
		r := score(moved)
		moved[j] = x[j]
		out = append(out, Shift{Variable: v, From: x[j], To: to, Risk: r, Delta: r - base})
	}
	sort.SliceStable(out, func(a, b int) bool { return math.Abs(out[a].Delta) > math.Abs(out[b].Delta) })
	return out
}
