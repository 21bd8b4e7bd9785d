package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/incident"
	"vigil/sensitivity"
)

// TestIncidentCaseLevels: a public case on an incident raised to
// confidential does not show the incident's title to a partner or viewer;
// a case may not be set below its incident; an edit without a sensitivity
// field keeps the record's level; and the audit detail of an edit that
// changes the level names the old and new level.
func TestIncidentCaseLevels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		doc := f.users[0][access.Documenter]
		ctx := context.Background()
		inst := f.inst[0].ID
		const secret = "Raid on the safe house of witness K"
		event := url.Values{"title": {secret}, "date_start": {"2026-02-03"}, "violence": {"one_sided"}, "region": {"Oravia"},
			"sensitivity": {"public"}, "date_precision": {"1"}}
		resp := incPost(t, f, doc, "/incidents", event)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(t, resp))
		}
		evURL := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		evID := strings.TrimPrefix(evURL, "/incidents/")
		r := incPost(t, f, doc, "/cases", url.Values{"event_id": {evID}, "title": {"Complaint of the family"}, "authority": {"Prosecutor"},
			"opened_on": {"2026-02-10"}, "sensitivity": {"public"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("case: %d %s", r.StatusCode, readBody(t, r))
		}
		caseURL := r.Header.Get("Location")

		// The incident raised to confidential; its case stays public.
		event.Set("sensitivity", "confidential")
		if r := incPost(t, f, doc, evURL+"/edit", event); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("raise: %d %s", r.StatusCode, readBody(t, r))
		}
		for _, role := range []access.Role{access.Partner, access.Viewer} {
			for _, p := range []string{caseURL, "/cases", "/api/v1/incidents/cases"} {
				code, page := incGet(t, f, f.users[0][role], p)
				if code != 200 || strings.Contains(page, secret) || !strings.Contains(page, "Complaint of the family") {
					t.Errorf("%s GET %s: %d; shows the confidential title: %v", role, p, code, strings.Contains(page, secret))
				}
				if p != "/api/v1/incidents/cases" && !strings.Contains(page, "(incident withheld)") {
					t.Errorf("%s GET %s: no withheld mark", role, p)
				}
			}
		}
		if _, page := incGet(t, f, doc, caseURL); !strings.Contains(page, secret) {
			t.Errorf("the documenter does not see the title on the case page")
		}

		// The case may not stay below its incident, nor go below it.
		for _, level := range []string{"public", "internal"} {
			r := incPost(t, f, doc, caseURL+"/edit", url.Values{"title": {"Complaint"}, "sensitivity": {level}})
			if body := readBody(t, r); r.StatusCode != http.StatusBadRequest || !strings.Contains(body, "sensitivity") {
				t.Errorf("case set to %s on a confidential incident: %d", level, r.StatusCode)
			}
		}
		if r := incPost(t, f, doc, "/cases", url.Values{"event_id": {evID}, "title": {"Another"}, "opened_on": {"2026-02-10"},
			"sensitivity": {"partners"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("a partners case opened on a confidential incident: %d", r.StatusCode)
		}
		if r := incPost(t, f, doc, caseURL+"/edit", url.Values{"title": {"Complaint of the family"}, "authority": {"Prosecutor"},
			"sensitivity": {"confidential"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("case raised: %d %s", r.StatusCode, readBody(t, r))
		}
		if code, _ := incGet(t, f, f.users[0][access.Viewer], caseURL); code != http.StatusNotFound {
			t.Errorf("the raised case is still seen by a viewer: %d", code)
		}

		// Edits without the sensitivity field keep the confidential level.
		event.Del("sensitivity")
		event.Set("title", "Raid on the safe house")
		if r := incPost(t, f, doc, evURL+"/edit", event); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit without sensitivity: %d %s", r.StatusCode, readBody(t, r))
		}
		if r := incPost(t, f, doc, caseURL+"/edit", url.Values{"title": {"Complaint of the families"}, "authority": {"Prosecutor"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("case edit without sensitivity: %d %s", r.StatusCode, readBody(t, r))
		}
		if r := incPost(t, f, doc, evURL+"/acts", url.Values{"act_type": {"killing"}, "victims": {"2"}, "sensitivity": {"confidential"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("act: %d", r.StatusCode)
		}
		var actID string
		d.Read(ctx, inst, func(tx *db.Tx) error {
			acts, err := incident.ListActs(ctx, tx, inst, evID, sensitivity.Confidential)
			if err != nil || len(acts) != 1 {
				t.Fatalf("acts: %d %v", len(acts), err)
			}
			actID = acts[0].ID
			return nil
		})
		if r := incPost(t, f, doc, evURL+"/acts/"+actID+"/edit", url.Values{"act_type": {"killing"}, "victims": {"3"},
			"violation_status": {"unknown"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("act edit without sensitivity: %d %s", r.StatusCode, readBody(t, r))
		}
		d.Read(ctx, inst, func(tx *db.Tx) error {
			e, err := incident.GetEvent(ctx, tx, inst, evID, sensitivity.Confidential)
			if err != nil || e.Sensitivity != sensitivity.Confidential || e.Title != "Raid on the safe house" {
				t.Errorf("event after an edit without sensitivity: %s %q %v", e.Sensitivity, e.Title, err)
			}
			c, err := incident.GetCase(ctx, tx, inst, strings.TrimPrefix(caseURL, "/cases/"), sensitivity.Confidential, "")
			if err != nil || c.Sensitivity != sensitivity.Confidential || c.Title != "Complaint of the families" {
				t.Errorf("case after an edit without sensitivity: %s %q %v", c.Sensitivity, c.Title, err)
			}
			acts, err := incident.ListActs(ctx, tx, inst, evID, sensitivity.Confidential)
			if err != nil || len(acts) != 1 || acts[0].Sensitivity != sensitivity.Confidential || acts[0].Victims != 3 {
				t.Errorf("act after an edit without sensitivity: %+v %v", acts, err)
			}
			return nil
		})

		// The audit trail says how the level changed, and only then.
		var details []string
		d.Read(ctx, inst, func(tx *db.Tx) error {
			rs, err := tx.Query(ctx, "SELECT detail FROM audit_log WHERE institution_id = ? AND action IN ('event.update', 'case.update', 'act.update')", inst)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				var det string
				rs.Scan(&det)
				details = append(details, det)
			}
			return rs.Err()
		})
		got := map[string]int{}
		for _, det := range details {
			got[det]++
			if strings.Contains(det, "Raid") || strings.Contains(det, "Complaint") {
				t.Errorf("audit detail carries a value: %q", det)
			}
		}
		// The event and the case raised; the event's and the case's titles
		// and the act's victims corrected without a change of level.
		if got["fields=sensitivity sensitivity=public->confidential"] != 2 || got["fields=title"] != 2 || got["fields=victims"] != 1 || len(details) != 5 {
			t.Errorf("audit details: %q", details)
		}
	})
}
