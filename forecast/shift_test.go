package forecast

import (
	"math"
	"testing"
)

// TestShiftsPartyBanMovesAsOneCategory: the three party-ban dummies are
// moved together to the most common category of the training rows, and
// never one alone.
func TestShiftsPartyBanMovesAsOneCategory(t *testing.T) {
	d := &Dataset{Vars: []string{"partyban.new.0", "partyban.new.1", "partyban.new.2", "flag"}}
	// Training rows: category 2 (no party banned) is the most common.
	for i, c := range []int{2, 2, 2, 1, 0, 2} {
		x := []float64{0, 0, 0, float64(i % 2)}
		x[c] = 1
		d.Rows = append(d.Rows, Row{X: x})
	}
	train := []int{0, 1, 2, 3, 4, 5}
	score := func(x []float64) float64 { return 1 / (1 + math.Exp(-(2*x[0] + x[1] + 0.5*x[3] - 3))) }
	s := Shifts(d, train, score, []float64{1, 0, 0, 0}) // every party but the ruling one banned
	var ban *Shift
	for i := range s {
		switch s[i].Variable {
		case PartyBan:
			ban = &s[i]
		case "partyban.new.0", "partyban.new.1", "partyban.new.2":
			t.Fatalf("a party-ban dummy moved alone: %+v", s[i])
		}
	}
	if ban == nil || ban.From != 0 || ban.To != 2 {
		t.Fatalf("party-ban shift %+v, want category 0 moved to 2", ban)
	}
	if want := score([]float64{0, 0, 1, 0}); math.Abs(ban.Risk-want) > 1e-15 || ban.Delta >= 0 {
		t.Errorf("party-ban shift risk %v, want %v (lower)", ban.Risk, want)
	}
	// A country already in the most common category gets no party-ban row.
	for _, sh := range Shifts(d, train, score, []float64{0, 0, 1, 0}) {
		if sh.Variable == PartyBan {
			t.Errorf("shift for a country already in the common category: %+v", sh)
		}
	}
	if _, ok := FactorOf(PartyBan); !ok || Describe(PartyBan) == PartyBan {
		t.Error("the party-ban row has no factor link or description")
	}
}
