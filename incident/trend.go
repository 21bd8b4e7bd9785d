package incident

import (
	"context"
	"math"
	"sort"
	"time"

	"vigil/db"
	"vigil/sensitivity"
)

// Monthly counts and the rising-violence alert.
//
// Method (stated on the timeline page too): for each region, count the
// events of violence against civilians (violence "one_sided", UCDP's type 3
// and ACLED's "Violence against civilians") per calendar month of their
// start date. A month raises an alert when its count is at least
// AlertMinCount and exceeds the region's own mean over the AlertBaseline
// months before it by more than AlertSigmas standard deviations, where the
// standard deviation is taken as at least the square root of the mean (the
// spread of a Poisson count) and at least 1, so that a quiet region's first
// few events do not alarm on their own. Months with no events count as 0;
// a region needs AlertMinHistory months since its first recorded event.
const (
	AlertBaseline   = 12
	AlertSigmas     = 3.0
	AlertMinCount   = 3
	AlertMinHistory = 6
)

// Series is one region's monthly counts over Months.
type Series struct {
	Region string
	Counts []int
	Total  int
}

// Trend is the monthly picture: the months covered (YYYY-MM, oldest
// first), one series per region (largest first) and the alerts raised.
type Trend struct {
	Months []string
	Series []Series
	Alerts []Alert
}

// Alert is one region-month far above its own history.
type Alert struct {
	Region    string
	Month     string
	Count     int
	Baseline  float64 // mean of the previous months
	Threshold float64 // what the count had to exceed
}

// CivilianViolenceTrend counts violence against civilians per region and
// month for the clearance, over the months from..to (YYYY-MM; "" means the
// span of the data, at most 10 years back from the latest month).
func CivilianViolenceTrend(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, country string) (Trend, error) {
	scope, args := instDateRange(q.Dialect(), inst, "", "")
	cond, args := "", append(args, int(clearance))
	if country != "" {
		cond, args = " AND country = ?", append(args, country)
	}
	rows, err := q.Query(ctx, `SELECT region, SUBSTR(date_start, 1, 7), COUNT(*) FROM events
		WHERE `+scope+` AND sensitivity <= ? AND violence = 'one_sided' AND withdrawn_at = ''`+cond+`
		GROUP BY region, SUBSTR(date_start, 1, 7)`, args...)
	if err != nil {
		return Trend{}, err
	}
	defer rows.Close()
	counts := map[string]map[string]int{}
	minM, maxM := "", ""
	for rows.Next() {
		var region, month string
		var n int
		if err := rows.Scan(&region, &month, &n); err != nil {
			return Trend{}, err
		}
		if region == "" {
			region = "(region unknown)"
		}
		if counts[region] == nil {
			counts[region] = map[string]int{}
		}
		counts[region][month] += n
		if minM == "" || month < minM {
			minM = month
		}
		if month > maxM {
			maxM = month
		}
	}
	if err := rows.Err(); err != nil || maxM == "" {
		return Trend{}, err
	}
	return buildTrend(counts, minM, maxM), nil
}

func buildTrend(counts map[string]map[string]int, minM, maxM string) Trend {
	end, _ := time.Parse("2006-01", maxM)
	start, _ := time.Parse("2006-01", minM)
	if lim := end.AddDate(-10, 0, 0); start.Before(lim) {
		start = lim
	}
	var t Trend
	for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
		t.Months = append(t.Months, m.Format("2006-01"))
	}
	for region, byMonth := range counts {
		s := Series{Region: region, Counts: make([]int, len(t.Months))}
		for i, m := range t.Months {
			s.Counts[i] = byMonth[m]
			s.Total += byMonth[m]
		}
		t.Series = append(t.Series, s)
		first := -1
		for i, n := range s.Counts {
			if n > 0 {
				first = i
				break
			}
		}
		for i := range t.Months {
			if first < 0 || i-first < AlertMinHistory || s.Counts[i] < AlertMinCount {
				continue
			}
			lo := max(0, i-AlertBaseline)
			base := s.Counts[lo:i]
			mean, sd := meanSD(base)
			sd = math.Max(sd, math.Max(math.Sqrt(mean), 1))
			thr := mean + AlertSigmas*sd
			if float64(s.Counts[i]) > thr {
				t.Alerts = append(t.Alerts, Alert{Region: region, Month: t.Months[i], Count: s.Counts[i], Baseline: mean, Threshold: thr})
			}
		}
	}
	sort.Slice(t.Series, func(i, j int) bool {
		if t.Series[i].Total != t.Series[j].Total {
			return t.Series[i].Total > t.Series[j].Total
		}
		return t.Series[i].Region < t.Series[j].Region
	})
	sort.Slice(t.Alerts, func(i, j int) bool {
		if t.Alerts[i].Month != t.Alerts[j].Month {
			return t.Alerts[i].Month > t.Alerts[j].Month
		}
		return t.Alerts[i].Region < t.Alerts[j].Region
	})
	return t
}

func meanSD(xs []int) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	m := s / float64(len(xs))
	var v float64
	for _, x := range xs {
		v += (float64(x) - m) * (float64(x) - m)
	}
	return m, math.Sqrt(v / float64(len(xs)))
}
