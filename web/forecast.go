package web

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"

	"vigil/db"
	"vigil/forecast"
	"vigil/risk"
	"vigil/sensitivity"
)

// The "forecast" part: the statistical early-warning runs stored by `vigil
// forecast run` (package forecast), a ranked list and a country page that
// sets the statistical risk, its trend and what drives it beside the
// institution's own Framework of Analysis assessment, with the
// disagreements flagged by a printed rule. Staff read it (the Early Warning
// Project's data is for internal checking only, so partners do not);
// runs are made from the command line by whoever operates the store.
func init() {
	registerPart(part{name: "forecast", order: 61,
		routes: []route{
			{method: "GET", path: "/forecast", roles: staff, handle: (*Server).forecastList},
			{method: "GET", path: "/forecast/{id}", roles: staff, handle: (*Server).forecastCountry},
			{method: "GET", path: "/api/v1/forecast", roles: staff, api: true,
				doc: "Stored forecast runs and the ranked scores of the current run (or ?run=ID), with provenance.", handle: (*Server).apiForecastList},
			{method: "GET", path: "/api/v1/forecast/{id}", roles: staff, api: true,
				doc: "One country (ISO alpha-3) in the current run (or ?run=ID): risk, rank, trend, shift analysis, the latest assessment's levels and the disagreements.", handle: (*Server).apiForecastCountry},
		},
		nav: []navItem{{Key: "nav.forecast", Href: "/forecast"}},
	})
	registerMessages("en", map[string]string{"nav.forecast": "Forecast"})
	registerMessages("fr", map[string]string{"nav.forecast": "Prévision"})
	registerMessages("es", map[string]string{"nav.forecast": "Pronóstico"})
	registerMessages("ar", map[string]string{"nav.forecast": "التنبؤ"})
}

// forecastLicence is the caveat every forecast page and answer carries.
const forecastLicence = "The Early Warning Project publishes its data without a licence: use these figures for internal checking only, " +
	"and cite the United States Holocaust Memorial Museum, Early Warning Project, as their source."

// forecastDemoLabel marks every appearance of a demonstration run.
const forecastDemoLabel = "Fictional run for the demo State: invented data scored with invented coefficients. It is not a forecast of any real country."

// forecastRow is a line of the ranked list with the rank the country had
// in the series' run of the year before.
type forecastRow struct {
	forecast.StoredScore
	PrevRank int // 0 when the country was not scored the year before
}

// Move says how the rank moved since the year before, in words.
func (r forecastRow) Move() string {
	switch {
	case r.PrevRank == 0:
		return "new"
	case r.PrevRank > r.Rank:
		return fmt.Sprintf("up %d (was %d)", r.PrevRank-r.Rank, r.PrevRank)
	case r.PrevRank < r.Rank:
		return fmt.Sprintf("down %d (was %d)", r.Rank-r.PrevRank, r.PrevRank)
	}
	return "same"
}

type forecastListView struct {
	Run      forecast.StoredRun
	Runs     []forecast.StoredRun
	Scores   []forecast.StoredScore
	Rows     []forecastRow
	PrevYear int // 0 when the series has no run of the year before
	Licence  string
	Demo     string
	HasRun   bool
	Selected bool // a run other than the current one was asked for
	CanRun   bool
	Jobs     []forecastJob
}

// loadRun picks the run asked for with ?run=, or the current one.
func loadRun(r *http.Request, tx *db.Tx, inst string, cl sensitivity.Level) (forecast.StoredRun, error) {
	if id := r.URL.Query().Get("run"); id != "" {
		return forecast.Run(r.Context(), tx, inst, id, cl)
	}
	return forecast.Current(r.Context(), tx, inst, cl)
}

func (s *Server) forecastListData(r *http.Request) (forecastListView, error) {
	c := current(r)
	inst, cl := c.User.InstitutionID, c.User.Role.Clearance()
	v := forecastListView{Licence: forecastLicence, Demo: forecastDemoLabel, Selected: r.URL.Query().Get("run") != "",
		CanRun: allowed(c.User.Role, "POST", "/forecast/run"), Jobs: jobsOf(inst)}
	err := s.db.Read(r.Context(), inst, func(tx *db.Tx) error {
		var err error
		if v.Runs, err = forecast.Runs(r.Context(), tx, inst, cl); err != nil {
			return err
		}
		v.Run, err = loadRun(r, tx, inst, cl)
		if errors.Is(err, forecast.ErrNotFound) && !v.Selected {
			return nil
		} else if err != nil {
			return err
		}
		v.HasRun = true
		if v.Scores, err = forecast.Scores(r.Context(), tx, inst, v.Run.ID); err != nil {
			return err
		}
		prev := map[string]int{}
		if p, err := forecast.Previous(r.Context(), tx, inst, v.Run, cl); err == nil {
			v.PrevYear = p.ScoredYear
			ps, err := forecast.Scores(r.Context(), tx, inst, p.ID)
			if err != nil {
				return err
			}
			for _, sc := range ps {
				prev[sc.Name] = sc.Rank
			}
		} else if !errors.Is(err, forecast.ErrNotFound) {
			return err
		}
		for _, sc := range v.Scores {
			v.Rows = append(v.Rows, forecastRow{StoredScore: sc, PrevRank: prev[sc.Name]})
		}
		return nil
	})
	return v, err
}

func (s *Server) forecastList(w http.ResponseWriter, r *http.Request) {
	v, err := s.forecastListData(r)
	if errors.Is(err, forecast.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such forecast run.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The forecast could not be loaded.", err)
		return
	}
	s.render(w, r, "forecast_list", pageData{Title: "Statistical forecast", Data: v})
}

// forecastFactor is one risk factor's level as the assessment gives it,
// for the side-by-side view.
type forecastFactor struct {
	Number     int
	Title      string
	Level      string
	Overridden bool
}

type forecastCrime struct {
	Key, Name, Level string
	Overridden       bool
}

// levelName writes a level of the risk package in plain words.
func levelName(l string) string { return strings.ReplaceAll(l, "_", " ") }

type forecastShiftRow struct {
	forecast.StoredShift
	Factor      int
	FactorWhy   string
	FactorLevel string
	Flagged     bool
}

type forecastCountryView struct {
	Run         forecast.StoredRun
	Score       forecast.StoredScore
	CountryName string
	Trend       []forecast.TrendPoint
	Chart       template.HTML
	Shifts      []forecastShiftRow
	Links       []forecast.FactorLink
	HasAssess   bool
	Assessment  risk.Assessment
	Factors     []forecastFactor
	Crimes      []forecastCrime
	Flags       []forecast.Disagreement
	Rule        string
	RuleFactor  string
	RuleCrime   string
	Licence     string
	Demo        string
	Threshold   float64
	TopRank     int
	RiskPercent string
	Selected    bool // a run other than the current one was asked for
}

// forecastCountryData loads a country's score, trend and shifts and the
// institution's latest assessment of it. The assessment's levels are shown,
// never its rationales; reading a confidential assessment is audited in the
// same transaction.
func (s *Server) forecastCountryData(r *http.Request) (forecastCountryView, error) {
	c := current(r)
	inst, cl := c.User.InstitutionID, c.User.Role.Clearance()
	code := strings.ToUpper(r.PathValue("id"))
	v := forecastCountryView{Rule: forecast.DisagreementRule, RuleFactor: risk.RuleFactor, RuleCrime: risk.RuleCrime, Licence: forecastLicence,
		Demo: forecastDemoLabel, Threshold: 100 * forecast.AlarmThreshold, TopRank: forecast.TopRank, Links: forecast.FactorLinks,
		Selected: r.URL.Query().Get("run") != ""}
	load := func(tx *db.Tx) error {
		var err error
		if v.Run, err = loadRun(r, tx, inst, cl); err != nil {
			return err
		}
		if v.Score, err = forecast.CountryScore(r.Context(), tx, inst, v.Run.ID, code); err != nil {
			return err
		}
		if v.Trend, err = forecast.Trend(r.Context(), tx, inst, v.Run, code, cl); err != nil {
			return err
		}
		_ = tx.QueryRow(r.Context(), "SELECT name FROM countries WHERE code = ?", code).Scan(&v.CountryName)
		list, err := risk.List(r.Context(), tx, inst, cl, code)
		if err != nil || len(list) == 0 {
			return err
		}
		// List is newest period first; take the version a report would use.
		if v.Assessment, err = risk.Find(r.Context(), tx, inst, code, list[0].Period, cl); err != nil {
			return err
		}
		v.HasAssess = true
		return nil
	}
	err := s.db.Read(r.Context(), inst, load)
	if err == nil && v.HasAssess && v.Assessment.Sensitivity == sensitivity.Confidential {
		// Read again inside a write so that the audit entry and the data go together.
		err = s.db.Write(r.Context(), inst, func(tx *db.Tx) error {
			v.HasAssess = false // fn may run twice (db.Write): start from nothing
			if err := load(tx); err != nil {
				return err
			}
			return s.record(r.Context(), tx, r, "risk.assessment.read", "risk_assessment", v.Assessment.ID, "levels on the forecast page")
		})
	}
	if err != nil {
		return v, err
	}
	if v.CountryName == "" {
		v.CountryName = v.Score.Name
	}
	v.RiskPercent = fmt.Sprintf("%.1f", 100*v.Score.Risk)
	as := forecast.Assessed{Factors: map[int]string{}, Crimes: map[string]string{}}
	if v.HasAssess {
		roll := risk.Roll(v.Assessment)
		for _, f := range roll.Factors {
			as.Factors[f.Number] = f.Level.Level
			v.Factors = append(v.Factors, forecastFactor{Number: f.Number, Title: f.Title, Level: levelName(f.Level.Level), Overridden: f.Overridden})
		}
		for _, cr := range roll.Crimes {
			as.Crimes[cr.Key] = cr.Level.Level
			v.Crimes = append(v.Crimes, forecastCrime{Key: cr.Key, Name: levelName(cr.Key), Level: levelName(cr.Level.Level), Overridden: cr.Overridden})
		}
		v.Flags = forecast.Disagreements(v.Score.Risk, v.Score.Rank, v.Score.Shifts, as)
	}
	flagged := map[string]bool{}
	for _, f := range v.Flags {
		if f.Variable != "" {
			flagged[f.Variable] = true
		}
	}
	for _, sh := range v.Score.Shifts {
		row := forecastShiftRow{StoredShift: sh, Flagged: flagged[sh.Variable]}
		if l, ok := forecast.FactorOf(sh.Variable); ok {
			row.Factor, row.FactorWhy = l.Factor, l.Why
			if v.HasAssess {
				row.FactorLevel = levelName(as.Factors[l.Factor])
				if row.FactorLevel == "" {
					row.FactorLevel = levelName(risk.NotAssessed)
				}
			}
		}
		v.Shifts = append(v.Shifts, row)
	}
	v.Chart = trendSVG(v.CountryName, v.Trend)
	return v, nil
}

func (s *Server) forecastCountry(w http.ResponseWriter, r *http.Request) {
	v, err := s.forecastCountryData(r)
	if errors.Is(err, forecast.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "This country has no score in the forecast run, or there is no such run.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The forecast could not be loaded.", err)
		return
	}
	s.render(w, r, "forecast_country", pageData{Title: "Forecast: " + v.CountryName, Data: v})
}

// trendSVG draws a country's risk by scored year as a line with dots,
// on a scale that always shows the 4 % threshold. The page gives the same
// numbers in a table.
func trendSVG(name string, pts []forecast.TrendPoint) template.HTML {
	if len(pts) == 0 {
		return ""
	}
	const w, h, left, right, top, bottom = 560, 220, 56, 16, 16, 36
	maxR := forecast.AlarmThreshold * 1.25
	for _, p := range pts {
		maxR = math.Max(maxR, p.Risk*1.1)
	}
	x := func(i int) float64 {
		if len(pts) == 1 {
			return float64(left+w-right) / 2
		}
		return left + float64(i)*float64(w-left-right)/float64(len(pts)-1)
	}
	y := func(v float64) float64 { return top + (1-v/maxR)*float64(h-top-bottom) }
	var b strings.Builder
	title := template.HTMLEscapeString(fmt.Sprintf("Statistical risk of %s by year scored, %d to %d", name, pts[0].ScoredYear, pts[len(pts)-1].ScoredYear))
	fmt.Fprintf(&b, `<svg class="forecast-chart" role="img" aria-labelledby="forecast-trend-title" width="%d" height="%d" viewBox="0 0 %d %d">`, w, h, w, h)
	fmt.Fprintf(&b, `<title id="forecast-trend-title">%s</title>`, title)
	// Axis and gridlines at five steps.
	for i := 0; i <= 4; i++ {
		v := maxR * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#c8ccd2"/>`, left, y(v), w-right, y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="#1b1f24" font-size="12" text-anchor="end">%.1f%%</text>`, left-6, y(v)+4, 100*v)
	}
	ty := y(forecast.AlarmThreshold)
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#8a1c1c" stroke-dasharray="6 4"/>`, left, ty, w-right, ty)
	fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="#8a1c1c" font-size="12" text-anchor="end">4%% threshold</text>`, w-right, ty-4)
	var line []string
	for i, p := range pts {
		line = append(line, fmt.Sprintf("%.1f,%.1f", x(i), y(p.Risk)))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#0b2f52" stroke-width="2"/>`, strings.Join(line, " "))
	for i, p := range pts {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="#0b2f52"/>`, x(i), y(p.Risk))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#1b1f24" font-size="12" text-anchor="middle">%d</text>`, x(i), h-bottom+18, p.ScoredYear)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// The JSON API carries the same data as the pages.

func (s *Server) apiForecastList(w http.ResponseWriter, r *http.Request) {
	v, err := s.forecastListData(r)
	if errors.Is(err, forecast.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such run", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := map[string]any{"licence": forecastLicence, "runs": nonNil(v.Runs)}
	if v.HasRun {
		run := map[string]any{"run": v.Run, "scores": nonNil(v.Scores)}
		if v.Run.Demo {
			run["demo_label"] = forecastDemoLabel
		}
		out["current"] = run
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiForecastCountry(w http.ResponseWriter, r *http.Request) {
	v, err := s.forecastCountryData(r)
	if errors.Is(err, forecast.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such country in the run", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := map[string]any{"licence": forecastLicence, "run": v.Run, "country": v.Score.Country, "name": v.CountryName, "ewp_name": v.Score.Name,
		"risk": v.Score.Risk, "rank": v.Score.Rank, "of": v.Run.Countries, "trend": nonNil(v.Trend), "shifts": nonNil(v.Score.Shifts),
		"factor_links": forecast.FactorLinks, "disagreement_rule": forecast.DisagreementRule, "disagreements": nonNil(v.Flags)}
	if v.Run.Demo {
		out["demo_label"] = forecastDemoLabel
	}
	if v.HasAssess {
		var factors []map[string]any
		for _, f := range v.Factors {
			factors = append(factors, map[string]any{"number": f.Number, "title": f.Title, "level": f.Level, "overridden": f.Overridden})
		}
		crimes := map[string]string{}
		for _, c := range v.Crimes {
			crimes[c.Key] = strings.ReplaceAll(c.Level, " ", "_")
		}
		out["assessment"] = map[string]any{"id": v.Assessment.ID, "period": v.Assessment.Period, "version": v.Assessment.Version,
			"status": v.Assessment.Status, "title": v.Assessment.Title, "factors": factors, "crimes": crimes}
	}
	writeJSON(w, http.StatusOK, out)
}
