package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"vigil/access"
	"vigil/db"
)

// apiRoute is the zero route with api set, for errors raised in handlers.
var apiRoute = route{api: true}

type apiUser struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	PartnerOf   string `json:"partner_of,omitempty"`
	TOTPEnabled bool   `json:"totp_enabled"`
	Disabled    bool   `json:"disabled"`
	CreatedAt   string `json:"created_at"`
}

// toAPIUser lists the fields the API returns (ASVS 15.3.1): never hashes or secrets.
func toAPIUser(u access.User) apiUser {
	return apiUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), PartnerOf: u.PartnerOf,
		TOTPEnabled: u.TOTPEnabled, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	writeJSON(w, http.StatusOK, map[string]any{"user": toAPIUser(c.User), "institution_id": c.User.InstitutionID,
		"clearance": c.User.Role.Clearance().String(), "csrf_token": c.Session.CSRFToken})
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	var v usersView
	err := s.db.Read(r.Context(), current(r).User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Users, err = access.ListUsers(r.Context(), tx, current(r).User.InstitutionID)
		return err
	})
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := make([]apiUser, 0, len(v.Users))
	for _, u := range v.Users {
		out = append(out, toAPIUser(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.loadUser(r)
	if errors.Is(err, access.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such user", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIUser(u))
}

func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
		Role        string `json:"role"`
		PartnerOf   string `json:"partner_of"`
		Password    string `json:"password"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields() // only the writable fields (ASVS 15.3.3)
	if err := dec.Decode(&in); err != nil {
		s.fail(w, r, apiRoute, http.StatusBadRequest, "request body: "+err.Error(), nil)
		return
	}
	u, userErr, err := s.createUser(r, access.NewUser{Username: in.Username, DisplayName: in.DisplayName,
		Role: access.Role(in.Role), PartnerOf: in.PartnerOf, Password: in.Password})
	switch {
	case userErr != nil:
		s.fail(w, r, apiRoute, http.StatusBadRequest, userErr.Error(), nil)
	case err != nil:
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
	default:
		writeJSON(w, http.StatusCreated, toAPIUser(u))
	}
}

type apiAuditEntry struct {
	Seq        int64  `json:"seq"`
	At         string `json:"at"`
	ActorID    string `json:"actor_id"`
	ActorName  string `json:"actor_name"`
	IP         string `json:"ip"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Detail     string `json:"detail"`
	Hash       string `json:"hash"`
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	v, err := s.auditRows(r)
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := make([]apiAuditEntry, 0, len(v.Rows))
	for _, e := range v.Rows {
		out = append(out, apiAuditEntry{Seq: e.Seq, At: shortTime(e.At), ActorID: e.ActorID, ActorName: e.ActorName, IP: e.IP,
			Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Detail: e.Detail, Hash: e.Hash})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out, "next": v.Next})
}
