package forecast

import (
	"fmt"
	"math"
	"sort"
)

// The thresholds of the disagreement rules: the EWP's own yardsticks, its
// top 30 and its 4 % alarm threshold.
const (
	TopRank        = 30
	AlarmThreshold = 0.04
	// DriverShare: a variable drives a score when moving it to a typical
	// value would lower the risk by at least this share of it.
	DriverShare = 0.2
	// DriverTop: only the shifts with the largest changes are looked at.
	DriverTop = 5
)

// DisagreementRule states the rules in plain words; the country page
// prints it above the flags it raises.
const DisagreementRule = "Flagged when (1) the statistical forecast is high (rank 30 or better, or risk above 4%) while the assessment rates " +
	"every assessed common risk factor (1-8) and every crime not present or low; (2) the forecast is low (rank below 30 and risk at " +
	"most 4%) while the assessment rates some crime high; or (3) among the five largest shifts, moving a variable to a typical value " +
	"would lower the risk by at least a fifth, the variable is linked to a risk factor in the table below, and the assessment rates " +
	"that factor not present or low."

// Assessed is what the disagreement rules need of the institution's own
// assessment: the level of each risk factor and of each crime after the
// roll-up (and the analysts' overrides). Levels are the risk package's:
// not_assessed, not_present, low, moderate, high.
type Assessed struct {
	Factors map[int]string
	Crimes  map[string]string
}

// Disagreement is one flag raised by the rules.
type Disagreement struct {
	Rule     int    `json:"rule"` // 1, 2 or 3 as numbered in DisagreementRule
	Text     string `json:"text"`
	Variable string `json:"variable,omitempty"`
	Factor   int    `json:"factor,omitempty"`
}

func lowLevel(l string) bool { return l == "not_present" || l == "low" }

// Disagreements applies the rules to one country's score and shifts and
// its assessment.
func Disagreements(risk float64, rank int, shifts []StoredShift, a Assessed) []Disagreement {
	var out []Disagreement
	high := rank <= TopRank || risk > AlarmThreshold
	// Rule 1 and 2 need the levels.
	assessedCommon, allLow := 0, true
	for n := 1; n <= 8; n++ {
		l, ok := a.Factors[n]
		if !ok || l == "not_assessed" || l == "" {
			continue
		}
		assessedCommon++
		allLow = allLow && lowLevel(l)
	}
	crimeHigh := false
	var crimes []string
	for k := range a.Crimes {
		crimes = append(crimes, k)
	}
	sort.Strings(crimes)
	for _, k := range crimes {
		l := a.Crimes[k]
		if l == "not_assessed" || l == "" {
			continue
		}
		allLow = allLow && lowLevel(l)
		crimeHigh = crimeHigh || l == "high"
	}
	if high && assessedCommon > 0 && allLow {
		out = append(out, Disagreement{Rule: 1, Text: fmt.Sprintf(
			"The statistical forecast is high (risk %.1f%%, rank %d) but the assessment rates every assessed common risk factor and every crime not present or low.",
			100*risk, rank)})
	}
	if !high && crimeHigh {
		out = append(out, Disagreement{Rule: 2, Text: fmt.Sprintf(
			"The statistical forecast is low (risk %.1f%%, rank %d) but the assessment rates at least one crime high.", 100*risk, rank)})
	}
	// Rule 3: the largest shifts.
	top := append([]StoredShift(nil), shifts...)
	sort.SliceStable(top, func(i, j int) bool { return math.Abs(top[i].Delta) > math.Abs(top[j].Delta) })
	if len(top) > DriverTop {
		top = top[:DriverTop]
	}
	for _, sh := range top {
		if sh.Delta >= 0 || -sh.Delta < DriverShare*risk {
			continue
		}
		link, ok := FactorOf(sh.Variable)
		if !ok {
			continue
		}
		if l := a.Factors[link.Factor]; lowLevel(l) {
			out = append(out, Disagreement{Rule: 3, Variable: sh.Variable, Factor: link.Factor, Text: fmt.Sprintf(
				"%q (%s) drives the score: at a typical value the risk would fall from %.1f%% to %.1f%%. It is linked to risk factor %d (%s), which the assessment rates %s.",
				sh.Variable, Describe(sh.Variable), 100*risk, 100*sh.Risk, link.Factor, link.Why, levelWords(l))})
		}
	}
	return out
}

func levelWords(l string) string {
	if l == "not_present" {
		return "not present"
	}
	return l
}
