package web

import (
	"errors"
	"net/http"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
)

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var data struct {
		Institution access.Institution
		Recent      []audit.Row
	}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		if data.Institution, err = access.GetInstitution(r.Context(), tx, c.User.InstitutionID); err != nil {
			return err
		}
		if allowed(c.User.Role, "GET", "/audit") {
			data.Recent, err = audit.List(r.Context(), tx, c.User.InstitutionID, audit.Filter{Limit: 10})
		}
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The dashboard could not be loaded.", err)
		return
	}
	s.render(w, r, "dashboard", pageData{Title: "Dashboard", Data: data})
}

type totpSetup struct{ Secret, URI string }

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "account", pageData{Title: "My account", Data: struct{ NewSecret *totpSetup }{}})
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	d.Title = "My account"
	if d.Data == nil {
		d.Data = struct{ NewSecret *totpSetup }{}
	}
	s.renderStatus(w, r, status, "account", d)
}

func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		ok, err := s.auth.CheckPasswordOf(r.Context(), tx, c.User, r.PostFormValue("current"))
		if err != nil {
			return err
		}
		if !ok {
			userErr = errors.New("the current password is not right")
			return nil
		}
		if err := access.SetPassword(r.Context(), tx, c.User.InstitutionID, c.User.ID, c.User.Username, r.PostFormValue("new")); err != nil {
			userErr = err
			return nil
		}
		return s.record(r.Context(), tx, r, "user.password", "user", c.User.ID, "changed own password")
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The password could not be changed.", err)
		return
	}
	if userErr != nil {
		s.accountPage(w, r, http.StatusBadRequest, pageData{Error: userErr.Error()})
		return
	}
	// Changing the password ended every session, this one included.
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) totpBegin(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var secret string
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		if secret, err = s.auth.BeginTOTP(r.Context(), tx, c.User); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "user.totp-begin", "user", c.User.ID, "")
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The second factor could not be set up.", err)
		return
	}
	setup := &totpSetup{Secret: secret, URI: access.TOTPURI(secret, "Vigil", c.User.Username)}
	s.accountPage(w, r, http.StatusOK, pageData{Data: struct{ NewSecret *totpSetup }{setup}})
}

func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		if err := s.auth.ConfirmTOTP(r.Context(), tx, c.User, r.PostFormValue("code")); err != nil {
			if errors.Is(err, access.ErrBadCode) {
				userErr = errors.New("that code is not right; start the set-up again and check the device's clock")
				return nil
			}
			return err
		}
		return s.record(r.Context(), tx, r, "user.totp-on", "user", c.User.ID, "")
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The second factor could not be turned on.", err)
		return
	}
	if userErr != nil {
		s.accountPage(w, r, http.StatusBadRequest, pageData{Error: userErr.Error()})
		return
	}
	c.User.TOTPEnabled = true
	s.accountPage(w, r, http.StatusOK, pageData{Notice: "The second factor is on. You will be asked for a code at each sign-in."})
}

func (s *Server) totpDisable(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		ok, err := s.auth.CheckPasswordOf(r.Context(), tx, c.User, r.PostFormValue("password"))
		if err != nil {
			return err
		}
		if !ok {
			userErr = errors.New("the password is not right")
			return nil
		}
		if err := access.DisableTOTP(r.Context(), tx, c.User); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "user.totp-off", "user", c.User.ID, "")
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The second factor could not be turned off.", err)
		return
	}
	if userErr != nil {
		s.accountPage(w, r, http.StatusBadRequest, pageData{Error: userErr.Error()})
		return
	}
	c.User.TOTPEnabled = false
	s.accountPage(w, r, http.StatusOK, pageData{Notice: "The second factor is off."})
}
