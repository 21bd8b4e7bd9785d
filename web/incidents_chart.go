package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"vigil/db"
	"vigil/incident"
)

// incChartPalette has colours with at least 3:1 contrast on white.
var incChartPalette = []string{"#1f5f99", "#b03a2e", "#1e7b45", "#7a4ea3", "#8a5a00", "#33586b"}

// incTimelineSVG draws the monthly counts of all regions together as
// bars, with the alert months marked, as a self-contained SVG.
func incTimelineSVG(t incident.Trend) template.HTML {
	if len(t.Months) == 0 {
		return ""
	}
	totals := make([]int, len(t.Months))
	maxN := 1
	for _, s := range t.Series {
		for i, n := range s.Counts {
			totals[i] += n
			if totals[i] > maxN {
				maxN = totals[i]
			}
		}
	}
	alert := map[string]bool{}
	for _, a := range t.Alerts {
		alert[a.Month] = true
	}
	const w, h, left, bottom, top = 760.0, 220.0, 40.0, 30.0, 10.0
	bw := (w - left - 10) / float64(len(t.Months))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="inc-chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="inc-tl-title inc-tl-desc" xmlns="http://www.w3.org/2000/svg">`, w, h)
	fmt.Fprintf(&b, `<title id="inc-tl-title">Events of violence against civilians per month</title><desc id="inc-tl-desc">%d months from %s to %s; highest month %d events; months with an alert are drawn in red. The table below gives the figures.</desc>`,
		len(t.Months), t.Months[0], t.Months[len(t.Months)-1], maxN)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555"/>`, left, h-bottom, w-10, h-bottom)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#333">%d</text>`, left-4, top+8, maxN)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#333">0</text>`, left-4, h-bottom)
	for i, n := range totals {
		bh := (h - bottom - top) * float64(n) / float64(maxN)
		col := "#1f5f99"
		if alert[t.Months[i]] {
			col = "#b03a2e"
		}
		x := left + float64(i)*bw
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d</title></rect>`,
			x+bw*0.1, h-bottom-bh, bw*0.8, bh, col, template.HTMLEscapeString(t.Months[i]), n)
	}
	step := max(1, len(t.Months)/8)
	for i := 0; i < len(t.Months); i += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" fill="#333">%s</text>`, left+float64(i)*bw, h-bottom+14, t.Months[i])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped text only
}

// incRegionSVG draws one region's monthly counts as a small bar chart.
func incRegionSVG(s incident.Series, months []string, alerts map[string]bool, idx int) template.HTML {
	maxN := 1
	for _, n := range s.Counts {
		maxN = max(maxN, n)
	}
	const w, h = 360.0, 70.0
	bw := w / float64(max(1, len(s.Counts)))
	var b strings.Builder
	id := fmt.Sprintf("inc-r%d", idx)
	fmt.Fprintf(&b, `<svg class="inc-spark" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s" xmlns="http://www.w3.org/2000/svg"><title id="%s">%s: %d events, at most %d in a month</title>`,
		w, h, id, id, template.HTMLEscapeString(s.Region), s.Total, maxN)
	col := incChartPalette[idx%len(incChartPalette)]
	for i, n := range s.Counts {
		if n == 0 {
			continue
		}
		bh := (h - 4) * float64(n) / float64(maxN)
		c := col
		if alerts[s.Region+"|"+months[i]] {
			c = "#b03a2e"
		}
		fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"/>`, float64(i)*bw, h-bh, max(bw*0.8, 0.5), bh, c)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

type incRegionChart struct {
	Region string
	Total  int
	SVG    template.HTML
}

type incTimelineView struct {
	Trend    incident.Trend
	Timeline template.HTML
	Regions  []incRegionChart
	Recent   []incMonthRow
	Country  string
	Method   incMethod
}

type incMonthRow struct {
	Month string
	Count int
}

type incMethod struct {
	Baseline, MinCount, MinHistory int
	Sigmas                         float64
}

func (s *Server) incTimeline(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incIndexes(r)
	v := incTimelineView{Country: strings.ToUpper(r.URL.Query().Get("country")),
		Method: incMethod{incident.AlertBaseline, incident.AlertMinCount, incident.AlertMinHistory, incident.AlertSigmas}}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Trend, err = incident.CivilianViolenceTrend(r.Context(), tx, c.User.InstitutionID, incClearance(r), v.Country)
		return err
	})
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	v.Timeline = incTimelineSVG(v.Trend)
	alerts := map[string]bool{}
	for _, a := range v.Trend.Alerts {
		alerts[a.Region+"|"+a.Month] = true
	}
	for i, se := range v.Trend.Series {
		if i == 12 {
			break
		}
		v.Regions = append(v.Regions, incRegionChart{Region: se.Region, Total: se.Total, SVG: incRegionSVG(se, v.Trend.Months, alerts, i)})
	}
	totals := make([]int, len(v.Trend.Months))
	for _, se := range v.Trend.Series {
		for i, n := range se.Counts {
			totals[i] += n
		}
	}
	for i := len(totals) - 1; i >= 0 && len(v.Recent) < 24; i-- {
		v.Recent = append(v.Recent, incMonthRow{v.Trend.Months[i], totals[i]})
	}
	s.render(w, r, "incidents_timeline", pageData{Title: "Timeline and alerts", Data: v})
}

// ---- JSON API ----

type incAPIEventOut struct {
	ID             string   `json:"id"`
	Origin         string   `json:"origin"`
	OriginID       string   `json:"origin_id,omitempty"`
	Title          string   `json:"title"`
	Description    string   `json:"description,omitempty"`
	Violence       string   `json:"violence,omitempty"`
	Country        string   `json:"country,omitempty"`
	CountryName    string   `json:"country_name,omitempty"`
	Region         string   `json:"region,omitempty"`
	Place          string   `json:"place,omitempty"`
	Latitude       *float64 `json:"latitude,omitempty"`
	Longitude      *float64 `json:"longitude,omitempty"`
	PlacePrecision int      `json:"place_precision"`
	DateStart      string   `json:"date_start"`
	DateEnd        string   `json:"date_end"`
	DatePrecision  int      `json:"date_precision"`
	Fatalities     int      `json:"fatalities"`
	CivilianDeaths int      `json:"civilian_deaths"`
	Status         string   `json:"status"`
	Sensitivity    string   `json:"sensitivity"`
}

func incAPIEvent(e incident.Event) incAPIEventOut {
	return incAPIEventOut{ID: e.ID, Origin: e.Origin, OriginID: e.OriginID, Title: e.Title, Description: e.Description, Violence: e.Violence,
		Country: e.Country, CountryName: e.CountryName, Region: e.Region, Place: e.Place, Latitude: e.Latitude, Longitude: e.Longitude,
		PlacePrecision: e.PlacePrecision, DateStart: e.DateStart, DateEnd: e.DateEnd, DatePrecision: e.DatePrecision,
		Fatalities: e.Fatalities, CivilianDeaths: e.CivilianDeaths, Status: e.Status, Sensitivity: e.Sensitivity.String()}
}

func (s *Server) incAPIList(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incIndexes(r)
	f := incFilter(r)
	f.Limit = 200
	var evs []incident.Event
	var total int
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		evs, total, err = incident.ListEvents(r.Context(), tx, c.User.InstitutionID, incClearance(r), f)
		return err
	})
	if err != nil {
		s.incFail(w, r, apiRoute, err)
		return
	}
	out := make([]incAPIEventOut, 0, len(evs))
	for _, e := range evs {
		out = append(out, incAPIEvent(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out, "total": total, "offset": f.Offset})
}

func (s *Server) incAPIEvent(w http.ResponseWriter, r *http.Request) {
	v, err := s.incLoadEvent(r, r.PathValue("id"))
	if err != nil {
		s.incFail(w, r, apiRoute, err)
		return
	}
	type inv struct {
		Role, Degree, PersonID, UnitID, Label string
	}
	type act struct {
		ID, Type, ViolationStatus string
		Victims                   int
		Indicators                []string
		Involvements              []inv
	}
	var acts []act
	for _, a := range v.Acts {
		x := act{ID: a.ID, Type: a.Type, ViolationStatus: a.ViolationStatus, Victims: a.Victims, Indicators: a.Indicators}
		for _, i := range a.Involvements {
			x.Involvements = append(x.Involvements, inv{i.Role, i.Degree, i.PersonID, i.UnitID, i.Label})
		}
		acts = append(acts, x)
	}
	type ev struct {
		ID, SHA256, Filename, MediaType, ReceivedAt, Sensitivity string
		Size                                                     int64
	}
	var files []ev
	for _, e := range v.Evidence {
		files = append(files, ev{e.ID, e.SHA256, e.Filename, e.MediaType, e.ReceivedAt, e.Sensitivity.String(), e.Size})
	}
	type cs struct{ ID, Title, Stage, Outcome, Deadline string }
	var cases []cs
	for _, c := range v.Cases {
		cases = append(cases, cs{c.ID, c.Title, c.Stage, c.Outcome, c.Deadline})
	}
	writeJSON(w, http.StatusOK, map[string]any{"event": incAPIEvent(v.Event), "acts": acts, "sources": v.Sources, "evidence": files, "cases": cases})
}

func (s *Server) incAPIUnits(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var us []incident.Unit
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		us, err = incident.ListUnits(r.Context(), tx, c.User.InstitutionID, incClearance(r))
		return err
	})
	if err != nil {
		s.incFail(w, r, apiRoute, err)
		return
	}
	type unit struct{ ID, Name, Force, Kind, Sensitivity string }
	out := make([]unit, 0, len(us))
	for _, u := range us {
		out = append(out, unit{u.ID, u.Name, u.Force, u.Kind, u.Sensitivity.String()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"units": out})
}

func (s *Server) incAPICases(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var cs []incident.Case
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		cs, err = incident.ListCases(r.Context(), tx, c.User.InstitutionID, "", incClearance(r), incToday())
		return err
	})
	if err != nil {
		s.incFail(w, r, apiRoute, err)
		return
	}
	type kase struct {
		ID, EventID, ActID, Title, Authority, Stage, Outcome, OpenedOn, Deadline, LastStepOn string
		Overdue, Stalled                                                                     bool
	}
	out := make([]kase, 0, len(cs))
	for _, k := range cs {
		out = append(out, kase{k.ID, k.EventID, k.ActID, k.Title, k.Authority, k.Stage, k.Outcome, k.OpenedOn, k.Deadline, k.LastStepOn, k.Overdue, k.Stalled})
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": out, "stall_days": incident.StallDays})
}

func (s *Server) incAPIFigures(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var p incident.Picture
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		p, err = incident.ImpunityFigures(r.Context(), tx, c.User.InstitutionID, incClearance(r), incToday())
		return err
	})
	if err != nil {
		s.incFail(w, r, apiRoute, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) incAPITrend(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var t incident.Trend
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		t, err = incident.CivilianViolenceTrend(r.Context(), tx, c.User.InstitutionID, incClearance(r), strings.ToUpper(r.URL.Query().Get("country")))
		return err
	})
	if err != nil {
		s.incFail(w, r, apiRoute, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"trend": t, "method": fmt.Sprintf(
		"alert when a region's monthly count of violence against civilians is at least %d and exceeds the mean of its previous %d months by more than %.0f standard deviations (at least the square root of the mean and at least 1), after %d months of history",
		incident.AlertMinCount, incident.AlertBaseline, incident.AlertSigmas, incident.AlertMinHistory)})
}
