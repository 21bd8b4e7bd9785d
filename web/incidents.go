package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"vigil/access"
	"vigil/blob"
	"vigil/db"
	"vigil/incident"
	"vigil/sensitivity"
)

// The incidents part: events and their acts, persons, units, sources and
// evidence; security-force units; accountability cases to reparation; the
// impunity figures; the monthly timeline with its alert.

var (
	incEditors   = []access.Role{access.Administrator, access.Documenter, access.Analyst}
	incExporters = []access.Role{access.Administrator, access.Documenter, access.Reviewer}
)

func init() {
	registerPart(part{name: "incidents", order: 20,
		routes: []route{
			{method: "GET", path: "/incidents", roles: everyone, handle: (*Server).incList},
			{method: "GET", path: "/incidents/new", roles: incEditors, handle: (*Server).incNewForm},
			{method: "POST", path: "/incidents", roles: incEditors, handle: (*Server).incCreate},
			{method: "GET", path: "/incidents/timeline", roles: everyone, handle: (*Server).incTimeline},
			{method: "GET", path: "/incidents/{id}", roles: everyone, handle: (*Server).incView},
			{method: "POST", path: "/incidents/{id}/acts", roles: incEditors, handle: (*Server).incAddAct},
			{method: "POST", path: "/incidents/{id}/involvements", roles: incEditors, handle: (*Server).incAddInvolvement},
			{method: "POST", path: "/incidents/{id}/sources", roles: incEditors, handle: (*Server).incAddSource},
			{method: "POST", path: "/incidents/{id}/evidence", roles: incEditors, upload: true, handle: (*Server).incAddEvidence},
			{method: "GET", path: "/incidents/{id}/export", roles: incExporters, handle: (*Server).incExport},
			{method: "GET", path: "/incidents/{id}/edit", roles: incEditors, handle: (*Server).incEditForm},
			{method: "POST", path: "/incidents/{id}/edit", roles: incEditors, handle: (*Server).incEdit},
			{method: "POST", path: "/incidents/{id}/withdraw", roles: incEditors, handle: (*Server).incWithdraw},
			{method: "POST", path: "/incidents/{id}/acts/{act}/withdraw", roles: incEditors, handle: (*Server).incWithdrawAct},
			{method: "POST", path: "/incidents/{id}/acts/{act}/edit", roles: incEditors, handle: (*Server).incEditAct},
			{method: "GET", path: "/incidents/{id}/evidence", roles: everyone, handle: (*Server).incEvidencePage},

			{method: "GET", path: "/units", roles: everyone, handle: (*Server).incUnits},
			{method: "POST", path: "/units", roles: incEditors, handle: (*Server).incUnitCreate},
			{method: "GET", path: "/units/{id}", roles: everyone, handle: (*Server).incUnit},
			{method: "POST", path: "/units/{id}/links", roles: incEditors, handle: (*Server).incUnitLink},
			{method: "POST", path: "/units/{id}/commanders", roles: incEditors, handle: (*Server).incUnitCommander},
			{method: "POST", path: "/units/{id}/edit", roles: incEditors, handle: (*Server).incUnitEdit},
			{method: "POST", path: "/units/{id}/withdraw", roles: incEditors, handle: (*Server).incUnitWithdraw},

			{method: "GET", path: "/cases", roles: everyone, handle: (*Server).incCases},
			{method: "POST", path: "/cases", roles: incEditors, handle: (*Server).incCaseCreate},
			{method: "GET", path: "/cases/{id}", roles: everyone, handle: (*Server).incCase},
			{method: "POST", path: "/cases/{id}/steps", roles: incEditors, handle: (*Server).incCaseStep},
			{method: "POST", path: "/cases/{id}/reparations", roles: incEditors, handle: (*Server).incCaseReparation},
			{method: "POST", path: "/cases/{id}/edit", roles: incEditors, handle: (*Server).incCaseEdit},
			{method: "POST", path: "/cases/{id}/withdraw", roles: incEditors, handle: (*Server).incCaseWithdraw},

			{method: "GET", path: "/api/v1/incidents", roles: everyone, api: true, doc: "Events the caller may see; filters q, country, region, violence, act, unit, origin, from, to, offset.", handle: (*Server).incAPIList},
			{method: "GET", path: "/api/v1/incidents/{id}", roles: everyone, api: true, doc: "One event with its acts (persons by pseudonym, only those the caller may see), sources, evidence metadata and cases.", handle: (*Server).incAPIEvent},
			{method: "GET", path: "/api/v1/incidents/units", roles: everyone, api: true, doc: "Security-force units and other organisations the caller may see.", handle: (*Server).incAPIUnits},
			{method: "GET", path: "/api/v1/incidents/cases", roles: everyone, api: true, doc: "Accountability cases with stage, outcome, deadline and overdue/stalled flags.", handle: (*Server).incAPICases},
			{method: "GET", path: "/api/v1/incidents/figures", roles: everyone, api: true, doc: "The impunity picture: incidents, cases, stalled cases, convictions and median days to each stage, per unit and per force.", handle: (*Server).incAPIFigures},
			{method: "GET", path: "/api/v1/incidents/trend", roles: everyone, api: true, doc: "Monthly counts of violence against civilians per region and the rising-violence alerts.", handle: (*Server).incAPITrend},
		},
		nav: []navItem{{Key: "nav.incidents", Href: "/incidents"}, {Key: "nav.units", Href: "/units"}, {Key: "nav.cases", Href: "/cases"}},
	})
	registerMessages("en", map[string]string{"nav.incidents": "Incidents", "nav.units": "Units", "nav.cases": "Accountability"})
	registerMessages("fr", map[string]string{"nav.incidents": "Incidents", "nav.units": "Unités", "nav.cases": "Redevabilité"})
	registerMessages("es", map[string]string{"nav.incidents": "Incidentes", "nav.units": "Unidades", "nav.cases": "Rendición de cuentas"})
	registerMessages("ar", map[string]string{"nav.incidents": "الحوادث", "nav.units": "الوحدات", "nav.cases": "المساءلة"})
}

func incClearance(r *http.Request) sensitivity.Level { return current(r).User.Role.Clearance() }

func incToday() string { return time.Now().UTC().Format("2006-01-02") }

func incActor(r *http.Request) incident.Actor {
	u := current(r).User
	return incident.Actor{ID: u.ID, Name: u.Username}
}

func (s *Server) incBlobs() *blob.Store { return blob.For(s.db) }

// incFail answers a domain error: 404 for a missing record, 400 with the
// message for a mistake in the form, 500 otherwise.
func (s *Server) incFail(w http.ResponseWriter, r *http.Request, rt route, err error) {
	var ve incident.ValidationError
	switch {
	case errors.Is(err, incident.ErrNotFound):
		s.fail(w, r, rt, http.StatusNotFound, "There is no such record, or your role does not allow you to see it.", nil)
	case errors.As(err, &ve):
		s.fail(w, r, rt, http.StatusBadRequest, ve.Msg, nil)
	default:
		s.fail(w, r, rt, http.StatusInternalServerError, "The request could not be completed.", err)
	}
}

func formInt(r *http.Request, name string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.FormValue(name)))
	return n
}

func formLevelOr(r *http.Request, name string, def sensitivity.Level) (sensitivity.Level, error) {
	v := r.FormValue(name)
	if v == "" {
		return def, nil
	}
	l, err := sensitivity.Parse(v)
	if err != nil {
		return 0, incident.ValidationError{Msg: err.Error()}
	}
	return l, nil
}

func formFloat(r *http.Request, name string) (*float64, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil, incident.ValidationError{Msg: name + " is not a number"}
	}
	return &f, nil
}

// ---- events ----

type incListView struct {
	Events   []incident.Event
	Total    int
	Filter   incident.EventFilter
	Regions  []string
	Violence []string
	ActTypes []string
	Next     string
	Prev     string
	CanEdit  bool
	Shown    string
}

func incFilter(r *http.Request) incident.EventFilter {
	q := r.URL.Query()
	f := incident.EventFilter{Text: q.Get("q"), Country: strings.ToUpper(q.Get("country")), Region: q.Get("region"),
		Violence: q.Get("violence"), ActType: q.Get("act"), UnitID: q.Get("unit"), Origin: q.Get("origin"), From: q.Get("from"), To: q.Get("to")}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	if f.Offset < 0 {
		f.Offset = 0
	}
	f.Limit = 50
	return f
}

// incIndexes makes sure the events' indexes exist (a killed bulk import
// leaves the date index out; see incident.EnsureEventIndexesIdle). A
// failure is logged: the lists still answer without the index.
func (s *Server) incIndexes(r *http.Request) {
	if err := incident.EnsureEventIndexesIdle(r.Context(), s.db, current(r).User.InstitutionID); err != nil {
		s.log.Warn("building the events index", "err", err)
	}
}

func (s *Server) incList(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incIndexes(r)
	v := incListView{Filter: incFilter(r), Violence: incident.Violence[1:], ActTypes: incident.ActTypes, CanEdit: c.User.Role.In(incEditors...)}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		if v.Events, v.Total, err = incident.ListEvents(r.Context(), tx, c.User.InstitutionID, incClearance(r), v.Filter); err != nil {
			return err
		}
		v.Regions, err = incident.Regions(r.Context(), tx, c.User.InstitutionID, incClearance(r))
		return err
	})
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	page := func(off int) string {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return "/incidents?" + q.Encode()
	}
	if v.Filter.Offset+len(v.Events) < v.Total {
		v.Next = page(v.Filter.Offset + v.Filter.Limit)
	}
	if v.Filter.Offset > 0 {
		v.Prev = page(max(0, v.Filter.Offset-v.Filter.Limit))
	}
	if len(v.Events) > 0 {
		v.Shown = fmt.Sprintf("%d–%d of %d", v.Filter.Offset+1, v.Filter.Offset+len(v.Events), v.Total)
	}
	s.render(w, r, "incidents_list", pageData{Title: "Incidents", Data: v})
}

type incFormView struct {
	// Action, Heading and Button make the form one for a new incident
	// (the defaults) or for editing one (Edit).
	Action, Heading, Button string
	Edit                    bool
	Statuses                []string
	Form                    incident.Event
	Violence                []string
	Levels                  []sensitivity.Level
	DatePrecisions          []incOption
	PlacePrecisions         []incOption
	Lat, Lon                string
}

type incOption struct {
	Value int
	Label string
}

func newIncFormView() incFormView {
	v := incFormView{Action: "/incidents", Heading: "Record an incident", Button: "Save the incident",
		Form: incident.Event{Sensitivity: sensitivity.Internal, DatePrecision: 1}, Violence: incident.Violence, Levels: sensitivity.All,
		Statuses: incident.EventStatus}
	for i, l := range incident.DatePrecisions[1:] {
		v.DatePrecisions = append(v.DatePrecisions, incOption{i + 1, l})
	}
	for i, l := range incident.PlacePrecisions {
		v.PlacePrecisions = append(v.PlacePrecisions, incOption{i, l})
	}
	return v
}

func (s *Server) incNewForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "incidents_new", pageData{Title: "Record an incident", Data: newIncFormView()})
}

// incAuditFields is the audit detail of an edit: the names of the fields
// that changed and, when the sensitivity changed, its old and new level
// (level names, never values of fields).
func incAuditFields(changed []string, old, new sensitivity.Level) string {
	d := "fields=" + strings.Join(changed, ",")
	if old != new {
		d += " sensitivity=" + old.String() + "->" + new.String()
	}
	return d
}

// incFormEvent reads the incident form (new or edit); level is the
// sensitivity kept when the form does not carry one (the record's own level
// when editing, so that an edit never silently lowers it).
func incFormEvent(r *http.Request, level sensitivity.Level) (incident.Event, error) {
	e := incident.Event{Title: r.FormValue("title"), Description: r.FormValue("description"), Violence: r.FormValue("violence"),
		Country: strings.ToUpper(strings.TrimSpace(r.FormValue("country"))), Region: strings.TrimSpace(r.FormValue("region")),
		Admin1: strings.TrimSpace(r.FormValue("region")), Admin2: strings.TrimSpace(r.FormValue("admin2")), Place: r.FormValue("place"),
		PlacePrecision: formInt(r, "place_precision"), DateStart: r.FormValue("date_start"), DateEnd: r.FormValue("date_end"),
		DatePrecision: formInt(r, "date_precision"), Fatalities: formInt(r, "fatalities"), CivilianDeaths: formInt(r, "civilian_deaths"),
		Status: r.FormValue("status")}
	var userErr error
	e.Sensitivity, userErr = formLevelOr(r, "sensitivity", level)
	if userErr == nil {
		e.Latitude, userErr = formFloat(r, "latitude")
	}
	if userErr == nil {
		e.Longitude, userErr = formFloat(r, "longitude")
	}
	return e, userErr
}

func (s *Server) incCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	e, userErr := incFormEvent(r, sensitivity.Internal)
	e.Status = "" // a new record starts open
	var created incident.Event
	if userErr == nil {
		err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			var err error
			if created, err = incident.CreateEvent(r.Context(), tx, c.User.InstitutionID, c.User.ID, e); err != nil {
				return err
			}
			return s.record(r.Context(), tx, r, "event.create", "event", created.ID, "sensitivity="+created.Sensitivity.String())
		})
		var ve incident.ValidationError
		if errors.As(err, &ve) {
			userErr = err
		} else if err != nil {
			s.incFail(w, r, route{}, err)
			return
		}
	}
	if userErr != nil {
		v := newIncFormView()
		v.Form = e
		v.Lat, v.Lon = r.FormValue("latitude"), r.FormValue("longitude")
		s.renderStatus(w, r, http.StatusBadRequest, "incidents_new", pageData{Title: "Record an incident", Error: userErr.Error(), Data: v})
		return
	}
	http.Redirect(w, r, "/incidents/"+created.ID+"?saved=event", http.StatusSeeOther)
}

// incEditView is the incident form filled with an event, for editing.
func incEditView(e incident.Event) incFormView {
	v := newIncFormView()
	v.Action, v.Heading, v.Button, v.Edit = "/incidents/"+e.ID+"/edit", "Edit the incident", "Save the changes", true
	v.Form = e
	if e.Latitude != nil && e.Longitude != nil {
		v.Lat, v.Lon = strconv.FormatFloat(*e.Latitude, 'f', -1, 64), strconv.FormatFloat(*e.Longitude, 'f', -1, 64)
	}
	return v
}

func (s *Server) incEditForm(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var e incident.Event
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		if e, err = incident.GetEvent(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"), incClearance(r)); err != nil {
			return err
		}
		if e.Sensitivity == sensitivity.Confidential {
			return s.record(r.Context(), tx, r, "event.read", "event", e.ID, "")
		}
		return nil
	})
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	v := incEditView(e)
	msg := ""
	switch {
	case e.WithdrawnAt != "":
		msg = "This incident was withdrawn and can no longer be edited."
	case e.Origin != "manual":
		msg = "This incident was imported from " + e.Origin + " and follows that dataset; it can be withdrawn but not edited."
	}
	if msg != "" {
		s.renderStatus(w, r, http.StatusBadRequest, "incidents_new", pageData{Title: "Edit the incident", Error: msg, Data: v})
		return
	}
	s.render(w, r, "incidents_new", pageData{Title: "Edit the incident", Data: v})
}

func (s *Server) incEdit(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	id := r.PathValue("id")
	var e incident.Event
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		old, err := incident.GetEvent(r.Context(), tx, c.User.InstitutionID, id, incClearance(r))
		if err != nil {
			return err
		}
		if e, err = incFormEvent(r, old.Sensitivity); err != nil {
			return err
		}
		changed, err := incident.UpdateEvent(r.Context(), tx, c.User.InstitutionID, incClearance(r), id, e)
		if err != nil || len(changed) == 0 {
			return err
		}
		return s.record(r.Context(), tx, r, "event.update", "event", id, incAuditFields(changed, old.Sensitivity, e.Sensitivity))
	})
	var ve incident.ValidationError
	if errors.As(err, &ve) {
		userErr = err
	} else if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	if userErr != nil {
		e.ID = id
		v := incEditView(e)
		v.Lat, v.Lon = r.FormValue("latitude"), r.FormValue("longitude")
		s.renderStatus(w, r, http.StatusBadRequest, "incidents_new", pageData{Title: "Edit the incident", Error: userErr.Error(), Data: v})
		return
	}
	http.Redirect(w, r, "/incidents/"+id+"?saved=edit", http.StatusSeeOther)
}

func (s *Server) incWithdraw(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incEventWrite(w, r, "withdrawn", func(tx *db.Tx, ev incident.Event) error {
		if err := incident.WithdrawEvent(r.Context(), tx, c.User.InstitutionID, incClearance(r), ev.ID, r.FormValue("reason")); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "event.withdraw", "event", ev.ID, "")
	})
}

func (s *Server) incEditAct(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incEventWrite(w, r, "act-edit", func(tx *db.Tx, ev incident.Event) error {
		act := r.PathValue("act")
		acts, err := incident.ListActs(r.Context(), tx, c.User.InstitutionID, ev.ID, incClearance(r))
		if err != nil {
			return err
		}
		was := sensitivity.Level(0)
		for _, a := range acts {
			if a.ID == act {
				was = a.Sensitivity
			}
		}
		if was == 0 {
			return incident.ValidationError{Msg: "no such act on this incident"}
		}
		level, err := formLevelOr(r, "sensitivity", was)
		if err != nil {
			return err
		}
		changed, err := incident.UpdateAct(r.Context(), tx, c.User.InstitutionID, incClearance(r), ev.ID, act, incident.Act{Type: r.FormValue("act_type"),
			Victims: formInt(r, "victims"), ViolationStatus: r.FormValue("violation_status"), Description: r.FormValue("description"), Sensitivity: level})
		if errors.Is(err, incident.ErrNotFound) {
			return incident.ValidationError{Msg: "no such act on this incident"}
		} else if err != nil || len(changed) == 0 {
			return err
		}
		return s.record(r.Context(), tx, r, "act.update", "act", act, incAuditFields(changed, was, level))
	})
}

func (s *Server) incWithdrawAct(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incEventWrite(w, r, "act-withdrawn", func(tx *db.Tx, ev incident.Event) error {
		act := r.PathValue("act")
		err := incident.WithdrawAct(r.Context(), tx, c.User.InstitutionID, incClearance(r), ev.ID, act, r.FormValue("reason"))
		if errors.Is(err, incident.ErrNotFound) {
			return incident.ValidationError{Msg: "no such act on this incident"}
		} else if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "act.withdraw", "act", act, "event="+ev.ID)
	})
}

type incEventView struct {
	Event           incident.Event
	Acts            []incident.Act
	Sources         []incident.Source
	Evidence        []incident.Evidence
	Cases           []incident.Case
	Persons         []incident.Person
	Units           []incident.Unit
	CanEdit         bool
	CanExport       bool
	ActTypes        []string
	Roles           []string
	Degrees         []string
	Reliability     []string
	SourceKinds     []string
	ViolationStatus []string
	Levels          []sensitivity.Level
	DatePrecision   string
	PlacePrecision  string
	Today           string
}

var incSavedNotices = map[string]string{"event": "The incident was recorded.", "edit": "The changes were saved.",
	"withdrawn": "The incident was withdrawn. It stays on record, marked, and no longer counts.", "act-withdrawn": "The act was withdrawn. It stays on record, marked.", "act-edit": "The act was corrected.", "act": "The act was added.", "involvement": "The involvement was recorded.",
	"source": "The source was added.", "evidence": "The file was stored and its SHA-256 recorded.", "case": "The case was opened."}

// incLoadEvent reads an event and everything shown with it. A confidential
// event, or confidential evidence shown with it, makes the page a read of
// confidential data, written to the audit trail in the same transaction.
func (s *Server) incLoadEvent(r *http.Request, id string) (incEventView, error) {
	c := current(r)
	inst, cl := c.User.InstitutionID, incClearance(r)
	v := incEventView{CanEdit: c.User.Role.In(incEditors...), CanExport: c.User.Role.In(incExporters...), ActTypes: incident.ActTypes,
		Roles: incident.InvolvementRoles, Degrees: incident.Degrees, Reliability: incident.Reliability, SourceKinds: incident.SourceKinds,
		ViolationStatus: incident.ViolationStatus, Levels: sensitivity.All, Today: incToday()}
	err := s.db.Write(r.Context(), inst, func(tx *db.Tx) error {
		ctx := r.Context()
		var err error
		if v.Event, err = incident.GetEvent(ctx, tx, inst, id, cl); err != nil {
			return err
		}
		if v.Acts, err = incident.ListActs(ctx, tx, inst, id, cl); err != nil {
			return err
		}
		if v.Sources, err = incident.ListSources(ctx, tx, inst, id, cl); err != nil {
			return err
		}
		if v.Evidence, err = incident.ListEvidence(ctx, tx, inst, id, cl); err != nil {
			return err
		}
		if v.Cases, err = incident.ListCases(ctx, tx, inst, id, cl, v.Today); err != nil {
			return err
		}
		if v.CanEdit {
			if v.Persons, err = incident.ListPersons(ctx, tx, s.cfg.Keys, inst, c.User.Role, false); err != nil {
				return err
			}
			if v.Units, err = incident.ListUnits(ctx, tx, inst, cl); err != nil {
				return err
			}
		}
		confidential := v.Event.Sensitivity == sensitivity.Confidential
		for _, e := range v.Evidence {
			confidential = confidential || e.Sensitivity == sensitivity.Confidential
		}
		if confidential {
			return s.record(ctx, tx, r, "event.read", "event", id, "")
		}
		return nil
	})
	if p := v.Event.DatePrecision; p >= 1 && p < len(incident.DatePrecisions) {
		v.DatePrecision = incident.DatePrecisions[p]
	}
	if p := v.Event.PlacePrecision; p >= 0 && p < len(incident.PlacePrecisions) {
		v.PlacePrecision = incident.PlacePrecisions[p]
	}
	return v, err
}

func (s *Server) incView(w http.ResponseWriter, r *http.Request) {
	v, err := s.incLoadEvent(r, r.PathValue("id"))
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	s.render(w, r, "incidents_event", pageData{Title: v.Event.Title, Notice: incSavedNotices[r.URL.Query().Get("saved")], Data: v})
}

// incEventWrite runs fn for an event of the caller's institution that the
// caller may see: a missing or foreign event is 404 before the form is read.
func (s *Server) incEventWrite(w http.ResponseWriter, r *http.Request, saved string, fn func(tx *db.Tx, ev incident.Event) error) {
	c := current(r)
	id := r.PathValue("id")
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		ev, err := incident.GetEvent(r.Context(), tx, c.User.InstitutionID, id, incClearance(r))
		if err != nil {
			return err
		}
		return fn(tx, ev)
	})
	var ve incident.ValidationError
	if errors.As(err, &ve) {
		v, lerr := s.incLoadEvent(r, id)
		if lerr != nil {
			s.incFail(w, r, route{}, lerr)
			return
		}
		s.renderStatus(w, r, http.StatusBadRequest, "incidents_event", pageData{Title: v.Event.Title, Error: ve.Msg, Data: v})
		return
	} else if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+id+"?saved="+saved, http.StatusSeeOther)
}

func (s *Server) incAddAct(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incEventWrite(w, r, "act", func(tx *db.Tx, ev incident.Event) error {
		inds, err := incident.ParseIndicators(r.FormValue("indicators"))
		if err != nil {
			return err
		}
		level, err := formLevelOr(r, "sensitivity", ev.Sensitivity)
		if err != nil {
			return err
		}
		a, err := incident.AddAct(r.Context(), tx, c.User.InstitutionID, incident.Act{EventID: ev.ID, Type: r.FormValue("act_type"),
			Description: r.FormValue("description"), Victims: formInt(r, "victims"), ViolationStatus: r.FormValue("violation_status"),
			Indicators: inds, Sensitivity: level})
		if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "act.create", "act", a.ID, "event="+ev.ID+" type="+a.Type)
	})
}

func (s *Server) incAddInvolvement(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incEventWrite(w, r, "involvement", func(tx *db.Tx, ev incident.Event) error {
		actID := r.FormValue("act_id")
		var n int
		if err := tx.QueryRow(r.Context(), "SELECT COUNT(*) FROM acts WHERE institution_id = ? AND id = ? AND event_id = ?",
			c.User.InstitutionID, actID, ev.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return incident.ValidationError{Msg: "choose an act of this incident"}
		}
		who := r.FormValue("who") // "person:ID" or "unit:ID"
		v := incident.Involvement{ActID: actID, Role: r.FormValue("role"), Degree: r.FormValue("degree")}
		switch {
		case strings.HasPrefix(who, "person:"):
			v.PersonID = strings.TrimPrefix(who, "person:")
			// The person must be one the caller may see.
			if _, err := incident.GetPerson(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, v.PersonID, c.User.Role); err != nil {
				return incident.ValidationError{Msg: "choose a person on record"}
			}
		case strings.HasPrefix(who, "unit:"):
			v.UnitID = strings.TrimPrefix(who, "unit:")
		default:
			return incident.ValidationError{Msg: "choose a person or a unit"}
		}
		got, err := incident.Involve(r.Context(), tx, c.User.InstitutionID, v)
		if errors.Is(err, incident.ErrNotFound) {
			return incident.ValidationError{Msg: "choose a person or unit on record"}
		} else if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "involvement.create", "act", actID, "role="+got.Role+" degree="+got.Degree)
	})
}

func (s *Server) incAddSource(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incEventWrite(w, r, "source", func(tx *db.Tx, ev incident.Event) error {
		level, err := formLevelOr(r, "sensitivity", sensitivity.Internal)
		if err != nil {
			return err
		}
		src, err := incident.AddSource(r.Context(), tx, c.User.InstitutionID, incident.Source{EventID: ev.ID, Title: r.FormValue("title"),
			Kind: r.FormValue("kind"), Reliability: r.FormValue("reliability"), ReceivedOn: r.FormValue("received_on"), Sensitivity: level})
		if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "source.create", "event", ev.ID, "source="+src.ID+" reliability="+src.Reliability)
	})
}

func (s *Server) incAddEvidence(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incEventWrite(w, r, "evidence", func(tx *db.Tx, ev incident.Event) error {
		f, hdr, err := r.FormFile("file")
		if err != nil {
			return incident.ValidationError{Msg: "choose a file to upload"}
		}
		defer f.Close()
		level, err := formLevelOr(r, "sensitivity", sensitivity.Confidential)
		if err != nil {
			return err
		}
		e, err := incident.AddEvidence(r.Context(), tx, s.incBlobs(), c.User.InstitutionID, incActor(r), incident.Evidence{EventID: ev.ID,
			Filename: hdr.Filename, MediaType: hdr.Header.Get("Content-Type"), Description: r.FormValue("description"),
			CapturedOn: r.FormValue("captured_on"), CapturedBy: r.FormValue("captured_by"), WorkingCopyOf: r.FormValue("working_copy_of"),
			Sensitivity: level}, f)
		if errors.Is(err, incident.ErrNotFound) {
			return incident.ValidationError{Msg: "the original named as source of this working copy is not on record"}
		} else if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "evidence.create", "evidence", e.ID, fmt.Sprintf("event=%s sha256=%s size=%d", ev.ID, e.SHA256, e.Size))
	})
}

type incEvidenceView struct {
	Event    incident.Event
	Evidence []incident.Evidence
}

// incEvidencePage lists an event's files with their chains of custody, or
// with ?download=ID sends one file. Every download is a custody event and
// an audit entry, written before the bytes leave; opening the list of
// confidential files is an audited read.
func (s *Server) incEvidencePage(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	inst := c.User.InstitutionID
	dl := r.URL.Query().Get("download")
	var v incEvidenceView
	var file incident.Evidence
	var body []byte
	err := s.db.Write(r.Context(), inst, func(tx *db.Tx) error {
		v.Evidence = nil // fn may run twice (db.Write): start from nothing
		var err error
		if v.Event, err = incident.GetEvent(r.Context(), tx, inst, r.PathValue("id"), incClearance(r)); err != nil {
			return err
		}
		if dl == "" {
			list, err := incident.ListEvidence(r.Context(), tx, inst, v.Event.ID, incClearance(r))
			if err != nil {
				return err
			}
			confidential := false
			for _, e := range list {
				full, err := incident.GetEvidence(r.Context(), tx, inst, e.ID, incClearance(r))
				if err != nil {
					return err
				}
				v.Evidence = append(v.Evidence, full)
				confidential = confidential || e.Sensitivity == sensitivity.Confidential
			}
			if confidential {
				return s.record(r.Context(), tx, r, "evidence.list", "event", v.Event.ID, "")
			}
			return nil
		}
		if file, err = incident.GetEvidence(r.Context(), tx, inst, dl, incClearance(r)); err != nil {
			return err
		}
		if file.EventID != v.Event.ID {
			return incident.ErrNotFound
		}
		rc, _, err := s.incBlobs().Open(r.Context(), tx, inst, file.SHA256)
		if err != nil {
			return err
		}
		defer rc.Close()
		if body, err = io.ReadAll(rc); err != nil {
			return err
		}
		if _, err := incident.LogCustody(r.Context(), tx, inst, file.ID, file.SHA256, "downloaded", incActor(r), ""); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "evidence.download", "evidence", file.ID, "sha256="+file.SHA256)
	})
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	if dl == "" {
		s.render(w, r, "incidents_evidence", pageData{Title: "Evidence: " + v.Event.Title, Data: v})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(file.Filename))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-SHA256", file.SHA256)
	w.Write(body)
}

// incExport sends the verifiable export of an event's evidence.
func (s *Server) incExport(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	inst := c.User.InstitutionID
	id := r.PathValue("id")
	var buf strings.Builder
	err := s.db.Write(r.Context(), inst, func(tx *db.Tx) error {
		buf.Reset() // fn may run twice (db.Write): start from nothing
		m, err := incident.ExportEvidence(r.Context(), tx, s.incBlobs(), inst, id, incClearance(r), incActor(r), &buf)
		if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "evidence.export", "event", id, fmt.Sprintf("files=%d", len(m.Files)))
	})
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="evidence-`+id+`.zip"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(buf.String()))
}

// ---- units ----

type incUnitsView struct {
	Units   []incident.Unit
	Forces  []string
	Kinds   []string
	Levels  []sensitivity.Level
	CanEdit bool
}

func (s *Server) incUnits(w http.ResponseWriter, r *http.Request) {
	s.incUnitsPage(w, r, http.StatusOK, "")
}

func (s *Server) incUnitsPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c := current(r)
	v := incUnitsView{Forces: incident.Forces, Kinds: incident.UnitKinds, Levels: sensitivity.All, CanEdit: c.User.Role.In(incEditors...)}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Units, err = incident.ListUnits(r.Context(), tx, c.User.InstitutionID, incClearance(r))
		return err
	})
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	s.renderStatus(w, r, status, "incidents_units", pageData{Title: "Security-force units", Error: msg, Data: v})
}

func (s *Server) incUnitCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var u incident.Unit
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		level, err := formLevelOr(r, "sensitivity", sensitivity.Internal)
		if err != nil {
			return err
		}
		if u, err = incident.CreateUnit(r.Context(), tx, c.User.InstitutionID, c.User.ID, incident.Unit{Name: r.FormValue("name"),
			Force: r.FormValue("force"), Kind: r.FormValue("kind"), Notes: r.FormValue("notes"), Sensitivity: level}); err != nil {
			return err
		}
		if p := r.FormValue("parent_id"); p != "" {
			if _, err := incident.LinkUnit(r.Context(), tx, c.User.InstitutionID, u.ID, p, r.FormValue("from"), ""); err != nil {
				return err
			}
		}
		return s.record(r.Context(), tx, r, "unit.create", "unit", u.ID, "force="+u.Force)
	})
	var ve incident.ValidationError
	if errors.As(err, &ve) || errors.Is(err, incident.ErrNotFound) {
		s.incUnitsPage(w, r, http.StatusBadRequest, err.Error())
		return
	} else if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	http.Redirect(w, r, "/units/"+u.ID, http.StatusSeeOther)
}

type incUnitView struct {
	Record  incident.UnitRecord
	Units   []incident.Unit
	Persons []incident.Person
	CanEdit bool
	Forces  []string
	Kinds   []string
	Levels  []sensitivity.Level
}

func (s *Server) incUnitLoad(r *http.Request) (incUnitView, error) {
	c := current(r)
	inst := c.User.InstitutionID
	v := incUnitView{CanEdit: c.User.Role.In(incEditors...), Forces: incident.Forces, Kinds: incident.UnitKinds, Levels: sensitivity.All}
	err := s.db.Read(r.Context(), inst, func(tx *db.Tx) error {
		var err error
		if v.Record, err = incident.GetUnitRecord(r.Context(), tx, inst, r.PathValue("id"), incClearance(r), incToday()); err != nil {
			return err
		}
		if v.CanEdit {
			if v.Units, err = incident.ListUnits(r.Context(), tx, inst, incClearance(r)); err != nil {
				return err
			}
			v.Persons, err = incident.ListPersons(r.Context(), tx, s.cfg.Keys, inst, c.User.Role, false)
		}
		return err
	})
	return v, err
}

func (s *Server) incUnit(w http.ResponseWriter, r *http.Request) {
	v, err := s.incUnitLoad(r)
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	s.render(w, r, "incidents_unit", pageData{Title: v.Record.Unit.Name, Data: v})
}

func (s *Server) incUnitWrite(w http.ResponseWriter, r *http.Request, fn func(tx *db.Tx, u incident.Unit) error) {
	c := current(r)
	id := r.PathValue("id")
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		u, err := incident.GetUnit(r.Context(), tx, c.User.InstitutionID, id, incClearance(r))
		if err != nil {
			return err
		}
		return fn(tx, u)
	})
	var ve incident.ValidationError
	if errors.As(err, &ve) {
		v, lerr := s.incUnitLoad(r)
		if lerr != nil {
			s.incFail(w, r, route{}, lerr)
			return
		}
		s.renderStatus(w, r, http.StatusBadRequest, "incidents_unit", pageData{Title: v.Record.Unit.Name, Error: ve.Msg, Data: v})
		return
	} else if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	http.Redirect(w, r, "/units/"+id, http.StatusSeeOther)
}

func (s *Server) incUnitEdit(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incUnitWrite(w, r, func(tx *db.Tx, u incident.Unit) error {
		level, err := formLevelOr(r, "sensitivity", u.Sensitivity)
		if err != nil {
			return err
		}
		changed, err := incident.UpdateUnit(r.Context(), tx, c.User.InstitutionID, incClearance(r), u.ID, incident.Unit{Name: r.FormValue("name"),
			Force: r.FormValue("force"), Kind: r.FormValue("kind"), Notes: r.FormValue("notes"), Sensitivity: level})
		if err != nil || len(changed) == 0 {
			return err
		}
		return s.record(r.Context(), tx, r, "unit.update", "unit", u.ID, incAuditFields(changed, u.Sensitivity, level))
	})
}

func (s *Server) incUnitWithdraw(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incUnitWrite(w, r, func(tx *db.Tx, u incident.Unit) error {
		if err := incident.WithdrawUnit(r.Context(), tx, c.User.InstitutionID, incClearance(r), u.ID, r.FormValue("reason")); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "unit.withdraw", "unit", u.ID, "")
	})
}

func (s *Server) incUnitLink(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incUnitWrite(w, r, func(tx *db.Tx, u incident.Unit) error {
		l, err := incident.LinkUnit(r.Context(), tx, c.User.InstitutionID, u.ID, r.FormValue("parent_id"), r.FormValue("from"), r.FormValue("to"))
		if errors.Is(err, incident.ErrNotFound) {
			return incident.ValidationError{Msg: "choose a superior unit on record"}
		} else if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "unit.link", "unit", u.ID, "parent="+l.ParentID)
	})
}

func (s *Server) incUnitCommander(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incUnitWrite(w, r, func(tx *db.Tx, u incident.Unit) error {
		level, err := formLevelOr(r, "sensitivity", sensitivity.Internal)
		if err != nil {
			return err
		}
		pid := r.FormValue("person_id")
		if pid != "" {
			if _, err := incident.GetPerson(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, pid, c.User.Role); err != nil {
				return incident.ValidationError{Msg: "choose a person on record"}
			}
		}
		cm, err := incident.AddCommander(r.Context(), tx, c.User.InstitutionID, incident.Commander{UnitID: u.ID, PersonID: pid,
			Title: r.FormValue("title"), From: r.FormValue("from"), To: r.FormValue("to"), Sensitivity: level})
		if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "unit.commander", "unit", u.ID, "commander="+cm.ID)
	})
}

// ---- accountability ----

type incCasesView struct {
	Cases     []incident.Case
	Picture   incident.Picture
	Overdue   int
	Stalled   int
	StallDays int
	Stages    []string
}

func (s *Server) incCases(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	inst := c.User.InstitutionID
	v := incCasesView{StallDays: incident.StallDays, Stages: incident.Stages[1:]}
	err := s.db.Read(r.Context(), inst, func(tx *db.Tx) error {
		var err error
		if v.Cases, err = incident.ListCases(r.Context(), tx, inst, "", incClearance(r), incToday()); err != nil {
			return err
		}
		v.Picture, err = incident.ImpunityFigures(r.Context(), tx, inst, incClearance(r), incToday())
		return err
	})
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	for _, cs := range v.Cases {
		if cs.Overdue {
			v.Overdue++
		}
		if cs.Stalled {
			v.Stalled++
		}
	}
	s.render(w, r, "incidents_cases", pageData{Title: "Accountability and redress", Data: v})
}

func (s *Server) incCaseCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	inst := c.User.InstitutionID
	eventID := r.FormValue("event_id")
	var cs incident.Case
	err := s.db.Write(r.Context(), inst, func(tx *db.Tx) error {
		if _, err := incident.GetEvent(r.Context(), tx, inst, eventID, incClearance(r)); err != nil {
			return incident.ValidationError{Msg: "open a case from an incident on record"}
		}
		level, err := formLevelOr(r, "sensitivity", sensitivity.Internal)
		if err != nil {
			return err
		}
		if cs, err = incident.OpenCase(r.Context(), tx, inst, c.User.ID, incident.Case{EventID: eventID, ActID: r.FormValue("act_id"),
			Title: r.FormValue("title"), Authority: r.FormValue("authority"), OpenedOn: r.FormValue("opened_on"),
			Deadline: r.FormValue("deadline"), Sensitivity: level}); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "case.create", "case", cs.ID, "event="+eventID)
	})
	var ve incident.ValidationError
	if errors.As(err, &ve) {
		if eventID != "" {
			if v, lerr := s.incLoadEvent(r, eventID); lerr == nil {
				s.renderStatus(w, r, http.StatusBadRequest, "incidents_event", pageData{Title: v.Event.Title, Error: ve.Msg, Data: v})
				return
			}
		}
		s.fail(w, r, route{}, http.StatusBadRequest, ve.Msg, nil)
		return
	} else if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	http.Redirect(w, r, "/cases/"+cs.ID, http.StatusSeeOther)
}

type incCaseView struct {
	Case             incident.Case
	CanEdit          bool
	Levels           []sensitivity.Level
	Stages           []string
	Outcomes         []string
	Forms            []string
	ReparationStatus []string
	Today            string
}

func (s *Server) incCaseLoad(r *http.Request) (incCaseView, error) {
	c := current(r)
	v := incCaseView{CanEdit: c.User.Role.In(incEditors...), Levels: sensitivity.All, Stages: incident.Stages, Outcomes: incident.Outcomes,
		Forms: incident.ReparationForms, ReparationStatus: incident.ReparationStatus, Today: incToday()}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Case, err = incident.GetCase(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"), incClearance(r), v.Today)
		return err
	})
	return v, err
}

func (s *Server) incCase(w http.ResponseWriter, r *http.Request) {
	v, err := s.incCaseLoad(r)
	if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	s.render(w, r, "incidents_case", pageData{Title: v.Case.Title, Data: v})
}

func (s *Server) incCaseEdit(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incCaseWrite(w, r, func(tx *db.Tx, id string) error {
		old, err := incident.GetCase(r.Context(), tx, c.User.InstitutionID, id, incClearance(r), "")
		if err != nil {
			return err
		}
		level, err := formLevelOr(r, "sensitivity", old.Sensitivity)
		if err != nil {
			return err
		}
		changed, err := incident.UpdateCase(r.Context(), tx, c.User.InstitutionID, incClearance(r), id, incident.Case{Title: r.FormValue("title"),
			Authority: r.FormValue("authority"), Deadline: r.FormValue("deadline"), Sensitivity: level})
		if err != nil || len(changed) == 0 {
			return err
		}
		return s.record(r.Context(), tx, r, "case.update", "case", id, incAuditFields(changed, old.Sensitivity, level))
	})
}

func (s *Server) incCaseWithdraw(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incCaseWrite(w, r, func(tx *db.Tx, id string) error {
		if err := incident.WithdrawCase(r.Context(), tx, c.User.InstitutionID, incClearance(r), id, r.FormValue("reason")); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "case.withdraw", "case", id, "")
	})
}

func (s *Server) incCaseWrite(w http.ResponseWriter, r *http.Request, fn func(tx *db.Tx, id string) error) {
	c := current(r)
	id := r.PathValue("id")
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		if _, err := incident.GetCase(r.Context(), tx, c.User.InstitutionID, id, incClearance(r), ""); err != nil {
			return err
		}
		return fn(tx, id)
	})
	var ve incident.ValidationError
	if errors.As(err, &ve) {
		v, lerr := s.incCaseLoad(r)
		if lerr != nil {
			s.incFail(w, r, route{}, lerr)
			return
		}
		s.renderStatus(w, r, http.StatusBadRequest, "incidents_case", pageData{Title: v.Case.Title, Error: ve.Msg, Data: v})
		return
	} else if err != nil {
		s.incFail(w, r, route{}, err)
		return
	}
	http.Redirect(w, r, "/cases/"+id, http.StatusSeeOther)
}

func (s *Server) incCaseStep(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incCaseWrite(w, r, func(tx *db.Tx, id string) error {
		cs, err := incident.AddStep(r.Context(), tx, c.User.InstitutionID, c.User.ID, id, incident.Step{Stage: r.FormValue("stage"),
			OnDate: r.FormValue("on_date"), Authority: r.FormValue("authority"), Outcome: r.FormValue("outcome"), Note: r.FormValue("note"),
			Deadline: r.FormValue("deadline")}, incClearance(r))
		if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "case.step", "case", id, "stage="+cs.Stage+" outcome="+cs.Outcome)
	})
}

func (s *Server) incCaseReparation(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	s.incCaseWrite(w, r, func(tx *db.Tx, id string) error {
		rep, err := incident.AddReparation(r.Context(), tx, c.User.InstitutionID, c.User.ID, id, incident.Reparation{Form: r.FormValue("form"),
			Status: r.FormValue("status"), OnDate: r.FormValue("on_date"), Note: r.FormValue("note")}, incClearance(r))
		if err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "case.reparation", "case", id, "form="+rep.Form+" status="+rep.Status)
	})
}
