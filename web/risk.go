package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"vigil/access"
	"vigil/db"
	"vigil/report"
	"vigil/risk"
	"vigil/sensitivity"
)

// The risk part: atrocity-risk assessments on the UN Framework of Analysis,
// their workflow, and the annual report and briefing note.

var (
	riskEditors   = []access.Role{access.Administrator, access.Analyst, access.Reviewer}
	riskReviewers = []access.Role{access.Reviewer}
)

func init() {
	registerPart(part{name: "risk", order: 10,
		routes: []route{
			{method: "GET", path: "/risk", roles: everyone, handle: (*Server).riskIndex},
			{method: "POST", path: "/risk/assessments", roles: riskEditors, handle: (*Server).riskCreate},
			{method: "GET", path: "/risk/assessments/{id}", roles: everyone, handle: (*Server).riskAssessment},
			{method: "GET", path: "/risk/assessments/{id}/compare", roles: everyone, handle: (*Server).riskCompare},
			{method: "GET", path: "/risk/assessments/{id}/report", roles: everyone, handle: (*Server).riskReport},
			{method: "POST", path: "/risk/assessments/{id}/summary", roles: riskEditors, handle: (*Server).riskSummary},
			{method: "POST", path: "/risk/assessments/{id}/ratings", roles: riskEditors, handle: (*Server).riskRate},
			{method: "POST", path: "/risk/assessments/{id}/evidence", roles: riskEditors, handle: (*Server).riskEvidence},
			{method: "POST", path: "/risk/assessments/{id}/items", roles: riskEditors, handle: (*Server).riskItem},
			{method: "POST", path: "/risk/assessments/{id}/overrides", roles: riskEditors, handle: (*Server).riskOverride},
			{method: "POST", path: "/risk/assessments/{id}/submit", roles: riskEditors, handle: riskStep("submit")},
			{method: "POST", path: "/risk/assessments/{id}/return", roles: riskReviewers, handle: riskStep("return")},
			{method: "POST", path: "/risk/assessments/{id}/approve", roles: riskReviewers, handle: riskStep("approve")},
			{method: "POST", path: "/risk/assessments/{id}/publish", roles: riskReviewers, handle: riskStep("publish")},
			{method: "POST", path: "/risk/assessments/{id}/correct", roles: riskEditors, handle: (*Server).riskCorrect},
			{method: "GET", path: "/risk/frameworks", roles: everyone, handle: (*Server).riskFrameworks},
			{method: "GET", path: "/risk/frameworks/{id}", roles: everyone, handle: (*Server).riskFramework},
			{method: "GET", path: "/risk/frameworks/{id}/export", roles: staff, handle: (*Server).riskFrameworkExport},
			{method: "POST", path: "/risk/frameworks/{id}/indicators", roles: admins, handle: (*Server).riskIndicatorEdit},
			{method: "POST", path: "/risk/frameworks/{id}/translations", roles: admins, handle: (*Server).riskTranslate},

			{method: "GET", path: "/api/v1/risk/frameworks", roles: everyone, api: true, doc: "Risk-assessment frameworks of the caller's institution.", handle: (*Server).apiRiskFrameworks},
			{method: "GET", path: "/api/v1/risk/frameworks/{id}", roles: everyone, api: true, doc: "One framework with its risk factors and indicators (checked says whether the wording was checked against the official text) and their translations (each with whether it was checked).", handle: (*Server).apiRiskFramework},
			{method: "GET", path: "/api/v1/risk/assessments", roles: everyone, api: true, doc: "Assessments the caller may see; filter country.", handle: (*Server).apiRiskAssessments},
			{method: "GET", path: "/api/v1/risk/assessments/{id}", roles: everyone, api: true, doc: "One assessment with ratings (wording, its translations, linked documented acts, confirmed recommendations and treaty gaps), evidence, items, overrides and roll-up, redacted to the caller's clearance; confidential reads are audited.", handle: (*Server).apiRiskAssessment},
			{method: "POST", path: "/api/v1/risk/assessments/{id}/ratings", roles: riskEditors, api: true, doc: "Rate one indicator of a draft (number, rating, direction, confidence, rationale, sensitivity).", handle: (*Server).apiRiskRate},
			{method: "GET", path: "/api/v1/risk/assessments/{id}/report", roles: everyone, api: true, doc: "The annual report (kind=annual|briefing, edition=public|confidential, lang) as HTML.", handle: (*Server).riskReport},
		},
		nav: []navItem{{Key: "nav.risk", Href: "/risk"}},
	})
}

// riskPrinter keeps one Chromium for the server's PDF downloads, so that
// only the first download pays for starting it.
var riskPrinter report.Printer

func riskCanEdit(r access.Role) bool { return r.In(riskEditors...) }

// riskErr answers a domain error: missing records look the same as other
// institutions' (404), frozen or out-of-order steps are conflicts (409), and
// input mistakes are shown to the user (400).
func (s *Server) riskErr(w http.ResponseWriter, r *http.Request, rt route, err error) {
	var in risk.InputError
	switch {
	case errors.Is(err, risk.ErrNotFound):
		s.fail(w, r, rt, http.StatusNotFound, riskT(r, "risk.err.notfound"), nil)
	case errors.Is(err, risk.ErrFrozen), errors.Is(err, risk.ErrState):
		s.fail(w, r, rt, http.StatusConflict, err.Error(), nil)
	case errors.Is(err, risk.ErrForbidden):
		s.fail(w, r, rt, http.StatusForbidden, err.Error(), nil)
	case errors.As(err, &in):
		s.fail(w, r, rt, http.StatusBadRequest, in.Msg, nil)
	default:
		s.fail(w, r, rt, http.StatusInternalServerError, "internal error", err)
	}
}

func riskT(r *http.Request, key string) string { return translate(current(r).Lang, key) }

// riskFormLevel reads a sensitivity field; an empty or unknown value is 0, which
// the domain replaces by its default.
func riskFormLevel(r *http.Request, name string) sensitivity.Level {
	l, err := sensitivity.Parse(r.PostFormValue(name))
	if err != nil {
		return 0
	}
	return l
}

type riskIndexView struct {
	Assessments []risk.Assessment
	Frameworks  []risk.Framework
	Heat        []riskHeatView
	CanEdit     bool
	Levels      []sensitivity.Level
	Year        string
	Country     string
}

type riskHeatView struct {
	Country string
	SVG     template.HTML
}

func riskHeatLabels(lang string) risk.HeatLabels {
	return risk.HeatLabels{Title: translate(lang, "risk.heat.title"), Level: func(l string) string { return translate(lang, "risk.level."+l) },
		Factor: func(n int, t string) string { return report.IsolateLabel(lang, fmt.Sprintf("%d. %s", n, t)) }}
}

func (s *Server) riskIndex(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	inst, cl := c.User.InstitutionID, c.User.Role.Clearance()
	v := riskIndexView{CanEdit: riskCanEdit(c.User.Role), Levels: sensitivity.All, Year: strconv.Itoa(time.Now().UTC().Year()), Country: ""}
	err := s.db.Read(r.Context(), inst, func(tx *db.Tx) error {
		var err error
		if v.Assessments, err = risk.List(r.Context(), tx, inst, cl, ""); err != nil {
			return err
		}
		if v.Frameworks, err = risk.Frameworks(r.Context(), tx, inst); err != nil {
			return err
		}
		if in, err := access.GetInstitution(r.Context(), tx, inst); err == nil {
			v.Country = in.CountryCode
		}
		seen := map[string]bool{}
		for _, a := range v.Assessments {
			if seen[a.Country] {
				continue
			}
			seen[a.Country] = true
			hist, err := risk.History(r.Context(), tx, inst, a.Country, "9999", cl)
			if err != nil {
				return err
			}
			var cols []risk.HeatColumn
			var factors []risk.FactorLevel
			for _, h := range hist {
				cols = append(cols, risk.HeatColumnOf(h))
				factors = risk.Roll(h.Localize(c.Lang)).Factors
			}
			if len(cols) > 0 {
				v.Heat = append(v.Heat, riskHeatView{a.Country, template.HTML(risk.HeatMapSVG("heat-"+strings.ToLower(a.Country), factors, cols, riskHeatLabels(c.Lang)))})
			}
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The assessments could not be listed.", err)
		return
	}
	s.render(w, r, "risk_index", pageData{Title: riskT(r, "risk.title"), Data: v})
}

func (s *Server) riskCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var a risk.Assessment
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		fw := r.PostFormValue("framework")
		if fw == "" {
			id, created, err := risk.EnsureDefault(r.Context(), tx, c.User.InstitutionID)
			if err != nil {
				return err
			}
			if created {
				if err := s.record(r.Context(), tx, r, "risk.framework.create", "risk_framework", id, "built-in default"); err != nil {
					return err
				}
			}
			fw = id
		}
		var err error
		a, err = risk.Create(r.Context(), tx, c.User.InstitutionID, c.User.ID, risk.NewAssessment{FrameworkID: fw, Country: r.PostFormValue("country"),
			Period: r.PostFormValue("period"), Title: r.PostFormValue("title"), Sensitivity: riskFormLevel(r, "sensitivity")})
		if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "risk.assessment.create", "risk_assessment", a.ID, a.Country+" "+a.Period+" sensitivity="+a.Sensitivity.String())
	})
	if err != nil {
		s.riskErr(w, r, route{}, err)
		return
	}
	http.Redirect(w, r, "/risk/assessments/"+a.ID, http.StatusSeeOther)
}

// loadAssessment reads an assessment for the caller in a write transaction,
// so that a read of confidential content can be audited with it: when the
// caller's clearance lets them see confidential parts and there are any, the
// read is recorded before the data is returned.
func (s *Server) loadAssessment(r *http.Request, what string, fn func(tx *db.Tx, a risk.Assessment) error) (risk.Assessment, error) {
	c := current(r)
	inst, cl := c.User.InstitutionID, c.User.Role.Clearance()
	var a risk.Assessment
	err := s.db.Write(r.Context(), inst, func(tx *db.Tx) error {
		var err error
		if a, err = risk.Get(r.Context(), tx, inst, r.PathValue("id"), cl); err != nil {
			return err
		}
		if sensitivity.Allows(cl, sensitivity.Confidential) && riskHasConfidential(a) {
			if err := s.record(r.Context(), tx, r, "risk.assessment.read", "risk_assessment", a.ID, what); err != nil {
				return err
			}
		}
		if fn != nil {
			return fn(tx, a)
		}
		return nil
	})
	return a, err
}

// riskAuditLinks records the read of confidential records of other parts
// (acts, recommendations) shown beside the ratings, when loadAssessment has
// not already recorded the read for the assessment's own content.
func (s *Server) riskAuditLinks(r *http.Request, tx *db.Tx, a risk.Assessment, links risk.LinkSet, what string) error {
	if riskHasConfidential(a) || !links.HasLevel(sensitivity.Confidential) {
		return nil
	}
	return s.record(r.Context(), tx, r, "risk.assessment.read", "risk_assessment", a.ID, what+": confidential linked records")
}

func riskHasConfidential(a risk.Assessment) bool {
	if a.Sensitivity == sensitivity.Confidential {
		return true
	}
	for _, r := range a.Ratings {
		if r.Sensitivity == sensitivity.Confidential {
			return true
		}
		for _, e := range r.Evidence {
			if e.Sensitivity == sensitivity.Confidential {
				return true
			}
		}
	}
	for _, it := range a.Items {
		if it.Sensitivity == sensitivity.Confidential {
			return true
		}
	}
	return false
}

type riskFactorView struct {
	risk.FactorLevel
	Scope  string
	Counts string // CountsText in the reader's language
	Links  risk.LinkCounts
}

type riskRatingView struct {
	risk.Rating
	Anchor string
	Links  risk.Links
}

type riskAssessmentView struct {
	A            risk.Assessment
	Roll         risk.Rollup
	Factors      []riskFactorView
	Factor       *riskFactorView // the factor being rated (?factor=N)
	FactorRating []riskRatingView
	Inhibitors   []risk.Item
	Triggers     []risk.Item
	Recs         []risk.Item
	CanEdit      bool
	CanReview    bool
	Editable     bool
	HasPrev      bool
	RuleFactor   string
	RuleCrime    string
	Ratings      []string
	LevelValues  []string
	Directions   []string
	Confidences  []string
	Strengths    []string
	Levels       []sensitivity.Level
	Crimes       []risk.Crime
	Clearance    sensitivity.Level
	Unchecked    int
	Kinds        []string
}

func (s *Server) riskAssessment(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := riskAssessmentView{CanEdit: riskCanEdit(c.User.Role), CanReview: c.User.Role == access.Reviewer, Ratings: risk.RatingValues, LevelValues: risk.LevelValues,
		Directions: risk.Directions, Confidences: risk.Confidences, Strengths: risk.Strengths, Levels: sensitivity.All, Crimes: risk.Crimes, Kinds: risk.ItemKinds,
		Clearance: c.User.Role.Clearance(), RuleFactor: translate(c.Lang, "risk.rule.factor"), RuleCrime: translate(c.Lang, "risk.rule.crime")}
	var links risk.LinkSet
	a, err := s.loadAssessment(r, "page", func(tx *db.Tx, a risk.Assessment) error {
		var err error
		if links, err = risk.LoadLinks(r.Context(), tx, c.User.InstitutionID, a, c.User.Role.Clearance()); err != nil {
			return err
		}
		if err := s.riskAuditLinks(r, tx, a, links, "page"); err != nil {
			return err
		}
		_, err = risk.Previous(r.Context(), tx, c.User.InstitutionID, a, c.User.Role.Clearance())
		v.HasPrev = err == nil
		if errors.Is(err, risk.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		s.riskErr(w, r, route{}, err)
		return
	}
	a = a.Localize(c.Lang)
	v.A, v.Roll, v.Editable = a, risk.Roll(a), a.Editable() && v.CanEdit
	fc := links.FactorCounts(a)
	for _, f := range v.Roll.Factors {
		counts := f.CountsIn(func(r string) string { return translate(c.Lang, "risk.level."+r) }, ", ")
		v.Factors = append(v.Factors, riskFactorView{f, "factor:" + strconv.Itoa(f.Number), counts, fc[f.Number]})
	}
	for _, rt := range a.Ratings {
		if !rt.Checked {
			v.Unchecked++
		}
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("factor")); err == nil {
		for i := range v.Factors {
			if v.Factors[i].Number == n {
				v.Factor = &v.Factors[i]
				for _, rt := range v.Factors[i].Ratings {
					v.FactorRating = append(v.FactorRating, riskRatingView{rt, "ind-" + strings.ReplaceAll(rt.Number, ".", "-"), links.Of(rt.Number)})
				}
			}
		}
	}
	v.Inhibitors, v.Triggers, v.Recs = a.ItemsOf("inhibitor"), a.ItemsOf("trigger"), a.ItemsOf("recommendation")
	title := a.Title
	if v.Factor != nil {
		title = fmt.Sprintf("%d. %s · %s", v.Factor.Number, v.Factor.Title, a.Title)
	}
	s.render(w, r, "risk_assessment", pageData{Title: title, Data: v, Notice: riskNotice(r)})
}

// riskNotice turns the ?done= marker a redirect after a change carries into a
// status message.
func riskNotice(r *http.Request) string {
	if d := r.URL.Query().Get("done"); d != "" && strings.Trim(d, "abcdefghijklmnopqrstuvwxyz_") == "" {
		return translate(current(r).Lang, "risk.done."+d)
	}
	return ""
}

// riskChange runs one change of an assessment in a write transaction with its
// audit entry and redirects back to the page (to anchor, when given).
func (s *Server) riskChange(w http.ResponseWriter, r *http.Request, done, anchor string, fn func(tx *db.Tx, c *reqCtx, id string) (action, detail string, err error)) {
	c := current(r)
	id := r.PathValue("id")
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		action, detail, err := fn(tx, c, id)
		if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, action, "risk_assessment", id, detail)
	})
	if err != nil {
		s.riskErr(w, r, route{}, err)
		return
	}
	http.Redirect(w, r, "/risk/assessments/"+id+anchor+riskSep(anchor)+"done="+done, http.StatusSeeOther)
}

func riskSep(anchor string) string {
	if strings.Contains(anchor, "?") {
		return "&"
	}
	return "?"
}

func (s *Server) riskSummary(w http.ResponseWriter, r *http.Request) {
	s.riskChange(w, r, "saved", "", func(tx *db.Tx, c *reqCtx, id string) (string, string, error) {
		lvl := riskFormLevel(r, "sensitivity")
		err := risk.SetSummary(r.Context(), tx, c.User.InstitutionID, id, c.User.Role.Clearance(), r.PostFormValue("title"), r.PostFormValue("summary"), lvl)
		return "risk.assessment.summary", "title and summary; sensitivity=" + lvl.String(), err
	})
}

func (s *Server) riskRate(w http.ResponseWriter, r *http.Request) {
	num := r.PostFormValue("number")
	factor, _, _ := strings.Cut(num, ".")
	anchor := "?factor=" + url.QueryEscape(factor)
	s.riskChange(w, r, "rated", anchor, func(tx *db.Tx, c *reqCtx, id string) (string, string, error) {
		_, detail, err := risk.Rate(r.Context(), tx, c.User.InstitutionID, id, c.User.ID, c.User.Role.Clearance(), risk.RatingEdit{Number: num,
			Rating: r.PostFormValue("rating"), Direction: r.PostFormValue("direction"), Confidence: r.PostFormValue("confidence"),
			Rationale: r.PostFormValue("rationale"), Sensitivity: riskFormLevel(r, "sensitivity")})
		return "risk.rating.update", detail, err
	})
}

func (s *Server) riskEvidence(w http.ResponseWriter, r *http.Request) {
	num := r.PostFormValue("number")
	factor, _, _ := strings.Cut(num, ".")
	s.riskChange(w, r, "evidence", "?factor="+url.QueryEscape(factor), func(tx *db.Tx, c *reqCtx, id string) (string, string, error) {
		lvl := riskFormLevel(r, "sensitivity")
		eid, err := risk.AddEvidence(r.Context(), tx, c.User.InstitutionID, id, c.User.ID, c.User.Role.Clearance(), num, risk.Evidence{Title: r.PostFormValue("title"),
			URL: r.PostFormValue("url"), SourceDate: r.PostFormValue("source_date"), Sensitivity: lvl})
		return "risk.evidence.create", "evidence " + eid + " on indicator " + num, err
	})
}

func (s *Server) riskItem(w http.ResponseWriter, r *http.Request) {
	s.riskChange(w, r, "added", "", func(tx *db.Tx, c *reqCtx, id string) (string, string, error) {
		kind := r.PostFormValue("kind")
		iid, err := risk.AddItem(r.Context(), tx, c.User.InstitutionID, id, c.User.ID, c.User.Role.Clearance(), risk.Item{Kind: kind, Title: r.PostFormValue("title"),
			Detail: r.PostFormValue("detail"), Date: r.PostFormValue("date"), Addressee: r.PostFormValue("addressee"), Strength: r.PostFormValue("strength"),
			Sensitivity: riskFormLevel(r, "sensitivity")})
		return "risk.item.create", kind + " " + iid, err
	})
}

func (s *Server) riskOverride(w http.ResponseWriter, r *http.Request) {
	s.riskChange(w, r, "overridden", "", func(tx *db.Tx, c *reqCtx, id string) (string, string, error) {
		scope, level := r.PostFormValue("scope"), r.PostFormValue("level")
		err := risk.SetOverride(r.Context(), tx, c.User.InstitutionID, id, c.User.ID, c.User.Role.Clearance(), scope, level, r.PostFormValue("reason"))
		if level == "" {
			level = "removed"
		}
		return "risk.override.set", scope + " -> " + level, err
	})
}

func riskStep(step string) func(*Server, http.ResponseWriter, *http.Request) {
	return func(s *Server, w http.ResponseWriter, r *http.Request) {
		s.riskChange(w, r, step, "", func(tx *db.Tx, c *reqCtx, id string) (string, string, error) {
			to, err := risk.Step(r.Context(), tx, c.User.InstitutionID, id, c.User, step)
			return "risk.assessment." + step, "status -> " + to, err
		})
	}
}

func (s *Server) riskCorrect(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var a risk.Assessment
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		if a, err = risk.Correct(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"), c.User.ID, c.User.Role.Clearance(), r.PostFormValue("note")); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "risk.assessment.correct", "risk_assessment", a.ID, fmt.Sprintf("version %d corrects %s", a.Version, a.Supersedes))
	})
	if err != nil {
		s.riskErr(w, r, route{}, err)
		return
	}
	http.Redirect(w, r, "/risk/assessments/"+a.ID+"?done=corrected", http.StatusSeeOther)
}

type riskCompareView struct {
	A, Prev risk.Assessment
	HasPrev bool
	Changes []risk.Change
	CurR    risk.Rollup
	PrevR   risk.Rollup
}

func (s *Server) riskCompare(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var v riskCompareView
	a, err := s.loadAssessment(r, "comparison", func(tx *db.Tx, a risk.Assessment) error {
		v.Prev, v.HasPrev = risk.Assessment{}, false // runs inside db.Write's fn, which may run twice: start from nothing
		p, err := risk.Previous(r.Context(), tx, c.User.InstitutionID, a, c.User.Role.Clearance())
		if errors.Is(err, risk.ErrNotFound) {
			return nil
		}
		v.Prev, v.HasPrev = p, err == nil
		return err
	})
	if err != nil {
		s.riskErr(w, r, route{}, err)
		return
	}
	a = a.Localize(c.Lang)
	v.A, v.CurR = a, risk.Roll(a)
	if v.HasPrev {
		v.Prev = v.Prev.Localize(c.Lang)
		v.Changes = risk.Compare(v.Prev, a)
		v.PrevR = risk.Roll(v.Prev)
	}
	s.render(w, r, "risk_compare", pageData{Title: riskT(r, "risk.compare.title") + " · " + a.Title, Data: v})
}

// ReportData loads what a report on assessment id needs, for an institution,
// with the edition's redaction applied by report.Build.
func riskReportData(ctx context.Context, tx *db.Tx, inst string, a risk.Assessment, opt report.Options) (report.Data, error) {
	hist, err := risk.History(ctx, tx, inst, a.Country, a.Period, sensitivity.Confidential)
	if err != nil {
		return report.Data{}, err
	}
	var prev *risk.Assessment
	if p, err := risk.Previous(ctx, tx, inst, a, sensitivity.Confidential); err == nil {
		prev = &p
	} else if !errors.Is(err, risk.ErrNotFound) {
		return report.Data{}, err
	}
	lvl, err := report.Level(opt.Edition)
	if err != nil {
		return report.Data{}, err
	}
	if opt.Links, err = risk.LoadLinks(ctx, tx, inst, a, lvl); err != nil {
		return report.Data{}, err
	}
	return report.Build(a, hist, prev, opt)
}

// riskReport serves the annual report or the briefing note as HTML or PDF.
// The confidential edition needs confidential clearance and its download is
// audited; the public edition is open to every role that may see the
// assessment.
func (s *Server) riskReport(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	rt := route{api: strings.HasPrefix(r.URL.Path, "/api/")}
	q := r.URL.Query()
	edition, kind, format := q.Get("edition"), q.Get("kind"), q.Get("format")
	if edition == "" {
		edition = report.Public
	}
	if kind == "" {
		kind = "annual"
	}
	if format == "" || rt.api {
		format = "html"
	}
	lang := q.Get("lang")
	if _, ok := report.Languages[lang]; !ok {
		lang = c.Lang
	}
	lvl, err := report.Level(edition)
	if err != nil || (kind != "annual" && kind != "briefing") || (format != "html" && format != "pdf") {
		s.fail(w, r, rt, http.StatusBadRequest, riskT(r, "risk.err.report"), nil)
		return
	}
	inst := c.User.InstitutionID
	var d report.Data
	err = s.db.Write(r.Context(), inst, func(tx *db.Tx) error {
		a, err := risk.Head(r.Context(), tx, inst, r.PathValue("id"), c.User.Role.Clearance())
		if err != nil {
			return err
		}
		if !sensitivity.Allows(c.User.Role.Clearance(), lvl) {
			return risk.ErrForbidden
		}
		full, err := risk.Get(r.Context(), tx, inst, a.ID, sensitivity.Confidential)
		if err != nil {
			return err
		}
		in, err := access.GetInstitution(r.Context(), tx, inst)
		if err != nil {
			return err
		}
		if d, err = riskReportData(r.Context(), tx, inst, full, report.Options{Edition: edition, Lang: lang, Institution: in.Name}); err != nil {
			return err
		}
		if edition == report.Confidential {
			return s.record(r.Context(), tx, r, "risk.report.confidential", "risk_assessment", a.ID, kind+" "+format+" "+lang)
		}
		return nil
	})
	if err != nil {
		s.riskErr(w, r, rt, err)
		return
	}
	html, err := report.HTML(kind, d)
	if err != nil {
		s.fail(w, r, rt, http.StatusInternalServerError, "internal error", err)
		return
	}
	name := fmt.Sprintf("vigil-%s-%s-%s-%s-%s-v%d", kind, d.A.Country, d.A.Period, edition, lang, d.A.Version)
	if format == "pdf" {
		pdf, err := riskPrinter.PDF(r.Context(), html)
		if errors.Is(err, report.ErrNoChromium) {
			s.fail(w, r, rt, http.StatusServiceUnavailable, err.Error(), nil)
			return
		} else if err != nil {
			s.fail(w, r, rt, http.StatusInternalServerError, "The PDF could not be printed.", err)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
		w.Write(pdf)
		return
	}
	// The report carries its own styles so that it stands alone as a file;
	// it has no script, and this response's policy allows only those styles.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	disp := "inline"
	if q.Get("download") != "" {
		disp = "attachment"
	}
	w.Header().Set("Content-Disposition", disp+`; filename="`+name+`.html"`)
	w.Write(html)
}

type riskFrameworksView struct {
	Frameworks []risk.Framework
}

func (s *Server) riskFrameworks(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var v riskFrameworksView
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Frameworks, err = risk.Frameworks(r.Context(), tx, c.User.InstitutionID)
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "internal error", err)
		return
	}
	s.render(w, r, "risk_frameworks", pageData{Title: riskT(r, "risk.frameworks"), Data: v})
}

type riskFrameworkView struct {
	F        risk.Framework
	Factors  []riskFactorTr
	IsAdmin  bool
	TrFactor int // the factor whose translation forms are open (?tr=N), so the page stays light
}

// riskTr is one language's translation of a wording, for the framework page.
type riskTr struct {
	Lang      string
	Dir       string
	Text      string
	Checked   bool
	CheckedAt string
}

// riskFactorTr is a factor with its title as the reader sees it and its
// translations; riskIndicatorTr the same for an indicator.
type riskFactorTr struct {
	risk.Factor
	Shown      risk.Localized
	Tr         []riskTr
	Indicators []riskIndicatorTr
}

type riskIndicatorTr struct {
	risk.Indicator
	Shown risk.Localized
	Tr    []riskTr
	Count int // languages translated
}

func riskTrs(t risk.Translations) ([]riskTr, int) {
	var out []riskTr
	n := 0
	for _, l := range risk.TranslationLangs {
		x := t[l]
		if x.Text != "" {
			n++
		}
		dir := "ltr"
		if report.Languages[l] == "rtl" {
			dir = "rtl"
		}
		out = append(out, riskTr{Lang: l, Dir: dir, Text: x.Text, Checked: x.Checked(), CheckedAt: x.CheckedAt})
	}
	return out, n
}

func (s *Server) riskFramework(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := riskFrameworkView{IsAdmin: c.User.Role == access.Administrator}
	v.TrFactor, _ = strconv.Atoi(r.URL.Query().Get("tr"))
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.F, err = risk.GetFramework(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"))
		return err
	})
	if err != nil {
		s.riskErr(w, r, route{}, err)
		return
	}
	for _, fa := range v.F.Factors {
		fv := riskFactorTr{Factor: fa, Shown: risk.Localize(c.Lang, fa.Title, fa.Translations)}
		fv.Tr, _ = riskTrs(fa.Translations)
		for _, in := range fa.Indicators {
			iv := riskIndicatorTr{Indicator: in, Shown: risk.Localize(c.Lang, in.Wording, in.Translations)}
			iv.Tr, iv.Count = riskTrs(in.Translations)
			fv.Indicators = append(fv.Indicators, iv)
		}
		v.Factors = append(v.Factors, fv)
	}
	s.render(w, r, "risk_framework", pageData{Title: v.F.Title, Data: v, Notice: riskNotice(r)})
}

// riskTranslate saves the translations of one factor title or indicator
// wording (administrators), one audit entry for what changed.
func (s *Server) riskTranslate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	fw := r.PathValue("id")
	kind, target := r.PostFormValue("kind"), r.PostFormValue("target")
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		if _, err := risk.GetFramework(r.Context(), tx, c.User.InstitutionID, fw); err != nil {
			return err
		}
		var what []string
		for _, l := range risk.TranslationLangs {
			if _, ok := r.PostForm["text_"+l]; !ok {
				continue
			}
			d, err := risk.SetTranslation(r.Context(), tx, c.User.InstitutionID, fw, c.User.ID, risk.TranslationEdit{Kind: kind, ID: target, Lang: l,
				Text: r.PostFormValue("text_" + l), Checked: r.PostFormValue("checked_"+l) == "1"})
			if err != nil {
				return err
			}
			if d != "" {
				what = append(what, d)
			}
		}
		if len(what) == 0 {
			return nil
		}
		return s.record(r.Context(), tx, r, "risk.translation.update", "risk_framework", fw, strings.Join(what, "; "))
	})
	if err != nil {
		s.riskErr(w, r, route{}, err)
		return
	}
	back := "/risk/frameworks/" + fw + "?done=translated"
	if n, err := strconv.Atoi(r.PostFormValue("factor")); err == nil {
		back += "&tr=" + strconv.Itoa(n)
	}
	if kind == "indicator" || kind == "factor" {
		back += "#tr-" + riskSafeName(target)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) riskFrameworkExport(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var f risk.Framework
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		f, err = risk.GetFramework(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"))
		return err
	})
	if err != nil {
		s.riskErr(w, r, route{}, err)
		return
	}
	var b bytes.Buffer
	if err := risk.ExportCSV(&b, f); err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "internal error", err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="framework-%s-%s.csv"`, riskSafeName(f.Code), riskSafeName(f.Version)))
	w.Write(b.Bytes())
}

func riskSafeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

func (s *Server) riskIndicatorEdit(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	fw := r.PathValue("id")
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		if _, err := risk.GetFramework(r.Context(), tx, c.User.InstitutionID, fw); err != nil {
			return err
		}
		factor, _ := strconv.Atoi(r.PostFormValue("factor"))
		id, what, err := risk.EditIndicator(r.Context(), tx, c.User.InstitutionID, fw, c.User.ID, risk.IndicatorEdit{ID: r.PostFormValue("indicator"),
			Factor: factor, Number: r.PostFormValue("number"), Wording: r.PostFormValue("wording"), Checked: r.PostFormValue("checked") == "1"})
		if err != nil || what == "" {
			return err
		}
		return s.record(r.Context(), tx, r, "risk.indicator.update", "risk_framework", fw, "indicator "+id+": "+what)
	})
	if err != nil {
		s.riskErr(w, r, route{}, err)
		return
	}
	http.Redirect(w, r, "/risk/frameworks/"+fw+"?done=saved", http.StatusSeeOther)
}

// JSON API.

func (s *Server) apiRiskFrameworks(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var fs []risk.Framework
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		fs, err = risk.Frameworks(r.Context(), tx, c.User.InstitutionID)
		return err
	})
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := []map[string]any{}
	for _, f := range fs {
		out = append(out, map[string]any{"id": f.ID, "code": f.Code, "version": f.Version, "title": f.Title, "note": f.Note, "updated_at": f.UpdatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"frameworks": out})
}

func (s *Server) apiRiskFramework(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var f risk.Framework
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		f, err = risk.GetFramework(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"))
		return err
	})
	if err != nil {
		s.riskErr(w, r, apiRoute, err)
		return
	}
	factors := []map[string]any{}
	for _, fa := range f.Factors {
		inds := []map[string]any{}
		for _, in := range fa.Indicators {
			inds = append(inds, map[string]any{"id": in.ID, "number": in.Number, "wording": in.Wording, "checked": in.Checked, "checked_at": in.CheckedAt,
				"translations": riskAPITr(in.Translations)})
		}
		factors = append(factors, map[string]any{"number": fa.Number, "title": fa.Title, "applies_to": fa.AppliesTo, "indicators": inds,
			"translations": riskAPITr(fa.Translations)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": f.ID, "code": f.Code, "version": f.Version, "title": f.Title, "note": f.Note, "factors": factors})
}

// riskAPITr lists translations by language with whether (and when, by
// whom) each was checked.
func riskAPITr(t risk.Translations) map[string]any {
	out := map[string]any{}
	for l, x := range t {
		out[l] = map[string]any{"text": x.Text, "checked": x.Checked(), "checked_by": x.CheckedBy, "checked_at": x.CheckedAt}
	}
	return out
}

func riskAPILinks(l risk.Links) map[string]any {
	acts, recs, gaps := []map[string]any{}, []map[string]any{}, []map[string]any{}
	for _, x := range l.Acts {
		acts = append(acts, map[string]any{"act_id": x.ActID, "event_id": x.EventID, "event_title": x.EventTitle, "date": x.Date, "type": x.Type,
			"victims": x.Victims, "sensitivity": x.Sensitivity.String()})
	}
	for _, x := range l.Recs {
		recs = append(recs, map[string]any{"id": x.ID, "mechanism": x.Mechanism, "body": x.Body, "document_symbol": x.Symbol, "paragraph": x.Paragraph,
			"state_response": x.Response, "nhri_status": x.NHRIStatus, "nhri_assessed_on": x.NHRIDate, "sensitivity": x.Sensitivity.String()})
	}
	for _, x := range l.Gaps {
		gaps = append(gaps, map[string]any{"kind": x.Kind, "subject": x.Subject, "label": x.Label, "detail": x.Detail})
	}
	return map[string]any{"acts": acts, "recommendations": recs, "treaty_gaps": gaps}
}

func riskAPIHead(a risk.Assessment) map[string]any {
	return map[string]any{"id": a.ID, "country": a.Country, "period": a.Period, "version": a.Version, "status": a.Status, "title": a.Title,
		"framework": a.FrameworkLabel, "sensitivity": a.Sensitivity.String(), "supersedes": a.Supersedes, "updated_at": a.UpdatedAt, "published_at": a.PublishedAt}
}

func (s *Server) apiRiskAssessments(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var as []risk.Assessment
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		as, err = risk.List(r.Context(), tx, c.User.InstitutionID, c.User.Role.Clearance(), strings.ToUpper(r.URL.Query().Get("country")))
		return err
	})
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := []map[string]any{}
	for _, a := range as {
		out = append(out, riskAPIHead(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"assessments": out})
}

func (s *Server) apiRiskAssessment(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var links risk.LinkSet
	a, err := s.loadAssessment(r, "api", func(tx *db.Tx, a risk.Assessment) error {
		var err error
		if links, err = risk.LoadLinks(r.Context(), tx, c.User.InstitutionID, a, c.User.Role.Clearance()); err != nil {
			return err
		}
		return s.riskAuditLinks(r, tx, a, links, "api")
	})
	if err != nil {
		s.riskErr(w, r, apiRoute, err)
		return
	}
	out := riskAPIHead(a)
	if !a.SummaryWithheld {
		out["summary"] = a.Summary
		out["correction_note"] = a.CorrectionNote
	}
	ratings := []map[string]any{}
	for _, rt := range a.Ratings {
		m := map[string]any{"number": rt.Number, "factor": rt.FactorNumber, "wording": rt.Wording, "wording_checked": rt.Checked, "rating": rt.Rating,
			"direction": rt.Direction, "confidence": rt.Confidence, "sensitivity": rt.Sensitivity.String()}
		if !rt.Withheld {
			m["rationale"] = rt.Rationale
		}
		ev := []map[string]any{}
		for _, e := range rt.Evidence {
			ev = append(ev, map[string]any{"id": e.ID, "title": e.Title, "url": e.URL, "source_date": e.SourceDate, "sensitivity": e.Sensitivity.String()})
		}
		m["evidence"] = ev
		m["wording_translations"] = riskAPITr(rt.WordingTr)
		m["factor_translations"] = riskAPITr(rt.FactorTr)
		m["links"] = riskAPILinks(links.Of(rt.Number))
		ratings = append(ratings, m)
	}
	out["ratings"] = ratings
	items := []map[string]any{}
	for _, it := range a.Items {
		items = append(items, map[string]any{"id": it.ID, "kind": it.Kind, "title": it.Title, "detail": it.Detail, "date": it.Date, "addressee": it.Addressee,
			"strength": it.Strength, "sensitivity": it.Sensitivity.String()})
	}
	out["items"] = items
	roll := risk.Roll(a)
	factors, crimes := []map[string]any{}, []map[string]any{}
	for _, f := range roll.Factors {
		factors = append(factors, map[string]any{"number": f.Number, "title": f.Title, "computed": f.Computed, "level": f.Level.Level, "overridden": f.Overridden,
			"reason": f.Reason, "assessed": f.Assessed, "indicators": f.Total})
	}
	for _, cr := range roll.Crimes {
		crimes = append(crimes, map[string]any{"crime": cr.Key, "computed": cr.Computed, "level": cr.Level.Level, "overridden": cr.Overridden, "reason": cr.Reason})
	}
	out["rollup"] = map[string]any{"rule_factor": risk.RuleFactor, "rule_crime": risk.RuleCrime, "factors": factors, "crimes": crimes}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiRiskRate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var body struct {
		Number      string `json:"number"`
		Rating      string `json:"rating"`
		Direction   string `json:"direction"`
		Confidence  string `json:"confidence"`
		Rationale   string `json:"rationale"`
		Sensitivity string `json:"sensitivity"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			s.fail(w, r, apiRoute, http.StatusBadRequest, "request body: "+err.Error(), nil)
			return
		}
	}
	lvl, _ := sensitivity.Parse(body.Sensitivity)
	id := r.PathValue("id")
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		_, detail, err := risk.Rate(r.Context(), tx, c.User.InstitutionID, id, c.User.ID, c.User.Role.Clearance(), risk.RatingEdit{Number: body.Number,
			Rating: body.Rating, Direction: body.Direction, Confidence: body.Confidence, Rationale: body.Rationale, Sensitivity: lvl})
		if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "risk.rating.update", "risk_assessment", id, detail)
	})
	if err != nil {
		s.riskErr(w, r, apiRoute, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
