package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"vigil/access"
	"vigil/db"
	"vigil/incitement"
	"vigil/sensitivity"
)

// The "earlywarning" part: incitement assessments on the Rabat six-part
// threshold test. Analysts, reviewers and administrators record them; every
// role reads those its clearance covers; the speaker and the text of the
// speech are encrypted and opening a confidential assessment is audited.
func init() {
	editors := []access.Role{access.Administrator, access.Analyst, access.Reviewer}
	registerPart(part{name: "earlywarning", order: 60,
		routes: []route{
			{method: "GET", path: "/incitement", roles: everyone, handle: (*Server).incitementList},
			{method: "GET", path: "/incitement/new", roles: editors, handle: (*Server).incitementForm},
			{method: "POST", path: "/incitement", roles: editors, handle: (*Server).incitementCreate},
			{method: "GET", path: "/incitement/{id}", roles: everyone, handle: (*Server).incitementView},
			{method: "GET", path: "/api/v1/incitement", roles: everyone, api: true,
				doc: "Incitement assessments the caller may see (no speaker or text), newest speech first.", handle: (*Server).apiIncitementList},
			{method: "GET", path: "/api/v1/incitement/{id}", roles: everyone, api: true,
				doc: "One incitement assessment with speaker and text; reading a confidential one is audited.", handle: (*Server).apiIncitement},
		},
		nav: []navItem{{Key: "nav.incitement", Href: "/incitement"}},
	})
	registerMessages("en", map[string]string{"nav.incitement": "Incitement"})
	registerMessages("fr", map[string]string{"nav.incitement": "Incitation"})
	registerMessages("es", map[string]string{"nav.incitement": "Incitación"})
	registerMessages("ar", map[string]string{"nav.incitement": "التحريض"})
}

type incitementRow struct {
	incitement.Assessment
	TierName      string
	SuggestedName string
	Disagrees     bool
}

type trendBar struct {
	Year                     string
	Criminal, Civil, None    int
	Total                    int
	X, W                     int
	YCrim, HCrim, YCiv, HCiv int
	YNone, HNone             int
}

type incitementListView struct {
	Rows    []incitementRow
	Trend   []trendBar
	ChartW  int
	CanEdit bool
}

type factorField struct {
	incitement.Factor
	Level, Note string
}

type incitementFormView struct {
	Form       incitement.Assessment
	Factors    []factorField
	Levels     []string
	Tiers      []incitement.Tier
	Indicators []indicatorChoice
	Sens       []sensitivity.Level
}

type indicatorChoice struct {
	incitement.Indicator
	Checked bool
}

func newIncitementForm(a incitement.Assessment) incitementFormView {
	v := incitementFormView{Form: a, Levels: incitement.Levels, Tiers: incitement.Tiers, Sens: sensitivity.All}
	for _, f := range incitement.Factors {
		v.Factors = append(v.Factors, factorField{Factor: f, Level: a.Levels[f.Key], Note: a.Notes[f.Key]})
	}
	for _, in := range incitement.Indicators {
		c := false
		for _, k := range a.Indicators {
			c = c || k == in.Code
		}
		v.Indicators = append(v.Indicators, indicatorChoice{Indicator: in, Checked: c})
	}
	return v
}

func toIncitementRow(a incitement.Assessment) incitementRow {
	sug := a.Suggested()
	return incitementRow{Assessment: a, TierName: incitement.TierName(a.Tier), SuggestedName: incitement.TierName(sug), Disagrees: sug != a.Tier}
}

// trendBars lays out a stacked bar per year for the SVG chart (drawn here,
// on the server: no script).
func trendBars(tr []incitement.YearCount) ([]trendBar, int) {
	const barW, gap, height = 36, 14, 120
	max := 1
	for _, y := range tr {
		if y.Total > max {
			max = y.Total
		}
	}
	var out []trendBar
	for i, y := range tr {
		b := trendBar{Year: y.Year, Criminal: y.ByTier["criminal"], Civil: y.ByTier["civil"], None: y.ByTier["none"], Total: y.Total,
			X: 40 + i*(barW+gap), W: barW}
		h := func(n int) int { return n * height / max }
		base := 10 + height
		b.HNone = h(b.None)
		b.YNone = base - b.HNone
		b.HCiv = h(b.Civil)
		b.YCiv = b.YNone - b.HCiv
		b.HCrim = h(b.Criminal)
		b.YCrim = b.YCiv - b.HCrim
		out = append(out, b)
	}
	return out, 60 + len(tr)*(barW+gap)
}

func (s *Server) incitementList(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var list []incitement.Assessment
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		list, err = incitement.List(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, c.User.Role)
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The assessments could not be listed.", err)
		return
	}
	v := incitementListView{CanEdit: allowed(c.User.Role, "GET", "/incitement/new")}
	for _, a := range list {
		v.Rows = append(v.Rows, toIncitementRow(a))
	}
	v.Trend, v.ChartW = trendBars(incitement.Trend(list))
	s.render(w, r, "incitement_list", pageData{Title: "Incitement assessments", Data: v})
}

func (s *Server) incitementForm(w http.ResponseWriter, r *http.Request) {
	a := incitement.Assessment{Sensitivity: sensitivity.Confidential, Tier: "none", Levels: map[string]string{}, Notes: map[string]string{}}
	for _, f := range incitement.Factors {
		a.Levels[f.Key] = "low"
	}
	s.render(w, r, "incitement_new", pageData{Title: "Assess a speech act", Data: newIncitementForm(a)})
}

func (s *Server) incitementCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, route{}, http.StatusBadRequest, "The form could not be read.", nil)
		return
	}
	level, lerr := sensitivity.Parse(r.PostFormValue("sensitivity"))
	reach, rerr := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("reach")), 10, 64)
	if strings.TrimSpace(r.PostFormValue("reach")) == "" {
		reach, rerr = 0, nil
	}
	a := incitement.Assessment{Title: r.PostFormValue("title"), SpeechDate: r.PostFormValue("speech_date"), Medium: r.PostFormValue("medium"),
		Reach: reach, Audience: r.PostFormValue("audience"), TargetGroup: r.PostFormValue("target_group"), SpeakerRole: r.PostFormValue("speaker_role"),
		Speaker: r.PostFormValue("speaker"), Text: r.PostFormValue("text"), Tier: r.PostFormValue("tier"),
		GenocideIncitement: r.PostFormValue("genocide") == "1", Response: r.PostFormValue("response"), Indicators: r.PostForm["indicator"],
		Sensitivity: level, Levels: map[string]string{}, Notes: map[string]string{}}
	for _, f := range incitement.Factors {
		a.Levels[f.Key] = r.PostFormValue("level_" + f.Key)
		a.Notes[f.Key] = r.PostFormValue("note_" + f.Key)
	}
	userErr := lerr
	if rerr != nil {
		userErr = errors.New("the reach must be a whole number of people")
	}
	var created incitement.Assessment
	if userErr == nil {
		err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			var err error
			created, err = incitement.Create(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, c.User.ID, a)
			if err != nil {
				userErr = err
				return err
			}
			return s.record(r.Context(), tx, r, "incitement.create", "incitement_assessment", created.ID,
				fmt.Sprintf("tier=%s sensitivity=%s", created.Tier, created.Sensitivity))
		})
		if err != nil && userErr == nil {
			s.fail(w, r, route{}, http.StatusInternalServerError, "The assessment could not be saved.", err)
			return
		}
	}
	if userErr != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "incitement_new", pageData{Title: "Assess a speech act", Error: userErr.Error(), Data: newIncitementForm(a)})
		return
	}
	http.Redirect(w, r, "/incitement/"+created.ID, http.StatusSeeOther)
}

// readIncitement loads one assessment and audits the read, in the same
// transaction, when it is confidential.
func (s *Server) readIncitement(r *http.Request) (incitement.Assessment, error) {
	c := current(r)
	var a incitement.Assessment
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		a, err = incitement.Get(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, r.PathValue("id"), c.User.Role)
		if err != nil {
			return err
		}
		if a.Sensitivity == sensitivity.Confidential {
			return s.record(r.Context(), tx, r, "incitement.read", "incitement_assessment", a.ID, "")
		}
		return nil
	})
	return a, err
}

type incitementPage struct {
	incitementRow
	Factors    []factorField
	Indicators []incitement.Indicator
}

func (s *Server) incitementView(w http.ResponseWriter, r *http.Request) {
	a, err := s.readIncitement(r)
	if errors.Is(err, incitement.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such assessment, or your role does not allow you to see it.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The assessment could not be loaded.", err)
		return
	}
	v := incitementPage{incitementRow: toIncitementRow(a)}
	for _, f := range incitement.Factors {
		v.Factors = append(v.Factors, factorField{Factor: f, Level: a.Levels[f.Key], Note: a.Notes[f.Key]})
	}
	for _, in := range incitement.Indicators {
		for _, k := range a.Indicators {
			if k == in.Code {
				v.Indicators = append(v.Indicators, in)
			}
		}
	}
	s.render(w, r, "incitement_view", pageData{Title: a.Title, Data: v})
}

type apiIncitement struct {
	ID                 string            `json:"id"`
	Title              string            `json:"title"`
	SpeechDate         string            `json:"speech_date"`
	Medium             string            `json:"medium"`
	Reach              int64             `json:"reach"`
	Audience           string            `json:"audience"`
	TargetGroup        string            `json:"target_group"`
	SpeakerRole        string            `json:"speaker_role"`
	Speaker            string            `json:"speaker,omitempty"`
	Text               string            `json:"text,omitempty"`
	Levels             map[string]string `json:"levels"`
	Notes              map[string]string `json:"notes"`
	Tier               string            `json:"tier"`
	SuggestedTier      string            `json:"suggested_tier"`
	GenocideIncitement bool              `json:"genocide_incitement"`
	Response           string            `json:"response"`
	Indicators         []string          `json:"indicators"`
	Sensitivity        string            `json:"sensitivity"`
	CreatedAt          string            `json:"created_at"`
}

func toAPIIncitement(a incitement.Assessment) apiIncitement {
	ind := a.Indicators
	if ind == nil {
		ind = []string{}
	}
	return apiIncitement{ID: a.ID, Title: a.Title, SpeechDate: a.SpeechDate, Medium: a.Medium, Reach: a.Reach, Audience: a.Audience,
		TargetGroup: a.TargetGroup, SpeakerRole: a.SpeakerRole, Speaker: a.Speaker, Text: a.Text, Levels: a.Levels, Notes: a.Notes,
		Tier: a.Tier, SuggestedTier: a.Suggested(), GenocideIncitement: a.GenocideIncitement, Response: a.Response, Indicators: ind,
		Sensitivity: a.Sensitivity.String(), CreatedAt: a.CreatedAt}
}

func (s *Server) apiIncitementList(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var list []incitement.Assessment
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		list, err = incitement.List(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, c.User.Role)
		return err
	})
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := make([]apiIncitement, 0, len(list))
	for _, a := range list {
		out = append(out, toAPIIncitement(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"assessments": out})
}

func (s *Server) apiIncitement(w http.ResponseWriter, r *http.Request) {
	a, err := s.readIncitement(r)
	if errors.Is(err, incitement.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such assessment", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIIncitement(a))
}
