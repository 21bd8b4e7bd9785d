package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/blob"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/incident"
	"vigil/sensitivity"
)

// One record per institution at partners level for each {id} route of the
// incidents part: an event (with an act, a unit, a case and an evidence file).
func init() {
	type recs struct{ event, unit, kase, evidence string }
	made := map[string]*recs{}
	get := func(ctx context.Context, tx *db.Tx, f *fixture, inst int) (*recs, error) {
		in := f.inst[inst].ID
		if r, ok := made[in]; ok {
			return r, nil
		}
		by := f.users[inst][access.Documenter].ID
		ev, err := incident.CreateEvent(ctx, tx, in, by, incident.Event{Title: "Fixture incident", DateStart: "2026-01-05",
			Region: "North", Violence: "one_sided", Sensitivity: sensitivity.Partners})
		if err != nil {
			return nil, err
		}
		act, err := incident.AddAct(ctx, tx, in, incident.Act{EventID: ev.ID, Type: "killing", Victims: 1, Sensitivity: sensitivity.Partners})
		if err != nil {
			return nil, err
		}
		u, err := incident.CreateUnit(ctx, tx, in, by, incident.Unit{Name: "Fixture unit", Force: "police", Sensitivity: sensitivity.Partners})
		if err != nil {
			return nil, err
		}
		if _, err := incident.Involve(ctx, tx, in, incident.Involvement{ActID: act.ID, UnitID: u.ID, Role: "perpetrator", Degree: "ordered"}); err != nil {
			return nil, err
		}
		c, err := incident.OpenCase(ctx, tx, in, by, incident.Case{EventID: ev.ID, Title: "Fixture case", OpenedOn: "2026-01-06", Sensitivity: sensitivity.Partners})
		if err != nil {
			return nil, err
		}
		// Inline bytes: found whatever folder the server's store uses.
		store := &blob.Store{}
		e, err := incident.AddEvidence(ctx, tx, store, in, incident.Actor{ID: by, Name: "documenter"}, incident.Evidence{EventID: ev.ID,
			Filename: "fixture.txt", Sensitivity: sensitivity.Partners}, strings.NewReader("fixture evidence "+in))
		if err != nil {
			return nil, err
		}
		r := &recs{ev.ID, u.ID, c.ID, e.ID}
		made[in] = r
		return r, nil
	}
	fixtureRecords = append(fixtureRecords,
		func(ctx context.Context, tx *db.Tx, f *fixture, inst int) ([]string, string, error) {
			r, err := get(ctx, tx, f, inst)
			if err != nil {
				return nil, "", err
			}
			return []string{"/incidents/", "/api/v1/incidents/"}, r.event, nil
		},
		func(ctx context.Context, tx *db.Tx, f *fixture, inst int) ([]string, string, error) {
			r, err := get(ctx, tx, f, inst)
			if err != nil {
				return nil, "", err
			}
			return []string{"/units/"}, r.unit, nil
		},
		func(ctx context.Context, tx *db.Tx, f *fixture, inst int) ([]string, string, error) {
			r, err := get(ctx, tx, f, inst)
			if err != nil {
				return nil, "", err
			}
			return []string{"/cases/"}, r.kase, nil
		},
	)
}

func incPost(t *testing.T, f *fixture, u access.User, path string, form url.Values) *http.Response {
	t.Helper()
	tok, csrf := f.session(u)
	form.Set("csrf", csrf)
	return f.do("POST", path, tok, form, nil)
}

func incGet(t *testing.T, f *fixture, u access.User, path string) (int, string) {
	t.Helper()
	tok, _ := f.session(u)
	resp := f.do("GET", path, tok, nil, nil)
	return resp.StatusCode, readBody(t, resp)
}

// TestIncidentJourney records an incident with an act, a confidential
// victim and an evidence file, follows a case to reparation, and checks
// that viewers and partners never see the confidential person.
func TestIncidentJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		doc := f.users[0][access.Documenter]
		ctx := context.Background()
		var victim incident.Person
		d.Write(ctx, f.inst[0].ID, func(tx *db.Tx) error {
			var err error
			victim, err = incident.CreatePerson(ctx, tx, f.keys, f.inst[0].ID, doc.ID, incident.Person{Kind: "victim", Pseudonym: "V-SECRET-7", Name: "Hidden Name"})
			return err
		})
		resp := incPost(t, f, doc, "/incidents", url.Values{"title": {"Night raid on the hill camp"}, "date_start": {"2026-02-03"},
			"violence": {"one_sided"}, "region": {"Oravia"}, "sensitivity": {"partners"}, "date_precision": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(t, resp))
		}
		evURL := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		evID := strings.TrimPrefix(evURL, "/incidents/")
		if r := incPost(t, f, doc, evURL+"/acts", url.Values{"act_type": {"killing"}, "victims": {"2"}, "indicators": {"RF9.3"}, "sensitivity": {"partners"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("act: %d %s", r.StatusCode, readBody(t, r))
		}
		var actID string
		d.Read(ctx, f.inst[0].ID, func(tx *db.Tx) error {
			acts, _ := incident.ListActs(ctx, tx, f.inst[0].ID, evID, sensitivity.Confidential)
			actID = acts[0].ID
			return nil
		})
		if r := incPost(t, f, doc, evURL+"/involvements", url.Values{"act_id": {actID}, "who": {"person:" + victim.ID}, "role": {"victim"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("involvement: %d %s", r.StatusCode, readBody(t, r))
		}
		// Evidence upload (multipart).
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		tok, csrf := f.session(doc)
		mw.WriteField("csrf", csrf)
		fw, _ := mw.CreateFormFile("file", "photo.jpg")
		fw.Write([]byte("jpeg bytes of the camp"))
		mw.Close()
		req, _ := http.NewRequest("POST", f.srv.URL+evURL+"/evidence", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: "vigil_session", Value: tok})
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		r, err := c.Do(req)
		if err != nil || r.StatusCode != http.StatusSeeOther {
			t.Fatalf("evidence: %v %d %s", err, r.StatusCode, readBody(t, r))
		}
		code, page := incGet(t, f, doc, evURL)
		if code != 200 || !strings.Contains(page, "V-SECRET-7") || !strings.Contains(page, "photo.jpg") {
			t.Fatalf("documenter's view lacks the victim or the file: %d", code)
		}
		for _, role := range []access.Role{access.Viewer, access.Partner} {
			code, page := incGet(t, f, f.users[0][role], evURL)
			if code != 200 || strings.Contains(page, "V-SECRET-7") || strings.Contains(page, victim.ID) || strings.Contains(page, "photo.jpg") {
				t.Errorf("%s: status %d; sees the confidential victim or file: %v", role, code, strings.Contains(page, "V-SECRET-7"))
			}
			code, page = incGet(t, f, f.users[0][role], "/api/v1/incidents/"+evID)
			if code != 200 || strings.Contains(page, "V-SECRET-7") || strings.Contains(page, victim.ID) {
				t.Errorf("%s API: status %d; sees the confidential victim", role, code)
			}
		}
		// A case followed to reparation.
		r = incPost(t, f, doc, "/cases", url.Values{"event_id": {evID}, "act_id": {actID}, "title": {"Complaint of the families"},
			"authority": {"Oravia prosecutor"}, "opened_on": {"2026-02-10"}, "deadline": {"2026-03-10"}, "sensitivity": {"partners"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("case: %d %s", r.StatusCode, readBody(t, r))
		}
		caseURL := r.Header.Get("Location")
		for _, st := range []url.Values{
			{"stage": {"investigation"}, "on_date": {"2026-03-01"}},
			{"stage": {"trial"}, "on_date": {"2026-06-01"}},
			{"stage": {"judgement"}, "on_date": {"2026-07-01"}, "outcome": {"convicted"}},
		} {
			if r := incPost(t, f, doc, caseURL+"/steps", st); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("step %v: %d %s", st, r.StatusCode, readBody(t, r))
			}
		}
		if r := incPost(t, f, doc, caseURL+"/steps", url.Values{"stage": {"complaint"}, "on_date": {"2026-07-02"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("a stage going back: %d", r.StatusCode)
		}
		if r := incPost(t, f, doc, caseURL+"/reparations", url.Values{"form": {"compensation"}, "status": {"delivered"}, "on_date": {"2026-08-01"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reparation: %d %s", r.StatusCode, readBody(t, r))
		}
		code, page = incGet(t, f, f.users[0][access.Viewer], caseURL)
		if code != 200 || !strings.Contains(page, "compensation") || !strings.Contains(page, "convicted") {
			t.Errorf("case page: %d", code)
		}
		for _, p := range []string{"/cases", "/incidents", "/incidents/timeline", "/units", "/incidents?q=raid&region=Oravia"} {
			if code, _ := incGet(t, f, f.users[0][access.Partner], p); code != 200 {
				t.Errorf("GET %s as partner: %d", p, code)
			}
		}
		// The confidential reads and writes are in the audit trail.
		var n int
		d.Read(ctx, f.inst[0].ID, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action IN ('event.create','act.create','involvement.create','evidence.create','event.read','case.create','case.step','case.reparation')", f.inst[0].ID).Scan(&n)
		})
		if n < 9 {
			t.Errorf("%d audit entries for the journey", n)
		}
	})
}

// TestIncidentEditAndWithdraw edits an incident and a unit through the
// pages, withdraws an act and the incident (a reason is required; the page
// then shows the mark and offers no more changes), checks that a viewer
// may not edit and that the audit trail names the changed fields only.
func TestIncidentEditAndWithdraw(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		doc := f.users[0][access.Documenter]
		ctx := context.Background()
		resp := incPost(t, f, doc, "/incidents", url.Values{"title": {"Raid at the ford"}, "date_start": {"2026-02-03"},
			"violence": {"one_sided"}, "region": {"Oravia"}, "sensitivity": {"internal"}, "date_precision": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(t, resp))
		}
		evURL := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		evID := strings.TrimPrefix(evURL, "/incidents/")
		if code, page := incGet(t, f, doc, evURL+"/edit"); code != 200 || !strings.Contains(page, "Raid at the ford") {
			t.Fatalf("edit form: %d", code)
		}
		if r := incPost(t, f, f.users[0][access.Viewer], evURL+"/edit", url.Values{"title": {"x"}, "date_start": {"2026-02-03"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer edits: %d", r.StatusCode)
		}
		r := incPost(t, f, doc, evURL+"/edit", url.Values{"title": {"Raid at the old ford"}, "date_start": {"2026-02-03"}, "violence": {"one_sided"},
			"region": {"Oravia"}, "sensitivity": {"internal"}, "date_precision": {"1"}, "status": {"monitoring"}, "fatalities": {"4"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", r.StatusCode, readBody(t, r))
		}
		if r := incPost(t, f, doc, evURL+"/edit", url.Values{"title": {""}, "date_start": {"2026-02-03"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("edit without a title: %d", r.StatusCode)
		}
		// A case corrected: title, authority, deadline.
		r = incPost(t, f, doc, "/cases", url.Values{"event_id": {evID}, "title": {"Complaint"}, "authority": {"Prosecutor"},
			"opened_on": {"2026-02-10"}, "sensitivity": {"internal"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("case: %d %s", r.StatusCode, readBody(t, r))
		}
		caseURL := r.Header.Get("Location")
		if r := incPost(t, f, doc, caseURL+"/edit", url.Values{"title": {"Complaint of the family"}, "authority": {"Oravia prosecutor"},
			"deadline": {"2026-04-01"}, "sensitivity": {"internal"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("case edit: %d %s", r.StatusCode, readBody(t, r))
		}
		if r := incPost(t, f, doc, caseURL+"/edit", url.Values{"title": {"x"}, "deadline": {"2026-13-01"}, "sensitivity": {"internal"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("case edit with a bad date: %d", r.StatusCode)
		}
		if code, page := incGet(t, f, f.users[0][access.Viewer], caseURL); code != 200 || !strings.Contains(page, "Complaint of the family") || !strings.Contains(page, "2026-04-01") {
			t.Errorf("corrected case page: %d", code)
		}
		if r := incPost(t, f, doc, caseURL+"/withdraw", url.Values{"reason": {"Opened on the wrong incident."}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("case withdrawal: %d %s", r.StatusCode, readBody(t, r))
		}
		if r := incPost(t, f, doc, caseURL+"/steps", url.Values{"stage": {"investigation"}, "on_date": {"2026-03-01"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("a step on a withdrawn case: %d", r.StatusCode)
		}
		if code, page := incGet(t, f, f.users[0][access.Viewer], "/cases"); code != 200 || !strings.Contains(page, "withdrawn") {
			t.Errorf("the dashboard does not mark the withdrawn case: %d", code)
		}
		if r := incPost(t, f, doc, evURL+"/acts", url.Values{"act_type": {"killing"}, "victims": {"2"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("act: %d", r.StatusCode)
		}
		var actID string
		d.Read(ctx, f.inst[0].ID, func(tx *db.Tx) error {
			acts, _ := incident.ListActs(ctx, tx, f.inst[0].ID, evID, sensitivity.Confidential)
			actID = acts[0].ID
			return nil
		})
		if r := incPost(t, f, doc, evURL+"/acts/"+actID+"/edit", url.Values{"act_type": {"ill_treatment"}, "victims": {"3"},
			"violation_status": {"unknown"}, "sensitivity": {"internal"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("act edit: %d %s", r.StatusCode, readBody(t, r))
		}
		if r := incPost(t, f, doc, evURL+"/acts/"+actID+"/edit", url.Values{"act_type": {"no_such_type"}, "violation_status": {"unknown"},
			"sensitivity": {"internal"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("act edit with an unknown type: %d", r.StatusCode)
		}
		if _, page := incGet(t, f, doc, evURL); !strings.Contains(page, "ill_treatment") {
			t.Errorf("the corrected act is not shown")
		}
		if r := incPost(t, f, doc, evURL+"/acts/"+actID+"/withdraw", url.Values{"reason": {"Counted twice."}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("act withdrawal: %d %s", r.StatusCode, readBody(t, r))
		}
		if r := incPost(t, f, doc, evURL+"/withdraw", url.Values{"reason": {""}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("withdrawal without a reason: %d", r.StatusCode)
		}
		if r := incPost(t, f, doc, evURL+"/withdraw", url.Values{"reason": {"Entered in error."}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("withdrawal: %d %s", r.StatusCode, readBody(t, r))
		}
		code, page := incGet(t, f, f.users[0][access.Viewer], evURL)
		if code != 200 || !strings.Contains(page, "Withdrawn") || !strings.Contains(page, "Entered in error.") || !strings.Contains(page, "Raid at the old ford") {
			t.Errorf("withdrawn incident page: %d", code)
		}
		if _, page := incGet(t, f, doc, evURL); strings.Contains(page, evURL+"/withdraw") || strings.Contains(page, evURL+"/edit") {
			t.Errorf("a withdrawn incident still offers changes")
		}
		if r := incPost(t, f, doc, evURL+"/edit", url.Values{"title": {"Again"}, "date_start": {"2026-02-03"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("editing a withdrawn incident: %d", r.StatusCode)
		}
		if code, _ := incGet(t, f, f.users[1][access.Documenter], evURL+"/edit"); code != http.StatusNotFound {
			t.Errorf("other institution's edit form: %d", code)
		}

		// A unit.
		r = incPost(t, f, doc, "/units", url.Values{"name": {"5th Battalion"}, "force": {"army"}, "kind": {"unit"}, "sensitivity": {"internal"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("unit: %d", r.StatusCode)
		}
		unitURL := r.Header.Get("Location")
		if r := incPost(t, f, doc, unitURL+"/edit", url.Values{"name": {"5th Battalion (North)"}, "force": {"army"}, "kind": {"unit"}, "sensitivity": {"internal"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("unit edit: %d %s", r.StatusCode, readBody(t, r))
		}
		if r := incPost(t, f, doc, unitURL+"/withdraw", url.Values{"reason": {"Same as the 5th Brigade."}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("unit withdrawal: %d %s", r.StatusCode, readBody(t, r))
		}
		if code, page := incGet(t, f, doc, unitURL); code != 200 || !strings.Contains(page, "5th Battalion (North)") || !strings.Contains(page, "Same as the 5th Brigade.") {
			t.Errorf("withdrawn unit page: %d", code)
		}

		// The audit trail names fields, never values.
		rows := map[string]string{}
		d.Read(ctx, f.inst[0].ID, func(tx *db.Tx) error {
			rs, err := tx.Query(ctx, "SELECT action, detail FROM audit_log WHERE institution_id = ? AND action IN ('event.update','event.withdraw','act.withdraw','act.update','unit.update','unit.withdraw','case.update','case.withdraw')", f.inst[0].ID)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				var a, det string
				rs.Scan(&a, &det)
				rows[a] = det
			}
			return rs.Err()
		})
		if len(rows) != 8 || rows["event.update"] != "fields=title,deaths,status" || rows["unit.update"] != "fields=name" ||
			rows["case.update"] != "fields=title,authority,deadline" || rows["act.update"] != "fields=type,victims" {
			t.Errorf("audit entries: %v", rows)
		}
		for _, det := range rows {
			if strings.Contains(det, "ford") || strings.Contains(det, "error") || strings.Contains(det, "Brigade") || strings.Contains(det, "Oravia") {
				t.Errorf("audit detail carries a value: %q", det)
			}
		}
	})
}
