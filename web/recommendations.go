package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"vigil/access"
	"vigil/db"
	"vigil/recommend"
	"vigil/sensitivity"
)

// The recommendations tracker (package recommend): search with facets, a
// page per recommendation with its history and follow-up, the board of
// open and overdue actions, the institution's own recommendations, and the
// exports (matrix by theme, draft submission section).

var recEditors = []access.Role{access.Administrator, access.Analyst, access.Reviewer}

func init() {
	registerPart(part{name: "recommendations", order: 30,
		routes: []route{
			{method: "GET", path: "/recommendations", roles: everyone, handle: (*Server).recList},
			{method: "GET", path: "/recommendations/new", roles: recEditors, handle: (*Server).recNewForm},
			{method: "POST", path: "/recommendations", roles: recEditors, handle: (*Server).recCreate},
			{method: "GET", path: "/recommendations/board", roles: everyone, handle: (*Server).recBoard},
			{method: "GET", path: "/recommendations/matrix.csv", roles: everyone, handle: (*Server).recMatrixCSV},
			{method: "GET", path: "/recommendations/matrix.xlsx", roles: everyone, handle: (*Server).recMatrixXLSX},
			{method: "GET", path: "/recommendations/submission", roles: recEditors, handle: (*Server).recSubmission},
			{method: "GET", path: "/recommendations/{id}", roles: everyone, handle: (*Server).recView},
			{method: "POST", path: "/recommendations/{id}/actions", roles: recEditors, handle: (*Server).recActionCreate},
			{method: "POST", path: "/recommendations/{id}/actions/status", roles: recEditors, handle: (*Server).recActionStatus},
			{method: "POST", path: "/recommendations/{id}/assessments", roles: recEditors, handle: (*Server).recAssessmentCreate},
			{method: "POST", path: "/recommendations/{id}/links", roles: recEditors, handle: (*Server).recLinkCreate},
			{method: "POST", path: "/recommendations/{id}/links/decide", roles: recEditors, handle: (*Server).recLinkDecide},
			{method: "GET", path: "/recommendations/rules", roles: everyone, handle: (*Server).recRules},
			{method: "POST", path: "/recommendations/rules/run", roles: recEditors, handle: (*Server).recRulesRun},
			{method: "GET", path: "/api/v1/recommendations", roles: everyone, api: true,
				doc: "Search recommendations: q (words, \"phrases\", AND/OR/NOT, prefix*), state, mechanism, theme, response, cycle, status, limit, offset; with facet counts.", handle: (*Server).apiRecSearch},
			{method: "GET", path: "/api/v1/recommendations/rules", roles: everyone, api: true,
				doc: "The suggestion rules for risk-indicator links: id, indicator number, description, themes, words (a trailing * is a stem), with, bodies, mechanisms.", handle: (*Server).apiRecRules},
			{method: "GET", path: "/api/v1/recommendations/{id}", roles: everyone, api: true,
				doc: "One recommendation with the caller's institution's actions, assessments (government and independent, apart), confirmed risk links and suggested ones (with the rule and reason).", handle: (*Server).apiRec},
		},
		nav: []navItem{{Key: "nav.recommendations", Href: "/recommendations"}},
	})
	registerMessages("en", map[string]string{"nav.recommendations": "Recommendations"})
	registerMessages("fr", map[string]string{"nav.recommendations": "Recommandations"})
	registerMessages("es", map[string]string{"nav.recommendations": "Recomendaciones"})
	registerMessages("ar", map[string]string{"nav.recommendations": "التوصيات"})
}

func recScope(r *http.Request) recommend.Scope {
	c := current(r)
	return recommend.Scope{Institution: c.User.InstitutionID, Clearance: c.User.Role.Clearance()}
}

func canEditRecs(r *http.Request) bool { return current(r).User.Role.In(recEditors...) }

// recFilter reads the search form (also the export links' query string).
func recFilter(r *http.Request) recommend.Filter {
	q := r.URL.Query()
	sc := recScope(r)
	f := recommend.Filter{Query: strings.TrimSpace(q.Get("q")), State: strings.ToUpper(strings.TrimSpace(q.Get("state"))), Mechanism: q.Get("mechanism"),
		Theme: q.Get("theme"), Response: q.Get("response"), Status: q.Get("status"), Institution: sc.Institution, Clearance: sc.Clearance, Limit: 50}
	f.Cycle, _ = strconv.Atoi(q.Get("cycle"))
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n <= 500 {
		f.Limit = n
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n >= 0 {
		f.Offset = n
	}
	return f
}

type facetLink struct {
	Label, Href string
	N           int
	Active      bool
}

type facetGroup struct {
	Name, Param string
	Links       []facetLink
}

type recListView struct {
	F          recommend.Filter
	Res        recommend.Results
	Groups     []facetGroup
	Query      string // the current filters as a query string, for export links
	Next, Prev string
	CanEdit    bool
	Mechanisms []string
	Responses  []string
	Statuses   []string
}

func withParam(v url.Values, k, val string) string {
	c := url.Values{}
	for kk, vv := range v {
		if kk != "offset" {
			c[kk] = vv
		}
	}
	if val == "" {
		c.Del(k)
	} else {
		c.Set(k, val)
	}
	return "/recommendations?" + c.Encode()
}

func (s *Server) recList(w http.ResponseWriter, r *http.Request) {
	f := recFilter(r)
	v := recListView{F: f, CanEdit: canEditRecs(r), Mechanisms: recommend.Mechanisms, Responses: recommend.Responses,
		Statuses: append(append([]string{}, recommend.Statuses...), "unassessed")}
	err := s.db.Read(r.Context(), f.Institution, func(tx *db.Tx) error {
		var err error
		v.Res, err = recommend.Search(r.Context(), tx, f)
		return err
	})
	status := http.StatusOK
	msg := ""
	if err != nil {
		if _, perr := recommend.MatchExpr(db.SQLite, f.Query); perr != nil {
			status, msg = http.StatusBadRequest, "The query could not be read: "+perr.Error()
			v.Res = recommend.Results{Results: []recommend.Recommendation{}}
		} else {
			s.fail(w, r, route{}, http.StatusInternalServerError, "The recommendations could not be searched.", err)
			return
		}
	}
	qv := r.URL.Query()
	if fc := v.Res.Facets; fc != nil {
		add := func(name, param string, cs []recommend.Count, max int) {
			g := facetGroup{Name: name, Param: param}
			for i, c := range cs {
				if i >= max {
					break
				}
				active := qv.Get(param) == c.Value
				href := withParam(qv, param, c.Value)
				if active {
					href = withParam(qv, param, "")
				}
				g.Links = append(g.Links, facetLink{Label: c.Value, Href: href, N: c.N, Active: active})
			}
			if len(g.Links) > 0 {
				v.Groups = append(v.Groups, g)
			}
		}
		add("Mechanism", "mechanism", fc.Mechanism, 10)
		add("Response", "response", fc.Response, 10)
		add("Independent assessment", "status", fc.Status, 10)
		add("Cycle", "cycle", fc.Cycle, 10)
		add("State under review", "state", fc.State, 15)
		add("Theme", "theme", fc.Theme, 20)
	}
	ev := url.Values{}
	for k, vv := range qv {
		if k != "offset" && k != "limit" {
			ev[k] = vv
		}
	}
	v.Query = ev.Encode()
	if f.Offset+len(v.Res.Results) < v.Res.Total {
		qv2 := url.Values{}
		for k, vv := range qv {
			qv2[k] = vv
		}
		qv2.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		v.Next = "/recommendations?" + qv2.Encode()
	}
	if f.Offset > 0 {
		qv2 := url.Values{}
		for k, vv := range qv {
			qv2[k] = vv
		}
		qv2.Set("offset", strconv.Itoa(max(0, f.Offset-f.Limit)))
		v.Prev = "/recommendations?" + qv2.Encode()
	}
	s.renderStatus(w, r, status, "recommendations_list", pageData{Title: "Recommendations", Error: msg, Data: v})
}

type recView struct {
	Rec         recommend.Recommendation
	Actions     []recommend.Action
	Government  []recommend.Assessment
	Independent []recommend.Assessment
	Links       []recommend.RiskLink // confirmed
	Suggested   []recommend.RiskLink // suggested by the rules, waiting for a person
	Rejected    []recommend.Rejection
	Wording     map[string]string // indicator number -> its short wording
	History     []recommend.Event
	CanEdit     bool
	Today       string
	Levels      []sensitivity.Level
	ActStatuses []string
	Statuses    []string
}

// loadRec reads a recommendation and the institution's follow-up of it.
// Reading an own recommendation marked confidential is audited.
func (s *Server) loadRec(r *http.Request) (recView, error) {
	c := current(r)
	v := recView{CanEdit: canEditRecs(r), Today: time.Now().UTC().Format("2006-01-02"), Levels: sensitivity.All,
		ActStatuses: recommend.ActionStatuses, Statuses: recommend.Statuses}
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		v.Independent, v.Government, v.Suggested, v.Links = nil, nil, nil, nil // fn may run twice (db.Write): start from nothing
		var err error
		ctx := r.Context()
		if v.Rec, err = recommend.Get(ctx, tx, recScope(r), r.PathValue("id")); err != nil {
			return err
		}
		if v.Actions, err = recommend.Actions(ctx, tx, c.User.InstitutionID, v.Rec.ID, c.User.Role); err != nil {
			return err
		}
		all, err := recommend.Assessments(ctx, tx, c.User.InstitutionID, v.Rec.ID, c.User.Role)
		if err != nil {
			return err
		}
		for _, a := range all {
			if a.Source == "nhri" {
				v.Independent = append(v.Independent, a)
			} else {
				v.Government = append(v.Government, a)
			}
		}
		links, err := recommend.RiskLinks(ctx, tx, c.User.InstitutionID, v.Rec.ID, c.User.Role)
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.ConfirmedBy == "" {
				v.Suggested = append(v.Suggested, l)
			} else {
				v.Links = append(v.Links, l)
			}
		}
		if v.Rejected, err = recommend.Rejections(ctx, tx, c.User.InstitutionID, v.Rec.ID); err != nil {
			return err
		}
		if v.Wording, err = recommend.IndicatorWording(ctx, tx, c.User.InstitutionID); err != nil {
			return err
		}
		v.History = recommend.History(v.Rec, v.Actions, all, links)
		confidential := v.Rec.Sensitivity == sensitivity.Confidential
		for _, a := range all {
			confidential = confidential || a.Sensitivity == sensitivity.Confidential
		}
		for _, a := range v.Actions {
			confidential = confidential || a.Sensitivity == sensitivity.Confidential
		}
		if confidential {
			return s.record(ctx, tx, r, "recommendation.read", "recommendation", v.Rec.ID, "")
		}
		return nil
	})
	return v, err
}

func (s *Server) recView(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadRec(r)
	if errors.Is(err, recommend.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such recommendation, or your role does not allow you to see it.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The recommendation could not be loaded.", err)
		return
	}
	title := v.Rec.StateUnderReview + " " + v.Rec.DocumentSymbol + " " + v.Rec.Paragraph
	if v.Rec.Mechanism == "upr" {
		title = fmt.Sprintf("UPR recommendation to %s, session %s", v.Rec.StateUnderReview, v.Rec.Session)
	}
	s.render(w, r, "recommendations_view", pageData{Title: strings.TrimSpace(title), Notice: r.URL.Query().Get("saved"), Data: v})
}

// recWrite runs fn for a recommendation the caller may see, audited, and
// answers 404 for one it may not (another institution's own record).
func (s *Server) recWrite(w http.ResponseWriter, r *http.Request, action string, fn func(tx *db.Tx, rec recommend.Recommendation) (string, error)) {
	c := current(r)
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		rec, err := recommend.Get(r.Context(), tx, recScope(r), r.PathValue("id"))
		if err != nil {
			return err
		}
		detail, err := fn(tx, rec)
		if err != nil {
			userErr = err
			return err
		}
		return s.record(r.Context(), tx, r, action, "recommendation", rec.ID, detail)
	})
	switch {
	case errors.Is(err, recommend.ErrNotFound) && userErr == nil:
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such recommendation, or your role does not allow you to see it.", nil)
	case userErr != nil:
		v, lerr := s.loadRec(r)
		if lerr != nil {
			s.fail(w, r, route{}, http.StatusBadRequest, userErr.Error(), nil)
			return
		}
		s.renderStatus(w, r, http.StatusBadRequest, "recommendations_view", pageData{Title: "Recommendation", Error: userErr.Error(), Data: v})
	case err != nil:
		s.fail(w, r, route{}, http.StatusInternalServerError, "The change could not be saved.", err)
	default:
		http.Redirect(w, r, "/recommendations/"+r.PathValue("id")+"?saved=Saved.", http.StatusSeeOther)
	}
}

func recFormLevel(r *http.Request) (sensitivity.Level, error) {
	if r.PostFormValue("sensitivity") == "" {
		return sensitivity.Internal, nil
	}
	return sensitivity.Parse(r.PostFormValue("sensitivity"))
}

func (s *Server) recActionCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.recWrite(w, r, "recommendation.action.create", func(tx *db.Tx, rec recommend.Recommendation) (string, error) {
		lvl, err := recFormLevel(r)
		if err != nil {
			return "", err
		}
		a, err := recommend.AddAction(r.Context(), tx, c.User.InstitutionID, c.User.ID, recommend.Action{RecommendationID: rec.ID,
			Title: r.PostFormValue("title"), Responsible: r.PostFormValue("responsible"), Indicator: r.PostFormValue("indicator"),
			DueOn: r.PostFormValue("due_on"), Sensitivity: lvl})
		return "action=" + a.ID, err
	})
}

func (s *Server) recActionStatus(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.recWrite(w, r, "recommendation.action.status", func(tx *db.Tx, rec recommend.Recommendation) (string, error) {
		a, err := recommend.SetActionStatus(r.Context(), tx, c.User.InstitutionID, r.PostFormValue("action"), r.PostFormValue("status"))
		if errors.Is(err, recommend.ErrNotFound) {
			return "", errors.New("there is no such action")
		}
		if err == nil && a.RecommendationID != rec.ID {
			return "", errors.New("the action belongs to another recommendation")
		}
		return "action=" + a.ID + " status=" + a.Status, err
	})
}

func (s *Server) recAssessmentCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.recWrite(w, r, "recommendation.assessment.create", func(tx *db.Tx, rec recommend.Recommendation) (string, error) {
		lvl, err := recFormLevel(r)
		if err != nil {
			return "", err
		}
		a, err := recommend.AddAssessment(r.Context(), tx, c.User.InstitutionID, c.User.ID, recommend.Assessment{RecommendationID: rec.ID,
			Source: r.PostFormValue("source"), Status: r.PostFormValue("status"), AssessedBy: r.PostFormValue("assessed_by"),
			AssessedOn: r.PostFormValue("assessed_on"), Evidence: r.PostFormValue("evidence"), Sensitivity: lvl})
		return "source=" + a.Source + " status=" + a.Status, err
	})
}

func (s *Server) recLinkCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.recWrite(w, r, "recommendation.risklink.create", func(tx *db.Tx, rec recommend.Recommendation) (string, error) {
		l, err := recommend.AddRiskLink(r.Context(), tx, c.User.InstitutionID, recommend.RiskLink{RecommendationID: rec.ID,
			IndicatorCode: r.PostFormValue("indicator_code"), Rationale: r.PostFormValue("rationale"), ConfirmedBy: c.User.ID})
		return "indicator=" + l.IndicatorCode, err
	})
}

// recLinkDecide confirms or rejects a suggested link (form fields link and
// decision = confirm | reject).
func (s *Server) recLinkDecide(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	decision := r.PostFormValue("decision")
	action := "recommendation.risklink." + decision
	if decision != "confirm" && decision != "reject" {
		action = "recommendation.risklink.decide"
	}
	s.recWrite(w, r, action, func(tx *db.Tx, rec recommend.Recommendation) (string, error) {
		var l recommend.RiskLink
		var err error
		switch decision {
		case "confirm":
			l, err = recommend.ConfirmLink(r.Context(), tx, c.User.InstitutionID, r.PostFormValue("link"), c.User.ID)
		case "reject":
			l, err = recommend.RejectLink(r.Context(), tx, c.User.InstitutionID, r.PostFormValue("link"), c.User.ID)
		default:
			return "", errors.New("choose confirm or reject")
		}
		switch {
		case errors.Is(err, recommend.ErrNotFound):
			return "", errors.New("there is no such suggestion")
		case errors.Is(err, recommend.ErrDecided):
			return "", errors.New("this link was already confirmed")
		case err == nil && l.RecommendationID != rec.ID:
			return "", errors.New("the link belongs to another recommendation")
		}
		return "indicator=" + l.IndicatorCode + " rule=" + l.Rule, err
	})
}

type recRulesView struct {
	Rules   []recommend.Rule
	Wording map[string]string
	State   string
	Open    int // suggestions waiting for a person
	CanEdit bool
	Result  string
}

// recRules shows the suggestion rules, each with the indicator it points
// to, and (for editors) the button that runs them.
func (s *Server) recRules(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := recRulesView{Rules: recommend.Rules, CanEdit: canEditRecs(r), Result: r.URL.Query().Get("result")}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		inst, err := access.GetInstitution(r.Context(), tx, c.User.InstitutionID)
		if err != nil {
			return err
		}
		v.State = inst.CountryCode
		if v.Wording, err = recommend.IndicatorWording(r.Context(), tx, c.User.InstitutionID); err != nil {
			return err
		}
		v.Open, err = recommend.OpenSuggestions(r.Context(), tx, c.User.InstitutionID)
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The rules could not be shown.", err)
		return
	}
	s.render(w, r, "recommendations_rules", pageData{Title: "Suggestion rules for risk-indicator links", Data: v})
}

// recRulesRun runs the rules over the recommendations to the
// institution's State (and its own), audited with the counts.
func (s *Server) recRulesRun(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var res recommend.SuggestResult
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		inst, err := access.GetInstitution(r.Context(), tx, c.User.InstitutionID)
		if err != nil {
			return err
		}
		if res, err = recommend.SuggestLinks(r.Context(), tx, c.User.InstitutionID, inst.CountryCode); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "recommendation.risklink.suggest", "recommendation", "",
			fmt.Sprintf("state=%s examined=%d suggested=%d known=%d", inst.CountryCode, res.Examined, res.Suggested, res.Known))
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The rules could not be run.", err)
		return
	}
	msg := fmt.Sprintf("The rules looked at %d recommendations and made %d new suggestions (%d matches were already linked, suggested or rejected).",
		res.Examined, res.Suggested, res.Known)
	http.Redirect(w, r, "/recommendations/rules?result="+url.QueryEscape(msg), http.StatusSeeOther)
}

type recNewView struct {
	Form   recommend.Recommendation
	Levels []sensitivity.Level
}

func (s *Server) recNewForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "recommendations_new", pageData{Title: "Record one of the institution's recommendations",
		Data: recNewView{Form: recommend.Recommendation{Sensitivity: sensitivity.Internal}, Levels: sensitivity.All}})
}

func (s *Server) recCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	lvl, lerr := recFormLevel(r)
	rec := recommend.Recommendation{StateUnderReview: strings.ToUpper(strings.TrimSpace(r.PostFormValue("state"))), Body: r.PostFormValue("body"),
		DocumentSymbol: r.PostFormValue("document_symbol"), Paragraph: r.PostFormValue("paragraph"), IssuedOn: r.PostFormValue("issued_on"),
		Text: r.PostFormValue("text"), Themes: strings.Split(r.PostFormValue("themes"), ","), Sensitivity: lvl}
	userErr := lerr
	var created recommend.Recommendation
	if userErr == nil {
		err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			var err error
			created, err = recommend.CreateOwn(r.Context(), tx, c.User.InstitutionID, rec)
			if err != nil {
				userErr = err
				return err
			}
			return s.record(r.Context(), tx, r, "recommendation.create", "recommendation", created.ID, "mechanism=nhri sensitivity="+created.Sensitivity.String())
		})
		if err != nil && userErr == nil {
			s.fail(w, r, route{}, http.StatusInternalServerError, "The recommendation could not be saved.", err)
			return
		}
	}
	if userErr != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "recommendations_new", pageData{Title: "Record one of the institution's recommendations",
			Error: userErr.Error(), Data: recNewView{Form: rec, Levels: sensitivity.All}})
		return
	}
	http.Redirect(w, r, "/recommendations/"+created.ID, http.StatusSeeOther)
}

type boardGroup struct {
	Responsible string
	Actions     []recommend.Action
	Overdue     int
}

type recBoardView struct {
	IsAdmin bool
	Groups  []boardGroup
	Overdue int
	Today   string
	State   string
	Chart   chartSVG
}

func (s *Server) recBoard(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := recBoardView{Today: time.Now().UTC().Format("2006-01-02"), IsAdmin: c.User.Role.In(admins...)}
	var acts []recommend.Action
	var res recommend.Results
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		inst, err := access.GetInstitution(r.Context(), tx, c.User.InstitutionID)
		if err != nil {
			return err
		}
		v.State = inst.CountryCode
		if acts, err = recommend.Board(r.Context(), tx, c.User.InstitutionID, c.User.Role, v.Today, false); err != nil {
			return err
		}
		sc := recScope(r)
		res, err = recommend.Search(r.Context(), tx, recommend.Filter{State: v.State, Institution: sc.Institution, Clearance: sc.Clearance, Limit: 1})
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The board could not be loaded.", err)
		return
	}
	for _, a := range acts {
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Responsible != a.Responsible {
			v.Groups = append(v.Groups, boardGroup{Responsible: a.Responsible})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Actions = append(g.Actions, a)
		if a.Overdue(v.Today) {
			g.Overdue++
			v.Overdue++
		}
	}
	if res.Facets != nil {
		v.Chart = statusChart(res.Facets.Status)
	}
	s.render(w, r, "recommendations_board", pageData{Title: "Follow-up board", Data: v})
}

func (s *Server) apiRecSearch(w http.ResponseWriter, r *http.Request) {
	f := recFilter(r)
	var res recommend.Results
	err := s.db.Read(r.Context(), f.Institution, func(tx *db.Tx) error {
		var err error
		res, err = recommend.Search(r.Context(), tx, f)
		return err
	})
	if err != nil {
		if _, perr := recommend.MatchExpr(db.SQLite, f.Query); perr != nil {
			s.fail(w, r, apiRoute, http.StatusBadRequest, "query: "+perr.Error(), nil)
			return
		}
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiRec(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadRec(r)
	if errors.Is(err, recommend.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such recommendation", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"recommendation": v.Rec, "actions": nonNil(v.Actions), "government_accounts": nonNil(v.Government),
		"independent_assessments": nonNil(v.Independent), "risk_links": nonNil(v.Links), "suggested_risk_links": nonNil(v.Suggested), "history": v.History})
}

func (s *Server) apiRecRules(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"rules": recommend.Rules})
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}
