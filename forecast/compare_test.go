package forecast

import "testing"

func common(level string) map[int]string {
	m := map[int]string{}
	for n := 1; n <= 8; n++ {
		m[n] = level
	}
	return m
}

func rules(ds []Disagreement) []int {
	var out []int
	for _, d := range ds {
		out = append(out, d.Rule)
	}
	return out
}

func TestDisagreementRules(t *testing.T) {
	lowCrimes := map[string]string{"genocide": "low", "crimes_against_humanity": "not_present", "war_crimes": "low"}
	highGenocide := map[string]string{"genocide": "high", "crimes_against_humanity": "low", "war_crimes": "low"}
	driver := []StoredShift{{Variable: "battledeaths.log2", From: 10, To: 0, Risk: 0.02, Delta: -0.08}}
	cases := []struct {
		name       string
		risk       float64
		rank       int
		shifts     []StoredShift
		a          Assessed
		want       []int
		wantFactor int
	}{
		{"high by rank, analysts low: rule 1", 0.03, 12, nil, Assessed{common("low"), lowCrimes}, []int{1}, 0},
		{"high by threshold only, analysts low: rule 1", 0.05, 45, nil, Assessed{common("not_present"), lowCrimes}, []int{1}, 0},
		{"high, one common factor moderate: no rule 1", 0.05, 12, nil, Assessed{map[int]string{1: "moderate", 2: "low"}, lowCrimes}, nil, 0},
		{"high, a crime moderate: no rule 1", 0.05, 12, nil, Assessed{common("low"), map[string]string{"genocide": "moderate"}}, nil, 0},
		{"high, nothing assessed: no flag", 0.05, 12, nil, Assessed{map[int]string{1: "not_assessed"}, map[string]string{"genocide": "not_assessed"}}, nil, 0},
		{"low forecast, genocide high: rule 2", 0.01, 80, nil, Assessed{common("moderate"), highGenocide}, []int{2}, 0},
		{"rank 30 is high: no rule 2", 0.01, 30, nil, Assessed{common("moderate"), highGenocide}, nil, 0},
		{"driver linked to a factor rated low: rule 3", 0.10, 5, driver, Assessed{map[int]string{1: "low", 2: "high"}, highGenocide}, []int{3}, 1},
		{"driver linked to a factor rated moderate: no rule 3", 0.10, 5, driver, Assessed{map[int]string{1: "moderate", 2: "high"}, highGenocide}, nil, 0},
		{"driver whose factor is not assessed: no rule 3", 0.10, 5, driver, Assessed{map[int]string{2: "high"}, highGenocide}, nil, 0},
		{"small fall (under a fifth of the risk): no rule 3", 0.10, 5,
			[]StoredShift{{Variable: "battledeaths.log2", Risk: 0.09, Delta: -0.01}}, Assessed{map[int]string{1: "low", 2: "high"}, highGenocide}, nil, 0},
		{"a rise is not a driver: no rule 3", 0.10, 5,
			[]StoredShift{{Variable: "pol_killing_approved", From: 0, To: 1, Risk: 0.2, Delta: 0.1}}, Assessed{map[int]string{2: "low", 1: "high"}, highGenocide}, nil, 0},
		{"unlinked variable: no rule 3", 0.10, 5,
			[]StoredShift{{Variable: "popsize.log2", Risk: 0.02, Delta: -0.08}}, Assessed{map[int]string{1: "high"}, highGenocide}, nil, 0},
		{"driver outside the five largest shifts: no rule 3", 0.10, 5, []StoredShift{
			{Variable: "popsize.log2", Delta: 0.3}, {Variable: "efindex", Delta: 0.3}, {Variable: "year", Delta: 0.3},
			{Variable: "un_imr_sqrt", Delta: 0.3}, {Variable: "countryage.new.log2", Delta: -0.3},
			{Variable: "battledeaths.log2", Risk: 0.02, Delta: -0.08}}, Assessed{map[int]string{1: "low", 2: "high"}, highGenocide}, nil, 0},
		{"rules 1 and 3 together", 0.10, 5, driver, Assessed{common("low"), lowCrimes}, []int{1, 3}, 1},
	}
	for _, c := range cases {
		got := Disagreements(c.risk, c.rank, c.shifts, c.a)
		g := rules(got)
		if len(g) != len(c.want) {
			t.Errorf("%s: rules %v, want %v (%+v)", c.name, g, c.want, got)
			continue
		}
		for i := range g {
			if g[i] != c.want[i] {
				t.Errorf("%s: rules %v, want %v", c.name, g, c.want)
			}
		}
		for _, d := range got {
			if d.Rule == 3 && (d.Factor != c.wantFactor || d.Variable == "" || d.Text == "") {
				t.Errorf("%s: rule 3 flag %+v", c.name, d)
			}
		}
	}
}

// TestFactorLinksAreKnownVariables: the mapping names only real predictors
// and real common or genocide factors, and every predictor has words.
func TestFactorLinksAreKnownVariables(t *testing.T) {
	known := map[string]bool{PartyBan: true}
	for _, v := range EWPVariables {
		known[v] = true
		if _, ok := VariableDescriptions[v]; !ok {
			t.Errorf("no description for %s", v)
		}
	}
	for _, l := range FactorLinks {
		if !known[l.Variable] || l.Factor < 1 || l.Factor > 14 || l.Why == "" {
			t.Errorf("bad link %+v", l)
		}
	}
}
