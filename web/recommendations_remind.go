package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"vigil/access"
	"vigil/db"
	"vigil/recommend"
)

// E-mail reminders of follow-up actions (package recommend, remind.go):
// administrators name who receives them. Sending is done by
// `vigil recommend remind` (or recommend.RunReminders in a server) when an
// SMTP server is configured.

func init() {
	registerPart(part{name: "recommendations-reminders", order: 31,
		routes: []route{
			{method: "GET", path: "/recommendations/reminders", roles: admins, handle: (*Server).recReminders},
			{method: "POST", path: "/recommendations/reminders", roles: admins, handle: (*Server).recReminderAdd},
			{method: "POST", path: "/recommendations/reminders/remove", roles: admins, handle: (*Server).recReminderRemove},
		},
	})
}

type recRemindView struct {
	Recipients []recommend.Recipient
	Users      []access.User
	Due        int // open actions due soon or overdue, not yet reminded of
	SMTP       bool
	Soon       int
}

// recReminders lists the recipients. Their addresses are personal data of
// staff: reading them is audited.
func (s *Server) recReminders(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	cfg := recommend.MailConfigFromEnv()
	v := recRemindView{SMTP: cfg.Enabled(), Soon: max(cfg.Soon, 7)}
	if cfg.Soon <= 0 {
		v.Soon = 7
	}
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		v.Users = nil // fn may run twice (db.Write): start from nothing
		var err error
		if v.Recipients, err = recommend.Recipients(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID); err != nil {
			return err
		}
		users, err := access.ListUsers(r.Context(), tx, c.User.InstitutionID)
		if err != nil {
			return err
		}
		for _, u := range users {
			if !u.Disabled {
				v.Users = append(v.Users, u)
			}
		}
		due, err := recommend.DueActions(r.Context(), tx, c.User.InstitutionID, time.Now().UTC().Format("2006-01-02"), v.Soon)
		if err != nil {
			return err
		}
		v.Due = len(due)
		if len(v.Recipients) == 0 {
			return nil
		}
		return s.record(r.Context(), tx, r, "recommendation.reminders.recipients.read", "institution", c.User.InstitutionID, "")
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The reminder settings could not be loaded.", err)
		return
	}
	s.render(w, r, "recommendations_reminders", pageData{Title: "E-mail reminders of follow-up actions", Notice: r.URL.Query().Get("saved"), Data: v})
}

func (s *Server) recReminderAdd(w http.ResponseWriter, r *http.Request) {
	s.recReminderWrite(w, r, "recommendation.reminders.recipient.add", func(tx *db.Tx, inst, user string) error {
		_, err := recommend.AddRecipient(r.Context(), tx, s.cfg.Keys, inst, user, r.PostFormValue("email"), current(r).User.ID)
		return err
	})
}

func (s *Server) recReminderRemove(w http.ResponseWriter, r *http.Request) {
	s.recReminderWrite(w, r, "recommendation.reminders.recipient.remove", func(tx *db.Tx, inst, user string) error {
		return recommend.RemoveRecipient(r.Context(), tx, inst, user)
	})
}

func (s *Server) recReminderWrite(w http.ResponseWriter, r *http.Request, action string, fn func(tx *db.Tx, inst, user string) error) {
	c := current(r)
	user := r.PostFormValue("user")
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		if err := fn(tx, c.User.InstitutionID, user); err != nil {
			userErr = err
			return err
		}
		return s.record(r.Context(), tx, r, action, "user", user, "")
	})
	switch {
	case errors.Is(userErr, access.ErrNotFound), errors.Is(userErr, recommend.ErrNotFound):
		s.fail(w, r, route{}, http.StatusBadRequest, "There is no such user in your institution, or they receive no reminders.", nil)
	case userErr != nil:
		s.fail(w, r, route{}, http.StatusBadRequest, userErr.Error(), nil)
	case err != nil:
		s.fail(w, r, route{}, http.StatusInternalServerError, "The change could not be saved.", err)
	default:
		http.Redirect(w, r, "/recommendations/reminders?saved="+url.QueryEscape("Saved."), http.StatusSeeOther)
	}
}
