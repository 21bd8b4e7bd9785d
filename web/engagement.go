package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"vigil/access"
	"vigil/db"
	"vigil/engage"
	"vigil/sensitivity"
)

// editors record and update engagement work: analysts, reviewers, administrators.
var engageEditors = []access.Role{access.Administrator, access.Analyst, access.Reviewer}

func init() {
	registerPart(part{name: "engagement", order: 50,
		routes: []route{
			{method: "GET", path: "/engagement", roles: everyone, handle: (*Server).engageActivities},
			{method: "GET", path: "/engagement/activities/new", roles: engageEditors, handle: (*Server).engageActivityForm},
			{method: "POST", path: "/engagement/activities", roles: engageEditors, handle: (*Server).engageActivityCreate},
			{method: "GET", path: "/engagement/activities/{id}", roles: everyone, handle: (*Server).engageActivityPage},
			{method: "POST", path: "/engagement/activities/{id}/status", roles: engageEditors, handle: (*Server).engageActivityStatus},
			{method: "GET", path: "/engagement/activities/{id}/edit", roles: engageEditors, handle: (*Server).engageActivityEditForm},
			{method: "POST", path: "/engagement/activities/{id}", roles: engageEditors, handle: (*Server).engageActivityEdit},
			{method: "GET", path: "/engagement/partners", roles: everyone, handle: (*Server).engagePartners},
			{method: "GET", path: "/engagement/partners/new", roles: engageEditors, handle: (*Server).engagePartnerForm},
			{method: "POST", path: "/engagement/partners", roles: engageEditors, handle: (*Server).engagePartnerCreate},
			{method: "GET", path: "/engagement/partners/{id}", roles: everyone, handle: (*Server).engagePartnerPage},
			{method: "POST", path: "/engagement/partners/{id}/contacts", roles: engageEditors, handle: (*Server).engageContactCreate},
			{method: "GET", path: "/engagement/partners/{id}/edit", roles: engageEditors, handle: (*Server).engagePartnerEditForm},
			{method: "POST", path: "/engagement/partners/{id}", roles: engageEditors, handle: (*Server).engagePartnerEdit},
			{method: "GET", path: "/engagement/calendar", roles: everyone, handle: (*Server).engageCalendar},
			{method: "GET", path: "/engagement/report", roles: staff, handle: (*Server).engageReportPage},
			{method: "GET", path: "/engagement/report/export", roles: staff, handle: (*Server).engageReportExport},

			{method: "GET", path: "/api/v1/engagement/partners", roles: everyone, api: true, doc: "Partners the caller may see.", handle: (*Server).apiEngagePartners},
			{method: "GET", path: "/api/v1/engagement/partners/{id}", roles: everyone, api: true, doc: "One partner with its activities (contacts are not in the API).", handle: (*Server).apiEngagePartner},
			{method: "GET", path: "/api/v1/engagement/activities", roles: everyone, api: true, doc: "Activities the caller may see; filters from, to (YYYY-MM-DD), kind, status, partner.", handle: (*Server).apiEngageActivities},
			{method: "POST", path: "/api/v1/engagement/activities", roles: engageEditors, api: true, doc: "Record an activity (JSON: kind, title, summary, start_date, end_date, status, partner_ids, links, outcome, follow_up_date, follow_up, sensitivity).", handle: (*Server).apiEngageActivityCreate},
			{method: "GET", path: "/api/v1/engagement/activities/{id}", roles: everyone, api: true, doc: "One activity with partners, links and status history.", handle: (*Server).apiEngageActivity},
			{method: "GET", path: "/api/v1/engagement/report", roles: staff, api: true, doc: "The activity report to the UN Special Adviser's office; from, to (YYYY-MM-DD), edition (public, partners, internal).", handle: (*Server).apiEngageReport},
		},
		nav: []navItem{{Key: "nav.engagement", Href: "/engagement"}},
	})
	registerMessages("en", map[string]string{"nav.engagement": "Engagement"})
	registerMessages("fr", map[string]string{"nav.engagement": "Partenariats"})
	registerMessages("es", map[string]string{"nav.engagement": "Colaboración"})
	registerMessages("ar", map[string]string{"nav.engagement": "الشراكات"})
}

type engageView struct {
	Activities    []engage.Activity
	Activity      engage.Activity
	Partners      []engage.Partner
	Partner       engage.Partner
	Contacts      []engage.Contact
	Filter        engage.Filter
	Kinds         []string
	PartnerKinds  []string
	Statuses      []string
	LinkKinds     []string
	Levels        []sensitivity.Level
	Form          engage.Activity
	PartnerForm   engage.Partner
	LinksText     string
	CanEdit       bool
	Month         engage.Month
	Report        engage.Report
	Editions      []sensitivity.Level
	Edition       sensitivity.Level
	SelectedParts map[string]bool
}

func (s *Server) newEngageView(r *http.Request) engageView {
	return engageView{Kinds: engage.ActivityKinds, PartnerKinds: engage.PartnerKinds, Statuses: engage.Statuses, LinkKinds: engage.LinkKinds,
		Levels: sensitivity.All, CanEdit: current(r).User.Role.In(engageEditors...),
		Form:        engage.Activity{Sensitivity: sensitivity.Internal, Status: "planned", StartDate: time.Now().UTC().Format("2006-01-02")},
		PartnerForm: engage.Partner{Sensitivity: sensitivity.Internal}, SelectedParts: map[string]bool{}}
}

// engageNotice turns the code a redirect carries into a fixed message, so
// that a crafted link cannot put words of its choosing on the page.
func engageNotice(r *http.Request) string {
	q := r.URL.Query()
	switch q.Get("saved") {
	case "status":
		return "Status saved."
	case "edit":
		return "Activity saved."
	case "partner":
		return "Partner saved."
	case "contact":
		return "Contact saved."
	case "key":
		return "Key trusted."
	case "import":
		n := func(k string) int { v, _ := strconv.Atoi(q.Get(k)); return v }
		return fmt.Sprintf("Bundle imported: %d new, %d updated, %d unchanged.", n("new"), n("updated"), n("unchanged"))
	}
	return ""
}

// engageClearance is what the caller may read.
func engageClearance(r *http.Request) sensitivity.Level { return current(r).User.Role.Clearance() }

func engageFilterFrom(r *http.Request) (engage.Filter, error) {
	q := r.URL.Query()
	f := engage.Filter{From: q.Get("from"), To: q.Get("to"), Kind: q.Get("kind"), Status: q.Get("status"), PartnerID: q.Get("partner")}
	for _, d := range []struct{ v, n string }{{f.From, "from"}, {f.To, "to"}} {
		if d.v != "" {
			if err := engage.ValidDate(d.v, d.n); err != nil {
				return f, err
			}
		}
	}
	return f, nil
}

func (s *Server) engageActivities(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := s.newEngageView(r)
	f, ferr := engageFilterFrom(r)
	v.Filter = f
	if ferr != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "engagement_activities", pageData{Title: "Engagement", Error: ferr.Error(), Data: v})
		return
	}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Activities, err = engage.ListActivities(r.Context(), tx, c.User.InstitutionID, engageClearance(r), f)
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The activities could not be listed.", err)
		return
	}
	s.render(w, r, "engagement_activities", pageData{Title: "Engagement", Data: v})
}

func (s *Server) engageActivityForm(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := s.newEngageView(r)
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Partners, err = engage.ListPartners(r.Context(), tx, c.User.InstitutionID, engageClearance(r))
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The form could not be prepared.", err)
		return
	}
	s.render(w, r, "engagement_activity_new", pageData{Title: "Record an activity", Data: v})
}

func (s *Server) engageActivityCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	r.ParseForm()
	level, lerr := sensitivity.Parse(r.PostFormValue("sensitivity"))
	a := engage.Activity{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Summary: r.PostFormValue("summary"),
		StartDate: r.PostFormValue("start_date"), EndDate: r.PostFormValue("end_date"), Status: r.PostFormValue("status"),
		Outcome: r.PostFormValue("outcome"), FollowUpDate: r.PostFormValue("follow_up_date"), FollowUp: r.PostFormValue("follow_up"),
		Sensitivity: level, PartnerIDs: r.PostForm["partner"]}
	linksText := r.PostFormValue("links")
	userErr := lerr
	if userErr == nil {
		a.Links, userErr = engage.ParseLinks(linksText)
	}
	var created engage.Activity
	if userErr == nil {
		err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			var err error
			created, err = engage.CreateActivity(r.Context(), tx, c.User.InstitutionID, c.User.ID, engageClearance(r), a)
			if err != nil {
				userErr = err
				return err
			}
			return s.record(r.Context(), tx, r, "activity.create", "activity", created.ID,
				fmt.Sprintf("kind=%s status=%s sensitivity=%s partners=%d links=%d", created.Kind, created.Status, created.Sensitivity, len(created.PartnerIDs), len(created.Links)))
		})
		if err != nil && userErr == nil {
			s.fail(w, r, route{}, http.StatusInternalServerError, "The activity could not be saved.", err)
			return
		}
	}
	if userErr != nil {
		v := s.newEngageView(r)
		v.Form, v.LinksText = a, linksText
		for _, p := range a.PartnerIDs {
			v.SelectedParts[p] = true
		}
		s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			v.Partners, _ = engage.ListPartners(r.Context(), tx, c.User.InstitutionID, engageClearance(r))
			return nil
		})
		s.renderStatus(w, r, http.StatusBadRequest, "engagement_activity_new", pageData{Title: "Record an activity", Error: userErr.Error(), Data: v})
		return
	}
	http.Redirect(w, r, "/engagement/activities/"+created.ID, http.StatusSeeOther)
}

func (s *Server) engageActivityPage(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := s.newEngageView(r)
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Activity, err = engage.GetActivity(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"), engageClearance(r))
		return err
	})
	if errors.Is(err, engage.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such activity, or your role does not allow you to see it.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The activity could not be loaded.", err)
		return
	}
	s.render(w, r, "engagement_activity", pageData{Title: v.Activity.Title, Notice: engageNotice(r), Data: v})
}

func (s *Server) engageActivityEditForm(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := s.newEngageView(r)
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		if v.Form, err = engage.GetActivity(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"), engageClearance(r)); err != nil {
			return err
		}
		v.Partners, err = engage.ListPartners(r.Context(), tx, c.User.InstitutionID, engageClearance(r))
		return err
	})
	if errors.Is(err, engage.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such activity, or your role does not allow you to see it.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The activity could not be loaded.", err)
		return
	}
	for _, p := range v.Form.PartnerIDs {
		v.SelectedParts[p] = true
	}
	v.LinksText = engage.LinksText(v.Form.Links)
	s.render(w, r, "engagement_activity_new", pageData{Title: "Edit the activity", Data: v})
}

// engageActivityEdit saves an edited activity; the audit entry names the
// fields that changed, never their values.
func (s *Server) engageActivityEdit(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	id := r.PathValue("id")
	r.ParseForm()
	level, lerr := sensitivity.Parse(r.PostFormValue("sensitivity"))
	a := engage.Activity{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Summary: r.PostFormValue("summary"),
		StartDate: r.PostFormValue("start_date"), EndDate: r.PostFormValue("end_date"), Outcome: r.PostFormValue("outcome"),
		FollowUpDate: r.PostFormValue("follow_up_date"), FollowUp: r.PostFormValue("follow_up"), Sensitivity: level, PartnerIDs: r.PostForm["partner"]}
	linksText := r.PostFormValue("links")
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		// Another institution's id must read as missing, whatever the form holds.
		if _, err := engage.GetActivity(r.Context(), tx, c.User.InstitutionID, id, engageClearance(r)); err != nil {
			return err
		}
		if lerr != nil {
			userErr = lerr
			return lerr
		}
		var err error
		if a.Links, err = engage.ParseLinks(linksText); err != nil {
			userErr = err
			return err
		}
		_, changed, err := engage.EditActivity(r.Context(), tx, c.User.InstitutionID, id, engageClearance(r), a)
		if err != nil {
			userErr = err
			return err
		}
		if len(changed) == 0 {
			return nil
		}
		return s.record(r.Context(), tx, r, "activity.update", "activity", id, "fields="+strings.Join(changed, ","))
	})
	switch {
	case errors.Is(err, engage.ErrNotFound):
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such activity, or your role does not allow you to see it.", nil)
		return
	case userErr != nil:
		v := s.newEngageView(r)
		a.ID = id
		v.Form, v.LinksText = a, linksText
		for _, p := range a.PartnerIDs {
			v.SelectedParts[p] = true
		}
		s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			v.Partners, _ = engage.ListPartners(r.Context(), tx, c.User.InstitutionID, engageClearance(r))
			return nil
		})
		s.renderStatus(w, r, http.StatusBadRequest, "engagement_activity_new", pageData{Title: "Edit the activity", Error: userErr.Error(), Data: v})
		return
	case err != nil:
		s.fail(w, r, route{}, http.StatusInternalServerError, "The activity could not be saved.", err)
		return
	}
	http.Redirect(w, r, "/engagement/activities/"+id+"?saved=edit", http.StatusSeeOther)
}

func (s *Server) engageActivityStatus(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	id := r.PathValue("id")
	u := engage.Update{Status: r.PostFormValue("status"), Note: r.PostFormValue("note"), Outcome: r.PostFormValue("outcome"),
		FollowUpDate: r.PostFormValue("follow_up_date"), FollowUp: r.PostFormValue("follow_up")}
	var userErr error
	var a engage.Activity
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		// Look the activity up first: another institution's id must read as missing.
		if _, err := engage.GetActivity(r.Context(), tx, c.User.InstitutionID, id, engageClearance(r)); err != nil {
			return err
		}
		var err error
		a, err = engage.UpdateActivity(r.Context(), tx, c.User.InstitutionID, id, c.User.ID, engageClearance(r), u)
		if err != nil {
			userErr = err
			return err
		}
		return s.record(r.Context(), tx, r, "activity.status", "activity", id, "status="+a.Status)
	})
	switch {
	case errors.Is(err, engage.ErrNotFound):
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such activity, or your role does not allow you to see it.", nil)
		return
	case userErr != nil:
		v := s.newEngageView(r)
		s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			v.Activity, _ = engage.GetActivity(r.Context(), tx, c.User.InstitutionID, id, engageClearance(r))
			return nil
		})
		s.renderStatus(w, r, http.StatusBadRequest, "engagement_activity", pageData{Title: v.Activity.Title, Error: userErr.Error(), Data: v})
		return
	case err != nil:
		s.fail(w, r, route{}, http.StatusInternalServerError, "The activity could not be updated.", err)
		return
	}
	http.Redirect(w, r, "/engagement/activities/"+id+"?saved=status", http.StatusSeeOther)
}

func (s *Server) engagePartners(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := s.newEngageView(r)
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Partners, err = engage.ListPartners(r.Context(), tx, c.User.InstitutionID, engageClearance(r))
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The partners could not be listed.", err)
		return
	}
	s.render(w, r, "engagement_partners", pageData{Title: "Partners", Data: v})
}

func (s *Server) engagePartnerForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "engagement_partner_new", pageData{Title: "Add a partner", Data: s.newEngageView(r)})
}

func (s *Server) engagePartnerCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	level, lerr := sensitivity.Parse(r.PostFormValue("sensitivity"))
	p := engage.Partner{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), CountryCode: r.PostFormValue("country"),
		Description: r.PostFormValue("description"), Sensitivity: level}
	userErr := lerr
	var created engage.Partner
	if userErr == nil {
		err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
			var err error
			created, err = engage.CreatePartner(r.Context(), tx, c.User.InstitutionID, c.User.ID, p)
			if err != nil {
				userErr = err
				return err
			}
			return s.record(r.Context(), tx, r, "partner.create", "partner", created.ID, "kind="+created.Kind+" sensitivity="+created.Sensitivity.String())
		})
		if err != nil && userErr == nil {
			s.fail(w, r, route{}, http.StatusInternalServerError, "The partner could not be saved.", err)
			return
		}
	}
	if userErr != nil {
		v := s.newEngageView(r)
		v.PartnerForm = p
		s.renderStatus(w, r, http.StatusBadRequest, "engagement_partner_new", pageData{Title: "Add a partner", Error: userErr.Error(), Data: v})
		return
	}
	http.Redirect(w, r, "/engagement/partners/"+created.ID, http.StatusSeeOther)
}

func (s *Server) engagePartnerEditForm(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := s.newEngageView(r)
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.PartnerForm, err = engage.GetPartner(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"), engageClearance(r))
		return err
	})
	if errors.Is(err, engage.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such partner, or your role does not allow you to see it.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The partner could not be loaded.", err)
		return
	}
	s.render(w, r, "engagement_partner_new", pageData{Title: "Edit the partner", Data: v})
}

func (s *Server) engagePartnerEdit(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	id := r.PathValue("id")
	level, lerr := sensitivity.Parse(r.PostFormValue("sensitivity"))
	p := engage.Partner{ID: id, Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), CountryCode: r.PostFormValue("country"),
		Description: r.PostFormValue("description"), Sensitivity: level}
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		if _, err := engage.GetPartner(r.Context(), tx, c.User.InstitutionID, id, engageClearance(r)); err != nil {
			return err
		}
		if lerr != nil {
			userErr = lerr
			return lerr
		}
		_, changed, err := engage.EditPartner(r.Context(), tx, c.User.InstitutionID, id, engageClearance(r), p)
		if err != nil {
			userErr = err
			return err
		}
		if len(changed) == 0 {
			return nil
		}
		return s.record(r.Context(), tx, r, "partner.update", "partner", id, "fields="+strings.Join(changed, ","))
	})
	switch {
	case errors.Is(err, engage.ErrNotFound):
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such partner, or your role does not allow you to see it.", nil)
	case userErr != nil:
		v := s.newEngageView(r)
		v.PartnerForm = p
		s.renderStatus(w, r, http.StatusBadRequest, "engagement_partner_new", pageData{Title: "Edit the partner", Error: userErr.Error(), Data: v})
	case err != nil:
		s.fail(w, r, route{}, http.StatusInternalServerError, "The partner could not be saved.", err)
	default:
		http.Redirect(w, r, "/engagement/partners/"+id+"?saved=partner", http.StatusSeeOther)
	}
}

// engagePartnerPage shows a partner, its contacts and its history. Showing
// confidential contacts is a read of identifying data: it is audited in the
// same transaction, and nothing is shown if the audit entry fails.
func (s *Server) engagePartnerPage(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := s.newEngageView(r)
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		inst, id := c.User.InstitutionID, r.PathValue("id")
		if v.Partner, err = engage.GetPartner(r.Context(), tx, inst, id, engageClearance(r)); err != nil {
			return err
		}
		if v.Activities, err = engage.ListActivities(r.Context(), tx, inst, engageClearance(r), engage.Filter{PartnerID: id}); err != nil {
			return err
		}
		if v.Contacts, err = engage.Contacts(r.Context(), tx, s.cfg.Keys, inst, id, engageClearance(r)); err != nil {
			return err
		}
		for _, ct := range v.Contacts {
			if ct.Sensitivity == sensitivity.Confidential {
				if err := s.record(r.Context(), tx, r, "contact.read", "contact", ct.ID, ""); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if errors.Is(err, engage.ErrNotFound) {
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such partner, or your role does not allow you to see it.", nil)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The partner could not be loaded.", err)
		return
	}
	s.render(w, r, "engagement_partner", pageData{Title: v.Partner.Name, Notice: engageNotice(r), Data: v})
}

func (s *Server) engageContactCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	id := r.PathValue("id")
	level, lerr := sensitivity.Parse(r.PostFormValue("sensitivity"))
	ct := engage.Contact{PartnerID: id, Position: r.PostFormValue("position"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Phone: r.PostFormValue("phone"), Notes: r.PostFormValue("notes"), Sensitivity: level}
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		if _, err := engage.GetPartner(r.Context(), tx, c.User.InstitutionID, id, engageClearance(r)); err != nil {
			return err
		}
		if lerr != nil {
			userErr = lerr
			return lerr
		}
		created, err := engage.AddContact(r.Context(), tx, s.cfg.Keys, c.User.InstitutionID, c.User.ID, engageClearance(r), ct)
		if err != nil {
			userErr = err
			return err
		}
		return s.record(r.Context(), tx, r, "contact.create", "contact", created.ID, "partner="+id+" sensitivity="+created.Sensitivity.String())
	})
	switch {
	case errors.Is(err, engage.ErrNotFound):
		s.fail(w, r, route{}, http.StatusNotFound, "There is no such partner, or your role does not allow you to see it.", nil)
	case userErr != nil:
		s.fail(w, r, route{}, http.StatusBadRequest, "The contact was not saved: "+userErr.Error(), nil)
	case err != nil:
		s.fail(w, r, route{}, http.StatusInternalServerError, "The contact could not be saved.", err)
	default:
		http.Redirect(w, r, "/engagement/partners/"+id+"?saved=contact", http.StatusSeeOther)
	}
}

func (s *Server) engageCalendar(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := s.newEngageView(r)
	month := time.Now().UTC()
	if m := r.URL.Query().Get("month"); m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			s.fail(w, r, route{}, http.StatusBadRequest, "The month must be written as YYYY-MM.", nil)
			return
		}
		month = t
	}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		v.Month, err = engage.Calendar(r.Context(), tx, c.User.InstitutionID, engageClearance(r), month.Year(), month.Month())
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The calendar could not be drawn.", err)
		return
	}
	s.render(w, r, "engagement_calendar", pageData{Title: "Calendar, " + month.Format("January 2006"), Data: v})
}

// reportParams reads the period and edition of the activity report. The
// edition can never be wider than the caller's clearance; it defaults to
// partners, the level meant for the Special Adviser's office.
func engageReportParams(r *http.Request) (from, to string, level sensitivity.Level, err error) {
	q := r.URL.Query()
	year := strconv.Itoa(time.Now().UTC().Year())
	from, to = q.Get("from"), q.Get("to")
	if from == "" {
		from = year + "-01-01"
	}
	if to == "" {
		to = year + "-12-31"
	}
	level = sensitivity.Partners
	if e := q.Get("edition"); e != "" {
		if level, err = sensitivity.Parse(e); err != nil {
			return
		}
	}
	if level == sensitivity.Confidential || !sensitivity.Allows(engageClearance(r), level) {
		err = fmt.Errorf("edition %s is not available: choose public, partners or internal within your clearance", level)
	}
	return
}

// buildReport returns the report, a mistake of the caller's to show them,
// or an internal error to log.
func (s *Server) buildEngageReport(r *http.Request) (engage.Report, error, error) {
	c := current(r)
	from, to, level, err := engageReportParams(r)
	if err != nil {
		return engage.Report{}, err, nil
	}
	var rep engage.Report
	var userErr error
	err = s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		in, err := access.GetInstitution(r.Context(), tx, c.User.InstitutionID)
		if err != nil {
			return err
		}
		rep, err = engage.BuildReport(r.Context(), tx, c.User.InstitutionID, in.Name, from, to, level)
		if err != nil {
			userErr = err
		}
		return err
	})
	if userErr != nil {
		return rep, userErr, nil
	}
	return rep, nil, err
}

func (s *Server) engageReportPage(w http.ResponseWriter, r *http.Request) {
	v := s.newEngageView(r)
	v.Editions = []sensitivity.Level{sensitivity.Public, sensitivity.Partners, sensitivity.Internal}
	rep, userErr, err := s.buildEngageReport(r)
	v.Report = rep
	_, _, v.Edition, _ = engageReportParams(r)
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The report could not be built.", err)
		return
	}
	if userErr != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "engagement_report", pageData{Title: "Activity report", Error: userErr.Error(), Data: v})
		return
	}
	s.render(w, r, "engagement_report", pageData{Title: "Activity report", Data: v})
}

// engageReportExport sends the report as a file: the self-contained HTML
// document (format=html) or JSON (format=json). PDF is made by the CLI,
// which can wait for Chromium.
func (s *Server) engageReportExport(w http.ResponseWriter, r *http.Request) {
	rep, userErr, err := s.buildEngageReport(r)
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The report could not be built.", err)
		return
	}
	if userErr != nil {
		s.fail(w, r, route{}, http.StatusBadRequest, userErr.Error(), nil)
		return
	}
	var buf bytes.Buffer
	name := "activities-" + rep.From + "-" + rep.To
	switch r.URL.Query().Get("format") {
	case "", "html":
		err = rep.WriteHTML(&buf)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		name += ".html"
	case "json":
		err = rep.WriteJSON(&buf)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		name += ".json"
	default:
		s.fail(w, r, route{}, http.StatusBadRequest, "The format must be html or json (PDF: vigil report activities --format pdf).", nil)
		return
	}
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The report could not be written.", err)
		return
	}
	if r.URL.Query().Get("download") != "0" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	// The HTML edition carries its own stylesheet so that it reads on its
	// own when saved; allow exactly that here and nothing else.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	w.Write(buf.Bytes())
}

// JSON API.

type engagePartnerJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	CountryCode string `json:"country_code,omitempty"`
	Description string `json:"description,omitempty"`
	Sensitivity string `json:"sensitivity"`
	CreatedAt   string `json:"created_at"`
}

func toAPIEngagePartner(p engage.Partner) engagePartnerJSON {
	return engagePartnerJSON{ID: p.ID, Name: p.Name, Kind: p.Kind, CountryCode: p.CountryCode, Description: p.Description, Sensitivity: p.Sensitivity.String(), CreatedAt: p.CreatedAt}
}

type engageActivityJSON struct {
	ID           string                `json:"id"`
	Kind         string                `json:"kind"`
	Heading      string                `json:"heading"`
	Title        string                `json:"title"`
	Summary      string                `json:"summary"`
	StartDate    string                `json:"start_date"`
	EndDate      string                `json:"end_date,omitempty"`
	Status       string                `json:"status"`
	Outcome      string                `json:"outcome,omitempty"`
	FollowUpDate string                `json:"follow_up_date,omitempty"`
	FollowUp     string                `json:"follow_up,omitempty"`
	Sensitivity  string                `json:"sensitivity"`
	Partners     []engagePartnerJSON   `json:"partners"`
	Links        []engage.Link         `json:"links"`
	History      []engage.StatusChange `json:"history,omitempty"`
	CreatedAt    string                `json:"created_at"`
}

func toAPIEngageActivity(a engage.Activity) engageActivityJSON {
	out := engageActivityJSON{ID: a.ID, Kind: a.Kind, Heading: a.Heading(), Title: a.Title, Summary: a.Summary, StartDate: a.StartDate, EndDate: a.EndDate,
		Status: a.Status, Outcome: a.Outcome, FollowUpDate: a.FollowUpDate, FollowUp: a.FollowUp, Sensitivity: a.Sensitivity.String(),
		Partners: []engagePartnerJSON{}, Links: a.Links, History: a.History, CreatedAt: a.CreatedAt}
	if out.Links == nil {
		out.Links = []engage.Link{}
	}
	for _, p := range a.Partners {
		out.Partners = append(out.Partners, toAPIEngagePartner(p))
	}
	return out
}

func (s *Server) apiEngagePartners(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var ps []engage.Partner
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		ps, err = engage.ListPartners(r.Context(), tx, c.User.InstitutionID, engageClearance(r))
		return err
	})
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := make([]engagePartnerJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, toAPIEngagePartner(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"partners": out})
}

func (s *Server) apiEngagePartner(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var p engage.Partner
	var acts []engage.Activity
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		if p, err = engage.GetPartner(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"), engageClearance(r)); err != nil {
			return err
		}
		acts, err = engage.ListActivities(r.Context(), tx, c.User.InstitutionID, engageClearance(r), engage.Filter{PartnerID: p.ID})
		return err
	})
	if errors.Is(err, engage.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such partner", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := make([]engageActivityJSON, 0, len(acts))
	for _, a := range acts {
		out = append(out, toAPIEngageActivity(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"partner": toAPIEngagePartner(p), "activities": out})
}

func (s *Server) apiEngageActivities(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	f, err := engageFilterFrom(r)
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusBadRequest, err.Error(), nil)
		return
	}
	var acts []engage.Activity
	err = s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		acts, err = engage.ListActivities(r.Context(), tx, c.User.InstitutionID, engageClearance(r), f)
		return err
	})
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := make([]engageActivityJSON, 0, len(acts))
	for _, a := range acts {
		out = append(out, toAPIEngageActivity(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"activities": out})
}

func (s *Server) apiEngageActivity(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var a engage.Activity
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		a, err = engage.GetActivity(r.Context(), tx, c.User.InstitutionID, r.PathValue("id"), engageClearance(r))
		return err
	})
	if errors.Is(err, engage.ErrNotFound) {
		s.fail(w, r, apiRoute, http.StatusNotFound, "no such activity", nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIEngageActivity(a))
}

type engageActivityInJSON struct {
	Kind         string        `json:"kind"`
	Title        string        `json:"title"`
	Summary      string        `json:"summary"`
	StartDate    string        `json:"start_date"`
	EndDate      string        `json:"end_date"`
	Status       string        `json:"status"`
	PartnerIDs   []string      `json:"partner_ids"`
	Links        []engage.Link `json:"links"`
	Outcome      string        `json:"outcome"`
	FollowUpDate string        `json:"follow_up_date"`
	FollowUp     string        `json:"follow_up"`
	Sensitivity  string        `json:"sensitivity"`
}

func (s *Server) apiEngageActivityCreate(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var in engageActivityInJSON
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		s.fail(w, r, apiRoute, http.StatusBadRequest, "the body must be one JSON object with the documented fields: "+err.Error(), nil)
		return
	}
	level := sensitivity.Level(0)
	if strings.TrimSpace(in.Sensitivity) != "" {
		var err error
		if level, err = sensitivity.Parse(in.Sensitivity); err != nil {
			s.fail(w, r, apiRoute, http.StatusBadRequest, err.Error(), nil)
			return
		}
	}
	a := engage.Activity{Kind: in.Kind, Title: in.Title, Summary: in.Summary, StartDate: in.StartDate, EndDate: in.EndDate, Status: in.Status,
		PartnerIDs: in.PartnerIDs, Links: in.Links, Outcome: in.Outcome, FollowUpDate: in.FollowUpDate, FollowUp: in.FollowUp, Sensitivity: level}
	var userErr error
	var created engage.Activity
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		created, err = engage.CreateActivity(r.Context(), tx, c.User.InstitutionID, c.User.ID, engageClearance(r), a)
		if err != nil {
			userErr = err
			return err
		}
		if created, err = engage.GetActivity(r.Context(), tx, c.User.InstitutionID, created.ID, engageClearance(r)); err != nil {
			return err
		}
		return s.record(r.Context(), tx, r, "activity.create", "activity", created.ID,
			fmt.Sprintf("kind=%s status=%s sensitivity=%s via=api", created.Kind, created.Status, created.Sensitivity))
	})
	if userErr != nil {
		s.fail(w, r, apiRoute, http.StatusBadRequest, userErr.Error(), nil)
		return
	} else if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusCreated, toAPIEngageActivity(created))
}

func (s *Server) apiEngageReport(w http.ResponseWriter, r *http.Request) {
	rep, userErr, err := s.buildEngageReport(r)
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	if userErr != nil {
		s.fail(w, r, apiRoute, http.StatusBadRequest, userErr.Error(), nil)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
