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

// PartyBan names the shift row of the three party-ban dummies, which move
// together: From and To are the category (0 all parties but the ruling one
// banned, 1 some banned, 2 none banned; -1 none of the three set).
const PartyBan = "partyban.new"

// Shifts moves each variable of x in turn and scores the result: a 0/1
// variable is flipped, any other is set to its median over the training
// rows (what a typical country-year has). The three party-ban dummies are
// one categorical variable, so they move together to the category most
// common in the training rows (flipping one alone would give a row no
// country can have). The time variables (year, year squared) and the region
// dummies stay put: no policy moves them. Shifts are returned largest
// change first.
func Shifts(d *Dataset, train []int, score Scorer, x []float64) []Shift {
	base := score(x)
	var out []Shift
	moved := append([]float64(nil), x...)
	var ban []int // column of partyban.new.0, .1, .2
	for k := 0; k < 3; k++ {
		for j, v := range d.Vars {
			if v == PartyBan+"."+string(rune('0'+k)) {
				ban = append(ban, j)
			}
		}
	}
	if len(ban) == 3 {
		cat := func(row []float64) int {
			for k, j := range ban {
				if row[j] == 1 {
					return k
				}
			}
			return -1
		}
		var counts [3]int
		for _, r := range train {
			if c := cat(d.Rows[r].X); c >= 0 {
				counts[c]++
			}
		}
		mode := 0
		for k := range counts {
			if counts[k] > counts[mode] {
				mode = k
			}
		}
		if from := cat(x); from != mode {
			for k, j := range ban {
				moved[j] = 0
				if k == mode {
					moved[j] = 1
				}
			}
			r := score(moved)
			copy(moved, x)
			out = append(out, Shift{Variable: PartyBan, From: float64(from), To: float64(mode), Risk: r, Delta: r - base})
		}
	} else {
		ban = nil
	}
	for j, v := range d.Vars {
		if v == "year" || v == "year_sq" || strings.HasPrefix(v, "reg.") || (ban != nil && strings.HasPrefix(v, PartyBan+".")) {
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
