package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"vigil/access"
	"vigil/db"
	"vigil/sensitivity"
	"vigil/treaty"
)

// The treaty ratification and implementation monitor (package treaty).
// Reference data (catalogue, participation, declarations) is the same for
// every institution, so its pages take the State or instrument as a query
// parameter; the institution's own records (checklist answers) have ids.

var treatyEditors = []access.Role{access.Administrator, access.Analyst, access.Reviewer}

func init() {
	registerPart(part{name: "treaties", order: 40,
		routes: []route{
			{method: "GET", path: "/treaties", roles: everyone, handle: (*Server).treatiesPage},
			{method: "GET", path: "/treaties/state", roles: everyone, handle: (*Server).treatyStatePage},
			{method: "GET", path: "/treaties/gaps", roles: everyone, handle: (*Server).treatyGapsPage},
			{method: "GET", path: "/treaties/instrument", roles: everyone, handle: (*Server).treatyInstrumentPage},
			{method: "GET", path: "/treaties/export.csv", roles: everyone, handle: (*Server).treatyExportCSV},
			{method: "GET", path: "/treaties/export.xlsx", roles: everyone, handle: (*Server).treatyExportXLSX},
			{method: "GET", path: "/treaties/instruments/new", roles: treatyEditors, handle: (*Server).treatyInstrumentForm},
			{method: "POST", path: "/treaties/instruments", roles: treatyEditors, handle: (*Server).treatyInstrumentCreate},
			{method: "GET", path: "/treaties/confirm", roles: treatyEditors, handle: (*Server).treatyConfirmPage},
			{method: "POST", path: "/treaties/acceptances", roles: treatyEditors, handle: (*Server).treatyConfirmSubmit},
			{method: "POST", path: "/treaties/checklist", roles: treatyEditors, handle: (*Server).treatyCheckSave},
			{method: "GET", path: "/treaties/checklist/{id}", roles: everyone, handle: (*Server).treatyCheckPage},

			{method: "GET", path: "/api/v1/treaties/instruments", roles: everyone, api: true, doc: "The instrument catalogue with parties and signatories per instrument as of the latest data.", handle: (*Server).apiTreatyInstruments},
			{method: "GET", path: "/api/v1/treaties/instrument", roles: everyone, api: true, doc: "One instrument (?id=cat): parties, signatories and parties per year.", handle: (*Server).apiTreatyInstrument},
			{method: "GET", path: "/api/v1/treaties/status", roles: everyone, api: true, doc: "A State's status (?state=XVG): instruments, optional procedures, checklist and gaps with the Framework indicators they bear on; ?indicator=3.1 keeps the gaps on one indicator.", handle: (*Server).apiTreatyStatus},
			{method: "POST", path: "/api/v1/treaties/acceptances", roles: treatyEditors, api: true, doc: "Confirm a State's position on an optional procedure: JSON {state, procedure, status (accepted|not_accepted|withdrawn), declaration_id, accepted_on, note, sensitivity}.", handle: (*Server).apiTreatyConfirm},
			{method: "POST", path: "/api/v1/treaties/checklist", roles: treatyEditors, api: true, doc: "Answer a checklist item: JSON {state, item, status (yes|partly|no|unknown), evidence, source_url, as_of, sensitivity}.", handle: (*Server).apiTreatyCheckSave},
			{method: "GET", path: "/api/v1/treaties/checklist/{id}", roles: everyone, api: true, doc: "One checklist answer of the caller's institution, with its evidence, when the caller's clearance covers it.", handle: (*Server).apiTreatyCheck},
		},
		nav: []navItem{{Key: "nav.treaties", Href: "/treaties"}},
	})
	registerMessages("en", map[string]string{"nav.treaties": "Treaties"})
	registerMessages("fr", map[string]string{"nav.treaties": "Traités"})
	registerMessages("es", map[string]string{"nav.treaties": "Tratados"})
	registerMessages("ar", map[string]string{"nav.treaties": "المعاهدات"})
}

// treatyState is the State a page is about: ?state=, else the
// institution's own country.
func (s *Server) treatyState(r *http.Request) (string, error) {
	st := strings.ToUpper(strings.TrimSpace(r.FormValue("state")))
	if st != "" {
		if !treaty.ValidState(st) {
			return "", treaty.ErrInput{Msg: "the State must be an ISO 3166-1 alpha-3 code"}
		}
		return st, nil
	}
	c := current(r)
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		return tx.QueryRow(r.Context(), "SELECT country_code FROM institutions WHERE id = ?", c.User.InstitutionID).Scan(&st)
	})
	return st, err
}

type treatiesView struct {
	Instruments []treaty.Summary
	Countries   []struct{ Code, Name string }
	State       string
	CanEdit     bool
}

func (s *Server) treatiesPage(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := treatiesView{CanEdit: c.User.Role.In(treatyEditors...)}
	var err error
	if v.State, err = s.treatyState(r); err != nil && !treaty.IsInput(err) {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The treaties could not be listed.", err)
		return
	}
	err = s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Instruments, err = summaries(r.Context(), tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(r.Context(), `SELECT DISTINCT c.code, c.name FROM countries c JOIN treaty_participation p ON p.state = c.code ORDER BY c.name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x struct{ Code, Name string }
			if err := rows.Scan(&x.Code, &x.Name); err != nil {
				return err
			}
			v.Countries = append(v.Countries, x)
		}
		return rows.Err()
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The treaties could not be listed.", err)
		return
	}
	s.render(w, r, "treaties_index", pageData{Title: "Treaties", Data: v})
}

// summaries counts parties for every instrument in two queries.
func summaries(ctx context.Context, q db.Q) ([]treaty.Summary, error) {
	ins, err := treaty.Instruments(ctx, q)
	if err != nil {
		return nil, err
	}
	all, err := treaty.AllParticipation(ctx, q)
	if err != nil {
		return nil, err
	}
	type counts struct {
		parties, signatories int
		asOf                 string
	}
	by := map[string]*counts{}
	for _, p := range all {
		c := by[p.Instrument]
		if c == nil {
			c = &counts{}
			by[p.Instrument] = c
		}
		switch p.Status() {
		case "party":
			c.parties++
		case "signatory":
			c.signatories++
		}
		if p.AsOf > c.asOf {
			c.asOf = p.AsOf
		}
	}
	out := make([]treaty.Summary, 0, len(ins))
	for _, in := range ins {
		s := treaty.Summary{Instrument: in}
		if c := by[in.ID]; c != nil {
			s.Parties, s.Signatories, s.AsOf = c.parties, c.signatories, c.asOf
		}
		out = append(out, s)
	}
	return out, nil
}

type profileView struct {
	treaty.Profile
	Comparison  treaty.Comparison
	Chart       template.HTML
	CanEdit     bool
	Statuses    []string
	Levels      []sensitivity.Level
	Labels      map[string]string
	Unconfirmed int
}

// loadProfile builds a State's profile for the caller. When it shows a
// confidential checklist answer, the read is written to the audit trail
// before the page is sent, so no audit entry means no page.
func (s *Server) loadProfile(r *http.Request, state string, withComparison bool) (profileView, error) {
	c := current(r)
	v := profileView{CanEdit: c.User.Role.In(treatyEditors...), Statuses: treaty.ChecklistStatuses, Levels: sensitivity.All, Labels: treaty.IndicatorLabels}
	confidential := 0
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Profile, err = treaty.BuildProfile(r.Context(), tx, state, c.User.InstitutionID, c.User.Role.Clearance())
		if err != nil {
			return err
		}
		if withComparison {
			ins, err := treaty.Instruments(r.Context(), tx)
			if err != nil {
				return err
			}
			if v.Comparison, err = treaty.Compare(r.Context(), tx, state, ins); err != nil {
				return err
			}
			v.Chart = template.HTML(treaty.ComparisonSVG(v.Comparison, "cmp"))
		}
		for _, l := range v.Checklist {
			if l.Entry != nil && l.Entry.Sensitivity == sensitivity.Confidential {
				confidential++
			}
		}
		for _, p := range v.Procedures {
			if p.Suggested != "" && !p.Confirmed {
				v.Unconfirmed++
			}
		}
		return nil
	})
	if err == nil && confidential > 0 {
		// Most profiles show nothing confidential and stay a read; when one
		// does, the page is only sent once the audit entry is committed.
		err = s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			return s.record(r.Context(), tx, r, "treaty.checklist.read", "treaty_state", state, fmt.Sprintf("%d confidential answers shown", confidential))
		})
	}
	return v, err
}

func (s *Server) treatyStatePage(w http.ResponseWriter, r *http.Request) {
	state, err := s.treatyState(r)
	if treaty.IsInput(err) {
		s.fail(w, r, route{}, http.StatusBadRequest, err.Error(), nil)
		return
	}
	var v profileView
	if err == nil {
		v, err = s.loadProfile(r, state, true)
	}
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The State's profile could not be loaded.", err)
		return
	}
	s.render(w, r, "treaties_state", pageData{Title: "Treaty profile: " + v.Name, Notice: noticeFor(r), Data: v})
}

func noticeFor(r *http.Request) string {
	switch r.URL.Query().Get("saved") {
	case "check":
		return "The checklist answer was saved."
	case "acceptance":
		return "The confirmation was saved."
	case "instrument":
		return "The instrument was added to the catalogue."
	}
	return ""
}

func (s *Server) treatyGapsPage(w http.ResponseWriter, r *http.Request) {
	state, err := s.treatyState(r)
	if treaty.IsInput(err) {
		s.fail(w, r, route{}, http.StatusBadRequest, err.Error(), nil)
		return
	}
	var v profileView
	if err == nil {
		v, err = s.loadProfile(r, state, false)
	}
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The gaps could not be listed.", err)
		return
	}
	s.render(w, r, "treaties_gaps", pageData{Title: "Treaty gaps: " + v.Name, Data: v})
}

type instrumentView struct {
	treaty.Summary
	Chart   template.HTML
	Parties []treaty.Participation
	Names   map[string]string
}

func (s *Server) treatyInstrumentPage(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	id := r.URL.Query().Get("id")
	var v instrumentView
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		if id == "" {
			ins, err := treaty.Instruments(r.Context(), tx)
			if err != nil || len(ins) == 0 {
				return errors.Join(err, treaty.ErrNotFound)
			}
			id = ins[0].ID
		}
		var err error
		if v.Summary, err = treaty.Summarise(r.Context(), tx, id); err != nil {
			return err
		}
		if v.Parties, err = treaty.InstrumentParticipation(r.Context(), tx, id); err != nil {
			return err
		}
		v.Names = map[string]string{}
		rows, err := tx.Query(r.Context(), "SELECT code, name FROM countries")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var code, name string
			if err := rows.Scan(&code, &name); err != nil {
				return err
			}
			v.Names[code] = name
		}
		return rows.Err()
	})
	if errors.Is(err, treaty.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such instrument in the catalogue.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The instrument could not be loaded.", err)
		return
	}
	v.Chart = template.HTML(treaty.PartiesSVG(v.Summary, "parties"))
	s.render(w, r, "treaties_instrument", pageData{Title: v.ShortName, Data: v})
}

func (s *Server) treatyExport(w http.ResponseWriter, r *http.Request, xlsx bool) {
	state, err := s.treatyState(r)
	if treaty.IsInput(err) {
		s.fail(w, r, route{}, http.StatusBadRequest, err.Error(), nil)
		return
	}
	var v profileView
	if err == nil {
		v, err = s.loadProfile(r, state, false)
	}
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The export could not be made.", err)
		return
	}
	var buf bytes.Buffer
	name := "treaties-" + state
	if xlsx {
		err = treaty.WriteXLSX(&buf, state, v.Table())
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		name += ".xlsx"
	} else {
		err = treaty.WriteCSV(&buf, v.Table())
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	}
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The export could not be made.", err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(buf.Bytes())
}

func (s *Server) treatyExportCSV(w http.ResponseWriter, r *http.Request)  { s.treatyExport(w, r, false) }
func (s *Server) treatyExportXLSX(w http.ResponseWriter, r *http.Request) { s.treatyExport(w, r, true) }

type instrumentFormView struct {
	Form       treaty.Instrument
	Categories []string
}

func (s *Server) treatyInstrumentForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "treaties_new", pageData{Title: "Add an instrument", Data: instrumentFormView{Form: treaty.Instrument{Category: "regional"}, Categories: treaty.Categories}})
}

func (s *Server) treatyInstrumentCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	in := treaty.Instrument{ID: r.PostFormValue("id"), ShortName: r.PostFormValue("short_name"), Title: r.PostFormValue("title"),
		Category: r.PostFormValue("category"), UNTCID: strings.TrimSpace(r.PostFormValue("untc_id")), Depositary: r.PostFormValue("depositary"),
		Adopted: r.PostFormValue("adopted"), EntryIntoForce: r.PostFormValue("entry_into_force"), MonitoringBody: r.PostFormValue("monitoring_body"),
		Source: "added by a user", AddedBy: c.User.InstitutionID}
	userErr := in.Check()
	if userErr == nil {
		err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			if _, err := treaty.GetInstrument(r.Context(), tx, in.ID); err == nil {
				userErr = treaty.ErrInput{Msg: "an instrument with this id is already in the catalogue"}
				return userErr
			}
			if _, err := treaty.UpsertInstrument(r.Context(), tx, in); err != nil {
				return err
			}
			return s.record(r.Context(), tx, r, "treaty.instrument.create", "treaty_instrument", in.ID, "category="+in.Category)
		})
		if err != nil && userErr == nil {
			s.fail(w, r, route{}, http.StatusInternalServerError, "The instrument could not be saved.", err)
			return
		}
	}
	if userErr != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "treaties_new", pageData{Title: "Add an instrument", Error: userErr.Error(),
			Data: instrumentFormView{Form: in, Categories: treaty.Categories}})
		return
	}
	http.Redirect(w, r, "/treaties/instrument?id="+in.ID+"&saved=instrument", http.StatusSeeOther)
}

type confirmView struct {
	State        string
	Name         string
	Declarations []confirmItem
	Procedures   []treaty.ProcedureStatus
	Levels       []sensitivity.Level
}

type confirmItem struct {
	treaty.Declaration
	Suggestions []suggestion
}

type suggestion struct {
	Code, Status, Label string
	Current             string // the confirmed status, if any
}

// treatyConfirmPage shows a State's declarations with what the importer
// read in them, for a person to confirm against the text.
func (s *Server) treatyConfirmPage(w http.ResponseWriter, r *http.Request) {
	state, err := s.treatyState(r)
	if treaty.IsInput(err) {
		s.fail(w, r, route{}, http.StatusBadRequest, err.Error(), nil)
		return
	}
	var v profileView
	if err == nil {
		v, err = s.loadProfile(r, state, false)
	}
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The declarations could not be loaded.", err)
		return
	}
	cv := confirmView{State: state, Name: v.Name, Procedures: v.Procedures, Levels: sensitivity.All}
	confirmed := map[string]string{}
	for _, p := range v.Procedures {
		if p.Confirmed {
			confirmed[p.Code] = p.Status
		}
	}
	for _, d := range v.Declarations {
		if d.Section == "objections" {
			continue
		}
		it := confirmItem{Declaration: d}
		for _, sg := range d.Suggested {
			code, status, _ := strings.Cut(sg, ":")
			if status == "" {
				status = "accepted"
			}
			it.Suggestions = append(it.Suggestions, suggestion{Code: code, Status: status, Label: treaty.SuggestionLabel(sg), Current: confirmed[code]})
		}
		cv.Declarations = append(cv.Declarations, it)
	}
	s.render(w, r, "treaties_confirm", pageData{Title: "Confirm optional procedures: " + v.Name, Data: cv})
}

func (s *Server) treatyConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	level, lerr := sensitivity.Parse(r.PostFormValue("sensitivity"))
	if r.PostFormValue("sensitivity") == "" {
		level, lerr = sensitivity.Internal, nil
	}
	a := treaty.Acceptance{State: strings.ToUpper(r.PostFormValue("state")), Procedure: r.PostFormValue("procedure"), Status: r.PostFormValue("status"),
		DeclarationID: r.PostFormValue("declaration"), AcceptedOn: r.PostFormValue("accepted_on"), Note: r.PostFormValue("note"), Sensitivity: level}
	var userErr error = lerr
	if userErr == nil {
		err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			saved, err := treaty.Confirm(r.Context(), tx, c.User.InstitutionID, c.User.ID, a)
			if treaty.IsInput(err) {
				userErr = err
			}
			if err != nil {
				return err
			}
			return s.record(r.Context(), tx, r, "treaty.acceptance.confirm", "treaty_acceptance", saved.ID,
				"state="+saved.State+" procedure="+saved.Procedure+" status="+saved.Status)
		})
		if err != nil && userErr == nil {
			s.fail(w, r, route{}, http.StatusInternalServerError, "The confirmation could not be saved.", err)
			return
		}
	}
	if userErr != nil {
		s.fail(w, r, route{}, http.StatusBadRequest, userErr.Error(), nil)
		return
	}
	http.Redirect(w, r, "/treaties/state?state="+a.State+"&saved=acceptance#procedures", http.StatusSeeOther)
}

func (s *Server) treatyCheckSave(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	level, lerr := sensitivity.Parse(r.PostFormValue("sensitivity"))
	if r.PostFormValue("sensitivity") == "" {
		level, lerr = sensitivity.Internal, nil
	}
	e := treaty.CheckEntry{State: strings.ToUpper(r.PostFormValue("state")), Item: r.PostFormValue("item"), Status: r.PostFormValue("status"),
		Evidence: r.PostFormValue("evidence"), SourceURL: strings.TrimSpace(r.PostFormValue("source_url")), AsOf: r.PostFormValue("as_of"), Sensitivity: level}
	var userErr error = lerr
	if userErr == nil {
		err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			saved, err := treaty.SaveCheck(r.Context(), tx, c.User.InstitutionID, c.User.ID, e)
			if treaty.IsInput(err) {
				userErr = err
			}
			if err != nil {
				return err
			}
			return s.record(r.Context(), tx, r, "treaty.checklist.save", "treaty_checklist", saved.ID,
				"state="+saved.State+" item="+saved.Item+" status="+saved.Status+" sensitivity="+saved.Sensitivity.String())
		})
		if err != nil && userErr == nil {
			s.fail(w, r, route{}, http.StatusInternalServerError, "The answer could not be saved.", err)
			return
		}
	}
	if userErr != nil {
		s.fail(w, r, route{}, http.StatusBadRequest, userErr.Error(), nil)
		return
	}
	http.Redirect(w, r, "/treaties/state?state="+e.State+"&saved=check#checklist", http.StatusSeeOther)
}

type checkView struct {
	treaty.CheckEntry
	Label      string
	Indicators []string
	Statuses   []string
	Levels     []sensitivity.Level
	CanEdit    bool
}

// readCheck loads one checklist answer of the caller's institution,
// auditing the read when it is confidential.
func (s *Server) readCheck(r *http.Request) (checkView, error) {
	c := current(r)
	var v checkView
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		e, err := treaty.GetCheckEntry(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"), c.User.Role.Clearance())
		if err != nil {
			return err
		}
		v.CheckEntry = e
		if e.Sensitivity == sensitivity.Confidential {
			return s.record(r.Context(), tx, r, "treaty.checklist.read", "treaty_checklist", e.ID, "")
		}
		return nil
	})
	item, _ := treaty.ChecklistByCode(v.Item)
	v.Label, v.Indicators, v.Statuses, v.Levels, v.CanEdit = item.Label, item.Indicators, treaty.ChecklistStatuses, sensitivity.All, c.User.Role.In(treatyEditors...)
	return v, err
}

func (s *Server) treatyCheckPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.readCheck(r)
	if errors.Is(err, treaty.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such checklist answer, or your role does not allow you to see it.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The answer could not be loaded.", err)
		return
	}
	s.render(w, r, "treaties_check", pageData{Title: v.Label, Data: v})
}

func (s *Server) apiTreatyInstruments(w http.ResponseWriter, r *http.Request) {
	var out []treaty.Summary
	err := s.db.Read(r.Context(), current(r).User.InstitutionID, func(tx *db.Tx) error {
		var err error
		out, err = summaries(r.Context(), tx)
		return err
	})
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	for i := range out {
		out[i].ByYear = nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"instruments": out})
}

func (s *Server) apiTreatyInstrument(w http.ResponseWriter, r *http.Request) {
	var out treaty.Summary
	err := s.db.Read(r.Context(), current(r).User.InstitutionID, func(tx *db.Tx) error {
		var err error
		id := r.URL.Query().Get("id")
		if id == "" {
			// Like the page: without ?id=, the first instrument of the catalogue.
			ins, err := treaty.Instruments(r.Context(), tx)
			if err != nil || len(ins) == 0 {
				return errors.Join(err, treaty.ErrNotFound)
			}
			id = ins[0].ID
		}
		out, err = treaty.Summarise(r.Context(), tx, id)
		return err
	})
	if errors.Is(err, treaty.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such instrument (?id=cat)", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiTreatyStatus(w http.ResponseWriter, r *http.Request) {
	state, err := s.treatyState(r)
	if treaty.IsInput(err) {
		s.fail(w, r, apiRoute, http.StatusBadRequest, err.Error(), nil)
		return
	}
	var v profileView
	if err == nil {
		v, err = s.loadProfile(r, state, false)
	}
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	gaps := v.Gaps
	if ind := r.URL.Query().Get("indicator"); ind != "" {
		// ?indicator=3.1 keeps the gaps that bear on one Framework indicator.
		gaps = v.GapsByIndicator()[ind]
		if gaps == nil {
			gaps = []treaty.Gap{}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"state": v.State, "name": v.Name, "instruments": v.Instruments,
		"procedures": v.Procedures, "checklist": v.Checklist, "gaps": gaps})
}

func (s *Server) apiTreatyCheck(w http.ResponseWriter, r *http.Request) {
	v, err := s.readCheck(r)
	if errors.Is(err, treaty.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such checklist answer", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": v.ID, "state": v.State, "item": v.Item, "label": v.Label, "status": v.Status,
		"evidence": v.Evidence, "source_url": v.SourceURL, "as_of": v.AsOf, "sensitivity": v.Sensitivity.String(),
		"indicators": v.Indicators, "updated_at": v.UpdatedAt})
}

type apiTreatyWrite struct {
	State         string `json:"state"`
	Procedure     string `json:"procedure"`
	Item          string `json:"item"`
	Status        string `json:"status"`
	DeclarationID string `json:"declaration_id"`
	AcceptedOn    string `json:"accepted_on"`
	Note          string `json:"note"`
	Evidence      string `json:"evidence"`
	SourceURL     string `json:"source_url"`
	AsOf          string `json:"as_of"`
	Sensitivity   string `json:"sensitivity"`
}

// readTreatyWrite decodes a JSON body of at most 64 KiB.
func readTreatyWrite(r *http.Request) (apiTreatyWrite, sensitivity.Level, error) {
	var in apiTreatyWrite
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, 0, treaty.ErrInput{Msg: "the body must be one JSON object with the documented fields"}
	}
	level := sensitivity.Internal
	if in.Sensitivity != "" {
		l, err := sensitivity.Parse(in.Sensitivity)
		if err != nil {
			return in, 0, treaty.ErrInput{Msg: err.Error()}
		}
		level = l
	}
	return in, level, nil
}

func (s *Server) apiTreatyConfirm(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	in, level, err := readTreatyWrite(r)
	var saved treaty.Acceptance
	if err == nil {
		err = s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			var err error
			saved, err = treaty.Confirm(r.Context(), tx, c.User.InstitutionID, c.User.ID, treaty.Acceptance{State: strings.ToUpper(in.State),
				Procedure: in.Procedure, Status: in.Status, DeclarationID: in.DeclarationID, AcceptedOn: in.AcceptedOn, Note: in.Note, Sensitivity: level})
			if err != nil {
				return err
			}
			return s.record(r.Context(), tx, r, "treaty.acceptance.confirm", "treaty_acceptance", saved.ID,
				"state="+saved.State+" procedure="+saved.Procedure+" status="+saved.Status)
		})
	}
	switch {
	case treaty.IsInput(err):
		s.fail(w, r, apiRoute, http.StatusBadRequest, err.Error(), nil)
	case err != nil:
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"id": saved.ID, "state": saved.State, "procedure": saved.Procedure, "status": saved.Status,
			"sensitivity": saved.Sensitivity.String(), "confirmed_at": saved.ConfirmedAt})
	}
}

func (s *Server) apiTreatyCheckSave(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	in, level, err := readTreatyWrite(r)
	var saved treaty.CheckEntry
	if err == nil {
		err = s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			var err error
			saved, err = treaty.SaveCheck(r.Context(), tx, c.User.InstitutionID, c.User.ID, treaty.CheckEntry{State: strings.ToUpper(in.State),
				Item: in.Item, Status: in.Status, Evidence: in.Evidence, SourceURL: strings.TrimSpace(in.SourceURL), AsOf: in.AsOf, Sensitivity: level})
			if err != nil {
				return err
			}
			return s.record(r.Context(), tx, r, "treaty.checklist.save", "treaty_checklist", saved.ID,
				"state="+saved.State+" item="+saved.Item+" status="+saved.Status+" sensitivity="+saved.Sensitivity.String())
		})
	}
	switch {
	case treaty.IsInput(err):
		s.fail(w, r, apiRoute, http.StatusBadRequest, err.Error(), nil)
	case err != nil:
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"id": saved.ID, "state": saved.State, "item": saved.Item, "status": saved.Status,
			"sensitivity": saved.Sensitivity.String(), "updated_at": saved.UpdatedAt})
	}
}
