package risk

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// RuleFactor and RuleCrime state the roll-up rules in plain words; pages and
// reports print them beside the levels, so no level is a black box.
const (
	RuleFactor = "A risk factor takes the highest rating given to any of its indicators. Indicators not assessed are left out; " +
		"a factor with no assessed indicator is not assessed. The count of indicators at each rating is shown beside the level."
	RuleCrime = "Each crime takes the higher level of its two specific risk factors (genocide 9-10, crimes against humanity 11-12, " +
		"war crimes 13-14). If the middle (median) level of the eight common risk factors is higher, the crime is raised one step " +
		"towards it, because the common factors make every atrocity crime more likely."
)

// Level is a computed level with the analyst's override, if any.
type Level struct {
	Computed   string // from the rule
	Level      string // what the reader should take: the override if there is one
	Overridden bool
	Reason     string
}

func (l Level) withOverride(o *Override) Level {
	l.Level = l.Computed
	if o != nil {
		l.Level, l.Overridden, l.Reason = o.Level, true, o.Reason
	}
	return l
}

// FactorLevel is one risk factor's roll-up.
type FactorLevel struct {
	Number    int
	Title     string
	TitleLang string // "en" when the English title stands in for a translation (see Assessment.Localize)
	// TitleUnchecked: the title shown is a translation no one has checked.
	TitleUnchecked bool
	AppliesTo      string
	Level
	Counts   map[string]int // ratings by value
	Assessed int
	Total    int
	Ratings  []Rating
}

// CountsText says how many indicators got each rating, e.g. "2 high, 1 moderate".
func (f FactorLevel) CountsText() string {
	return f.CountsIn(func(r string) string { return strings.ReplaceAll(r, "_", " ") }, ", ")
}

// CountsIn is CountsText with the rating names (and separator) of another
// language.
func (f FactorLevel) CountsIn(name func(rating string) string, sep string) string {
	var parts []string
	for _, r := range []string{High, Moderate, Low, NotPresent, NotAssessed} {
		if n := f.Counts[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, name(r)))
		}
	}
	return strings.Join(parts, sep)
}

// CrimeLevel is one crime's roll-up.
type CrimeLevel struct {
	Key string
	Level
	Specific string // the higher specific factor's level, before the common-factor step
	Common   string // median level of the common factors
}

// Rollup is the set of computed levels of an assessment.
type Rollup struct {
	Factors []FactorLevel
	Crimes  []CrimeLevel
}

// Factor returns the roll-up of risk factor n.
func (r Rollup) Factor(n int) (FactorLevel, bool) {
	for _, f := range r.Factors {
		if f.Number == n {
			return f, true
		}
	}
	return FactorLevel{}, false
}

// Roll computes the levels of a by RuleFactor and RuleCrime and applies its overrides.
func Roll(a Assessment) Rollup {
	over := map[string]*Override{}
	for i := range a.Overrides {
		over[a.Overrides[i].Scope] = &a.Overrides[i]
	}
	byNum := map[int]*FactorLevel{}
	var order []int
	for _, r := range a.Ratings {
		f, ok := byNum[r.FactorNumber]
		if !ok {
			f = &FactorLevel{Number: r.FactorNumber, Title: r.FactorTitle, TitleLang: r.FactorLang, TitleUnchecked: r.FactorUnchecked, AppliesTo: r.AppliesTo, Counts: map[string]int{}}
			f.Computed = NotAssessed
			byNum[r.FactorNumber] = f
			order = append(order, r.FactorNumber)
		}
		f.Total++
		f.Counts[r.Rating]++
		f.Ratings = append(f.Ratings, r)
		if r.Rating != NotAssessed {
			f.Assessed++
			if score(r.Rating) > score(f.Computed) {
				f.Computed = r.Rating
			}
		}
	}
	sort.Ints(order)
	var out Rollup
	effective := map[int]int{}
	var common []int
	for _, n := range order {
		f := byNum[n]
		f.Level = f.Level.withOverride(over["factor:"+strconv.Itoa(n)])
		effective[n] = score(f.Level.Level)
		if f.AppliesTo == "all" && f.Level.Level != NotAssessed {
			common = append(common, score(f.Level.Level))
		}
		out.Factors = append(out.Factors, *f)
	}
	med := -1
	if len(common) > 0 {
		sort.Ints(common)
		med = common[(len(common)-1)/2] // lower median: never rounds up
	}
	for _, c := range Crimes {
		spec := -1
		for _, n := range c.Factors {
			if s, ok := effective[n]; ok && s > spec {
				spec = s
			}
		}
		lvl := spec
		if spec >= 0 && med > spec {
			lvl = spec + 1
		}
		cl := CrimeLevel{Key: c.Key, Specific: levelOf(spec), Common: levelOf(med)}
		cl.Computed = levelOf(lvl)
		cl.Level = cl.Level.withOverride(over["crime:"+c.Key])
		out.Crimes = append(out.Crimes, cl)
	}
	return out
}

// Change is how a factor's level moved since the previous period.
type Change struct {
	Number         int
	Title          string
	TitleLang      string
	Before, After  string
	Delta          int // positive: risk rose
	RatingsChanged []RatingChange
}

// RatingChange is one indicator whose rating differs between periods.
type RatingChange struct {
	Number, Wording, Before, After string
}

// Compare sets the roll-up of a beside that of prev, factor by factor, and
// lists the indicators (matched by number) whose rating changed.
func Compare(prev, cur Assessment) []Change {
	pr, cr := Roll(prev), Roll(cur)
	prevRatings := map[string]string{}
	for _, r := range prev.Ratings {
		prevRatings[r.Number] = r.Rating
	}
	var out []Change
	for _, f := range cr.Factors {
		c := Change{Number: f.Number, Title: f.Title, TitleLang: f.TitleLang, After: f.Level.Level, Before: NotAssessed}
		if p, ok := pr.Factor(f.Number); ok {
			c.Before = p.Level.Level
		}
		c.Delta = score(c.After) - score(c.Before)
		for _, r := range f.Ratings {
			if b, ok := prevRatings[r.Number]; ok && b != r.Rating {
				c.RatingsChanged = append(c.RatingsChanged, RatingChange{r.Number, r.Wording, b, r.Rating})
			}
		}
		out = append(out, c)
	}
	return out
}
