package risk

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"vigil/db"
	"vigil/sensitivity"
	"vigil/treaty"
)

// Other parts of Vigil point at indicators by the text of a code, each in
// its own habit: incidents write "RF9.3" (act_indicators), recommendations
// "9.3" (rec_risk_links), the treaty analysis "6.7". IndicatorNumber is the
// one place that turns such a code into an indicator number of a framework,
// and the queries below read those parts' tables (read only, scoped to the
// institution, filtered by sensitivity) to show, beside each rating, the
// documented acts, the recommendations made to the State with its response
// and the institution's view of their implementation, and the treaty gaps.

var codeRe = regexp.MustCompile(`^([0-9]{1,3})\.([0-9]{1,3})$`)

// IndicatorNumber normalises an indicator code written elsewhere ("RF9.3",
// "rf 9.3", "FoA-9.3", "09.03", "9.3") to the number of an indicator
// ("9.3"). It returns "" for a code that names no single indicator, such as
// a whole risk factor ("RF9").
func IndicatorNumber(code string) string {
	c := strings.ToUpper(strings.TrimSpace(code))
	for _, p := range []string{"RF", "FOA", "IND"} {
		c = strings.TrimPrefix(c, p)
	}
	c = strings.TrimLeft(c, " -_:#.")
	m := codeRe.FindStringSubmatch(c)
	if m == nil {
		return ""
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	return strconv.Itoa(a) + "." + strconv.Itoa(b)
}

// Links are the records of other parts that bear on one indicator.
type Links struct {
	Acts []ActLink
	Recs []RecLink
	Gaps []GapLink
}

// Empty reports whether there is nothing linked.
func (l Links) Empty() bool { return len(l.Acts) == 0 && len(l.Recs) == 0 && len(l.Gaps) == 0 }

// ActLink is a documented act (incident documentation) coded with the
// indicator, in the assessment's country and period.
type ActLink struct {
	ActID, EventID string
	EventTitle     string
	Date           string
	Type           string
	Victims        int
	Sensitivity    sensitivity.Level // the higher of the act's and the event's
}

// RecLink is a recommendation to the State confirmed as bearing on the
// indicator, with the State's response and the institution's latest
// independent assessment of its implementation.
type RecLink struct {
	ID          string
	Mechanism   string
	Body        string
	Symbol      string // document symbol
	Paragraph   string
	Text        string
	Response    string // the State's response: supported, noted...
	Sensitivity sensitivity.Level
	// The institution's latest independent assessment visible at the
	// reader's level; empty when there is none.
	NHRIStatus      string
	NHRIDate        string
	NHRISensitivity sensitivity.Level
}

// Ref names the recommendation: its document and paragraph.
func (r RecLink) Ref() string {
	s := strings.TrimSpace(r.Symbol)
	if r.Paragraph != "" {
		if s != "" {
			s += " "
		}
		s += "¶ " + r.Paragraph
	}
	if s == "" {
		s = r.Body
	}
	return s
}

// GapLink is a gap in the State's treaty participation or implementation
// that the treaty analysis ties to the indicator.
type GapLink struct {
	Kind, Subject, Label, Detail string
	// Level is the clearance the gap was computed at (the treaty analysis
	// reads the institution's own entries up to it).
	Level sensitivity.Level
}

// LinkSet holds the links of an assessment by indicator number.
type LinkSet map[string]Links

// Of returns the links of indicator number.
func (s LinkSet) Of(number string) Links { return s[number] }

// Counts of links by kind over a set of indicator numbers.
type LinkCounts struct{ Acts, Recs, Gaps int }

// Redact returns the links an audience cleared up to level may see.
func (s LinkSet) Redact(level sensitivity.Level) LinkSet {
	out := LinkSet{}
	for n, l := range s {
		var k Links
		k.Acts = sensitivity.Filter(level, l.Acts, func(a ActLink) sensitivity.Level { return a.Sensitivity })
		for _, r := range l.Recs {
			if !sensitivity.Allows(level, r.Sensitivity) {
				continue
			}
			if r.NHRIStatus != "" && !sensitivity.Allows(level, r.NHRISensitivity) {
				r.NHRIStatus, r.NHRIDate, r.NHRISensitivity = "", "", 0
			}
			k.Recs = append(k.Recs, r)
		}
		k.Gaps = sensitivity.Filter(level, l.Gaps, func(g GapLink) sensitivity.Level { return g.Level })
		if !k.Empty() {
			out[n] = k
		}
	}
	return out
}

// HasLevel reports whether any linked record (act, recommendation or its
// implementation assessment) is at level.
func (s LinkSet) HasLevel(level sensitivity.Level) bool {
	for _, l := range s {
		for _, a := range l.Acts {
			if a.Sensitivity == level {
				return true
			}
		}
		for _, r := range l.Recs {
			if r.Sensitivity == level || (r.NHRIStatus != "" && r.NHRISensitivity == level) {
				return true
			}
		}
	}
	return false
}

// Recommendations lists the linked recommendations once each, in the order
// of the first indicator that cites them, with the indicator numbers.
func (s LinkSet) Recommendations(order []string) []RecWithIndicators {
	var out []RecWithIndicators
	idx := map[string]int{}
	for _, n := range order {
		for _, r := range s[n].Recs {
			i, ok := idx[r.ID]
			if !ok {
				i = len(out)
				idx[r.ID] = i
				out = append(out, RecWithIndicators{RecLink: r})
			}
			out[i].Indicators = append(out[i].Indicators, n)
		}
	}
	return out
}

// RecWithIndicators is a recommendation with the indicators it is linked to.
type RecWithIndicators struct {
	RecLink
	Indicators []string
}

// PeriodRange gives the first and last day a period covers: a year
// ("2026"), a half ("2026-H1"), a quarter ("2026-Q3"); any other suffix
// counts as the whole year.
func PeriodRange(period string) (from, to string) {
	y := period
	if len(y) > 4 {
		y = period[:4]
	}
	from, to = y+"-01-01", y+"-12-31"
	switch strings.ToUpper(strings.TrimPrefix(period[min(len(period), 4):], "-")) {
	case "H1":
		to = y + "-06-30"
	case "H2":
		from = y + "-07-01"
	case "Q1":
		to = y + "-03-31"
	case "Q2":
		from, to = y+"-04-01", y+"-06-30"
	case "Q3":
		from, to = y+"-07-01", y+"-09-30"
	case "Q4":
		from = y + "-10-01"
	}
	return from, to
}

// LoadLinks reads, for an assessment's country and period, the records of
// other parts that point at its indicators, as a reader cleared up to
// clearance may see them: documented acts (act and event both within the
// clearance) whose event began in the period; recommendations addressed to
// the country with a confirmed link (suggested links are left out), with
// the State's response and the institution's latest independent assessment
// at or below the clearance; and the treaty gaps of the country (gaps that
// only say the institution has not assessed an item yet are left out).
// a must be loaded with its ratings (Get): only its indicators are linked.
func LoadLinks(ctx context.Context, q db.Q, inst string, a Assessment, clearance sensitivity.Level) (LinkSet, error) {
	set := LinkSet{}
	known := map[string]bool{}
	for _, r := range a.Ratings {
		known[r.Number] = true
	}
	add := func(code string, fn func(l *Links)) {
		n := IndicatorNumber(code)
		if n == "" || !known[n] {
			return
		}
		l := set[n]
		fn(&l)
		set[n] = l
	}
	if err := loadActLinks(ctx, q, inst, a, clearance, add); err != nil {
		return nil, err
	}
	if err := loadRecLinks(ctx, q, inst, a.Country, clearance, add); err != nil {
		return nil, err
	}
	pr, err := treaty.BuildProfile(ctx, q, a.Country, inst, clearance)
	if err != nil {
		return nil, err
	}
	for _, g := range pr.Gaps {
		if g.Kind == "not_assessed" {
			continue
		}
		seen := map[string]bool{}
		for _, code := range g.Indicators {
			if n := IndicatorNumber(code); n != "" && !seen[n] {
				seen[n] = true
				add(code, func(l *Links) {
					l.Gaps = append(l.Gaps, GapLink{Kind: g.Kind, Subject: g.Subject, Label: g.Label, Detail: g.Detail, Level: clearance})
				})
			}
		}
	}
	return set, nil
}

func loadActLinks(ctx context.Context, q db.Q, inst string, a Assessment, clearance sensitivity.Level, add func(string, func(*Links))) error {
	from, to := PeriodRange(a.Period)
	rows, err := q.Query(ctx, `SELECT i.indicator_code, x.id, e.id, e.title, e.date_start, x.act_type, x.victims, x.sensitivity, e.sensitivity
		FROM act_indicators i JOIN acts x ON x.id = i.act_id AND x.institution_id = i.institution_id
		JOIN events e ON e.id = x.event_id AND e.institution_id = x.institution_id
		WHERE i.institution_id = ? AND e.country = ? AND substr(e.date_start, 1, 10) >= ? AND substr(e.date_start, 1, 10) <= ?
		AND x.sensitivity <= ? AND e.sensitivity <= ?
		AND x.withdrawn_at = '' AND e.withdrawn_at = ''
		ORDER BY e.date_start, x.id`, inst, a.Country, from, to, int(clearance), int(clearance))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var l ActLink
		var al, el int64
		if err := rows.Scan(&code, &l.ActID, &l.EventID, &l.EventTitle, &l.Date, &l.Type, &l.Victims, &al, &el); err != nil {
			return err
		}
		l.Sensitivity = sensitivity.Level(max(al, el))
		if len(l.Date) > 10 {
			l.Date = l.Date[:10]
		}
		add(code, func(k *Links) {
			for _, x := range k.Acts { // the same act coded twice ("RF9.3" and "9.3")
				if x.ActID == l.ActID {
					return
				}
			}
			k.Acts = append(k.Acts, l)
		})
	}
	return rows.Err()
}

func loadRecLinks(ctx context.Context, q db.Q, inst, country string, clearance sensitivity.Level, add func(string, func(*Links))) error {
	// The country's recommendations drive the join (CROSS JOIN fixes the
	// order on SQLite; PostgreSQL plans it alike), so the cost is bounded by
	// what was said to one State, however many links other rules suggest.
	rows, err := q.Query(ctx, `SELECT l.indicator_code, r.id, r.mechanism, r.body, r.document_symbol, r.paragraph, r.text, r.response, l.sensitivity, r.sensitivity
		FROM recommendations r CROSS JOIN rec_risk_links l
		WHERE r.state_under_review = ? AND (r.owner_institution = '' OR r.owner_institution = ?) AND r.sensitivity <= ?
		AND l.institution_id = ? AND l.recommendation_id = r.id AND l.confirmed_by <> '' AND l.sensitivity <= ?
		ORDER BY r.issued_on, r.document_symbol, r.paragraph, r.id`, country, inst, int(clearance), inst, int(clearance))
	if err != nil {
		return err
	}
	type found struct {
		code string
		rec  RecLink
	}
	var all []found
	ids := map[string]bool{}
	for rows.Next() {
		var f found
		var ll, rl int64
		if err := rows.Scan(&f.code, &f.rec.ID, &f.rec.Mechanism, &f.rec.Body, &f.rec.Symbol, &f.rec.Paragraph, &f.rec.Text, &f.rec.Response, &ll, &rl); err != nil {
			rows.Close()
			return err
		}
		f.rec.Sensitivity = sensitivity.Level(max(ll, rl))
		all = append(all, f)
		ids[f.rec.ID] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(all) == 0 {
		return nil
	}
	// The latest independent assessment of each linked recommendation, at
	// or below the clearance.
	latest := map[string]struct {
		status, date string
		lvl          sensitivity.Level
	}{}
	args := []any{inst, int(clearance)}
	marks := make([]string, 0, len(ids))
	for id := range ids {
		args = append(args, id)
		marks = append(marks, "?")
	}
	rows, err = q.Query(ctx, `SELECT a.recommendation_id, a.status, a.assessed_on, a.sensitivity FROM rec_assessments a
		WHERE a.institution_id = ? AND a.source = 'nhri' AND a.sensitivity <= ? AND a.recommendation_id IN (`+strings.Join(marks, ", ")+`)
		ORDER BY a.assessed_on, a.created_at`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, st, on string
		var lvl int64
		if err := rows.Scan(&id, &st, &on, &lvl); err != nil {
			rows.Close()
			return err
		}
		if ids[id] {
			latest[id] = struct {
				status, date string
				lvl          sensitivity.Level
			}{st, on, sensitivity.Level(lvl)}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range all {
		r := f.rec
		if x, ok := latest[r.ID]; ok {
			r.NHRIStatus, r.NHRIDate, r.NHRISensitivity = x.status, x.date, x.lvl
		}
		add(f.code, func(k *Links) {
			for _, y := range k.Recs {
				if y.ID == r.ID {
					return
				}
			}
			k.Recs = append(k.Recs, r)
		})
	}
	return nil
}

// FactorCounts adds up the links of the indicators of each risk factor.
func (s LinkSet) FactorCounts(a Assessment) map[int]LinkCounts {
	out := map[int]LinkCounts{}
	for _, r := range a.Ratings {
		l := s[r.Number]
		c := out[r.FactorNumber]
		c.Acts += len(l.Acts)
		c.Recs += len(l.Recs)
		c.Gaps += len(l.Gaps)
		out[r.FactorNumber] = c
	}
	return out
}

// Numbers lists the indicator numbers with links, in the assessment's order.
func (s LinkSet) Numbers(a Assessment) []string {
	var out []string
	for _, r := range a.Ratings {
		if _, ok := s[r.Number]; ok {
			out = append(out, r.Number)
		}
	}
	return out
}
