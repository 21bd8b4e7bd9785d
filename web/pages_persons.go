package web

import (
	"errors"
	"net/http"

	"vigil/db"
	"vigil/incident"
	"vigil/sensitivity"
)

type personsView struct {
	Persons   []incident.Person
	Kinds     []string
	Sexes     []string
	AgeGroups []string
	Levels    []sensitivity.Level
	Form      incident.Person
}

func newPersonsView() personsView {
	return personsView{Kinds: incident.Kinds, Sexes: incident.Sexes, AgeGroups: incident.AgeGroups, Levels: sensitivity.All,
		Form: incident.Person{Sensitivity: sensitivity.Confidential}}
}

// personsPage lists pseudonyms only, so the list is not a read of
// identifying data; opening a person is, and is audited.
func (s *Server) personsPage(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := newPersonsView()
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Persons, err = incident.ListPersons(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, c.User.Role, false)
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The persons could not be listed.", err)
		return
	}
	s.render(w, r, "persons", pageData{Title: "Persons", Data: v})
}

func (s *Server) personForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "person_new", pageData{Title: "Record a person", Data: newPersonsView()})
}

func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	level, lerr := sensitivity.Parse(r.PostFormValue("sensitivity"))
	p := incident.Person{Kind: r.PostFormValue("kind"), Pseudonym: r.PostFormValue("pseudonym"), Name: r.PostFormValue("name"),
		Contact: r.PostFormValue("contact"), IDDocument: r.PostFormValue("id_document"), Address: r.PostFormValue("address"),
		Notes: r.PostFormValue("notes"), Sex: r.PostFormValue("sex"), AgeGroup: r.PostFormValue("age_group"), Sensitivity: level}
	var userErr error = lerr
	var created incident.Person
	if userErr == nil {
		err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			var err error
			created, err = incident.CreatePerson(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, c.User.ID, p)
			if err != nil {
				userErr = err
				return err
			}
			return s.record(r.Context(), tx, r, "person.create", "person", created.ID, "kind="+created.Kind+" sensitivity="+created.Sensitivity.String())
		})
		if err != nil && userErr == nil {
			s.fail(w, r, route{}, http.StatusInternalServerError, "The person could not be saved.", err)
			return
		}
	}
	if userErr != nil {
		v := newPersonsView()
		v.Form = p
		s.renderStatus(w, r, http.StatusBadRequest, "person_new", pageData{Title: "Record a person", Error: userErr.Error(), Data: v})
		return
	}
	http.Redirect(w, r, "/persons/"+created.ID, http.StatusSeeOther)
}

// readPerson loads one person for the caller and, when the record is
// confidential, writes the read to the audit trail in the same transaction:
// if the audit entry cannot be written, the data is not shown.
func (s *Server) readPerson(r *http.Request) (incident.Person, error) {
	p, _, err := s.readPersonWithActs(r)
	return p, err
}

// readPersonWithActs also lists the acts the person is involved in that the
// caller may see.
func (s *Server) readPersonWithActs(r *http.Request) (incident.Person, []incident.PersonAct, error) {
	c := current(r)
	var p incident.Person
	var acts []incident.PersonAct
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		p, err = incident.GetPerson(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, r.PathValue("id"), c.User.Role)
		if err != nil {
			return err
		}
		if acts, err = incident.PersonInvolvements(r.Context(), tx, c.User.InstitutionID, p.ID, c.User.Role.Clearance()); err != nil {
			return err
		}
		if p.Sensitivity == sensitivity.Confidential {
			return s.record(r.Context(), tx, r, "person.read", "person", p.ID, "")
		}
		return nil
	})
	return p, acts, err
}

type personView struct {
	incident.Person
	Acts []incident.PersonAct
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) {
	p, acts, err := s.readPersonWithActs(r)
	if errors.Is(err, incident.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such person, or your role does not allow you to see it.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The person could not be loaded.", err)
		return
	}
	s.render(w, r, "person", pageData{Title: p.Pseudonym, Data: personView{Person: p, Acts: acts}})
}

type apiPerson struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Pseudonym   string `json:"pseudonym"`
	Sex         string `json:"sex"`
	AgeGroup    string `json:"age_group"`
	Sensitivity string `json:"sensitivity"`
	Name        string `json:"name,omitempty"`
	Contact     string `json:"contact,omitempty"`
	IDDocument  string `json:"id_document,omitempty"`
	Address     string `json:"address,omitempty"`
	Notes       string `json:"notes,omitempty"`
	CreatedAt   string `json:"created_at"`
}

func toAPIPerson(p incident.Person) apiPerson {
	return apiPerson{ID: p.ID, Kind: p.Kind, Pseudonym: p.Pseudonym, Sex: p.Sex, AgeGroup: p.AgeGroup, Sensitivity: p.Sensitivity.String(),
		Name: p.Name, Contact: p.Contact, IDDocument: p.IDDocument, Address: p.Address, Notes: p.Notes, CreatedAt: p.CreatedAt}
}

func (s *Server) apiPersons(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var ps []incident.Person
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		ps, err = incident.ListPersons(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, c.User.Role, false)
		return err
	})
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := make([]apiPerson, 0, len(ps))
	for _, p := range ps {
		out = append(out, toAPIPerson(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"persons": out})
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) {
	p, err := s.readPerson(r)
	if errors.Is(err, incident.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such person", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIPerson(p))
}
