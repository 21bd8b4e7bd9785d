package web

import (
	"errors"
	"net/http"

	"vigil/access"
	"vigil/db"
)

type usersView struct {
	Users []access.User
	Roles []access.Role
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	s.showUsers(w, r, http.StatusOK, pageData{})
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	c := current(r)
	var v usersView
	v.Roles = access.Roles
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Users, err = access.ListUsers(r.Context(), tx, c.User.InstitutionID)
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The users could not be listed.", err)
		return
	}
	d.Title, d.Data = "Users", v
	s.renderStatus(w, r, status, "users", d)
}

// createUser is shared by the page and the API: it validates, creates and
// audits in one transaction, and separates the caller's mistakes (userErr)
// from failures of the system.
func (s *Server) createUser(r *http.Request, nu access.NewUser) (u access.User, userErr, err error) {
	c := current(r)
	err = s.db.Write(r.Context(), db.System, func(tx *db.Tx) error {
		var e error
		u, e = access.CreateUser(r.Context(), tx, c.User.InstitutionID, nu)
		if e != nil {
			userErr = e
			return e // roll back
		}
		return s.record(r.Context(), tx, r, "user.create", "user", u.ID, "role="+string(u.Role))
	})
	if userErr != nil {
		return u, userErr, nil
	}
	return u, nil, err
}

func (s *Server) usersCreate(w http.ResponseWriter, r *http.Request) {
	nu := access.NewUser{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Role: access.Role(r.PostFormValue("role")), PartnerOf: r.PostFormValue("partner_of"), Password: r.PostFormValue("password")}
	u, userErr, err := s.createUser(r, nu)
	switch {
	case userErr != nil:
		s.showUsers(w, r, http.StatusBadRequest, pageData{Error: userErr.Error()})
	case err != nil:
		s.fail(w, r, route{}, http.StatusInternalServerError, "The user could not be created.", err)
	default:
		s.showUsers(w, r, http.StatusOK, pageData{Notice: "Added " + u.Username + "."})
	}
}

type userView struct {
	U     access.User
	Roles []access.Role
}

// loadUser reads a user of the caller's institution; a user of another
// institution is "not found", exactly like one that does not exist.
func (s *Server) loadUser(r *http.Request) (access.User, error) {
	c := current(r)
	var u access.User
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		u, err = access.GetUser(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"))
		return err
	})
	return u, err
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request) {
	u, err := s.loadUser(r)
	if errors.Is(err, access.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such user.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The user could not be loaded.", err)
		return
	}
	s.render(w, r, "user", pageData{Title: u.DisplayName, Data: userView{U: u, Roles: access.Roles}})
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	u, err := s.loadUser(r)
	if errors.Is(err, access.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such user.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The user could not be loaded.", err)
		return
	}
	inst := c.User.InstitutionID
	var userErr error
	var notice string
	err = s.db.Write(r.Context(), inst, func(tx *db.Tx) error {
		ctx := r.Context()
		switch r.PostFormValue("action") {
		case "disable":
			if u.ID == c.User.ID {
				userErr = errors.New("you cannot disable your own account")
				return nil
			}
			notice = "Disabled; the user's sessions have ended."
			if err := access.SetDisabled(ctx, tx, inst, u.ID, true); err != nil {
				return err
			}
			return s.record(ctx, tx, r, "user.disable", "user", u.ID, "")
		case "enable":
			notice = "Enabled."
			if err := access.SetDisabled(ctx, tx, inst, u.ID, false); err != nil {
				return err
			}
			return s.record(ctx, tx, r, "user.enable", "user", u.ID, "")
		case "role":
			role, err := access.ParseRole(r.PostFormValue("role"))
			if err != nil {
				userErr = err
				return nil
			}
			if u.ID == c.User.ID && role != access.Administrator {
				userErr = errors.New("you cannot remove your own administrator role")
				return nil
			}
			notice = "Role changed to " + string(role) + "."
			if err := access.SetRole(ctx, tx, inst, u.ID, role); err != nil {
				return err
			}
			return s.record(ctx, tx, r, "user.role", "user", u.ID, "role="+string(role))
		case "password":
			if err := access.SetPassword(ctx, tx, inst, u.ID, u.Username, r.PostFormValue("password")); err != nil {
				if errors.Is(err, access.ErrNotFound) {
					return err
				}
				userErr = err
				return nil
			}
			notice = "Password reset; the user's sessions have ended."
			return s.record(ctx, tx, r, "user.reset-password", "user", u.ID, "")
		default:
			userErr = errors.New("unknown action")
			return nil
		}
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The change could not be saved.", err)
		return
	}
	status := http.StatusOK
	d := pageData{Notice: notice}
	if userErr != nil {
		status, d = http.StatusBadRequest, pageData{Error: userErr.Error()}
	}
	u, _ = s.loadUser(r)
	d.Title, d.Data = u.DisplayName, userView{U: u, Roles: access.Roles}
	s.renderStatus(w, r, status, "user", d)
}
