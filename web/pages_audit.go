package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
)

type auditView struct {
	Filter struct{ Action, Actor, ObjectType string }
	Rows   []audit.Row
	Next   string
}

const auditPageSize = 100

// auditRows reads one page of the caller's institution's audit trail, with
// filters from the query string. Reviewers and administrators only (table).
func (s *Server) auditRows(r *http.Request) (auditView, error) {
	c := current(r)
	q := r.URL.Query()
	var v auditView
	v.Filter.Action, v.Filter.Actor, v.Filter.ObjectType = q.Get("action"), q.Get("actor"), q.Get("type")
	offset, _ := strconv.Atoi(q.Get("offset"))
	if offset < 0 {
		offset = 0
	}
	f := audit.Filter{Action: v.Filter.Action, ObjectType: v.Filter.ObjectType, ObjectID: q.Get("id"), Limit: auditPageSize + 1, Offset: offset}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		if v.Filter.Actor != "" {
			u, err := access.GetUserByName(r.Context(), tx, v.Filter.Actor)
			if errors.Is(err, access.ErrNotFound) || u.InstitutionID != c.User.InstitutionID {
				f.ActorID = "-" // no such user here: match nothing
			} else if err != nil {
				return err
			} else {
				f.ActorID = u.ID
			}
		}
		var err error
		v.Rows, err = audit.List(r.Context(), tx, c.User.InstitutionID, f)
		return err
	})
	if len(v.Rows) > auditPageSize {
		v.Rows = v.Rows[:auditPageSize]
		nq := url.Values{}
		for k, vals := range q {
			nq[k] = vals
		}
		nq.Set("offset", strconv.Itoa(offset+auditPageSize))
		v.Next = "?" + nq.Encode()
	}
	return v, err
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.auditRows(r)
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The audit trail could not be read.", err)
		return
	}
	s.render(w, r, "audit", pageData{Title: "Audit trail", Data: v})
}
