package engage_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/engage"
	"vigil/fieldcrypt"
	"vigil/sensitivity"
)

func TestPartnersActivitiesReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		kr := fieldcrypt.Ephemeral()
		var inst, other access.Institution
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			var err error
			if inst, err = access.CreateInstitution(ctx, tx, "Office A", "XVG"); err != nil {
				return err
			}
			other, err = access.CreateInstitution(ctx, tx, "Office B", "XVG")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var actID string
		err = d.Write(ctx, inst.ID, func(tx *db.Tx) error {
			p, err := engage.CreatePartner(ctx, tx, inst.ID, "u1", engage.Partner{Name: "Human Rights Committee of Parliament", Kind: "parliament", Sensitivity: sensitivity.Public})
			if err != nil {
				return err
			}
			if _, err := engage.CreatePartner(ctx, tx, inst.ID, "u1", engage.Partner{Name: "x", Kind: "spaceship"}); err == nil {
				t.Error("unknown partner kind accepted")
			}
			c, err := engage.AddContact(ctx, tx, kr, inst.ID, "u1", sensitivity.Confidential, engage.Contact{PartnerID: p.ID, Position: "Clerk", Name: "Ama Secretname", Email: "ama@example.org"})
			if err != nil {
				return err
			}
			if c.Sensitivity != sensitivity.Confidential {
				t.Errorf("contact level %v, want confidential by default", c.Sensitivity)
			}
			var raw string
			if err := tx.QueryRow(ctx, "SELECT name_enc FROM engage_contacts WHERE institution_id = ? AND id = ?", inst.ID, c.ID).Scan(&raw); err != nil {
				return err
			}
			if strings.Contains(raw, "Secretname") || !fieldcrypt.IsEncrypted(raw) {
				t.Errorf("contact name stored in clear: %q", raw)
			}
			cs, err := engage.Contacts(ctx, tx, kr, inst.ID, p.ID, sensitivity.Confidential)
			if err != nil || len(cs) != 1 || cs[0].Name != "Ama Secretname" {
				t.Errorf("contacts = %+v, %v", cs, err)
			}
			if cs, _ := engage.Contacts(ctx, tx, kr, inst.ID, p.ID, sensitivity.Internal); len(cs) != 0 {
				t.Errorf("a viewer sees confidential contacts: %+v", cs)
			}
			links, err := engage.ParseLinks("risk_factor: RF8\nrecommendation: 112.4\n\nrisk_factor: RF8")
			if err != nil || len(links) != 2 {
				t.Fatalf("links %v %v", links, err)
			}
			a, err := engage.CreateActivity(ctx, tx, inst.ID, "u1", sensitivity.Confidential, engage.Activity{Kind: "briefing", Title: "Briefing to the committee",
				StartDate: "2026-03-10", PartnerIDs: []string{p.ID}, Links: links, Sensitivity: sensitivity.Partners, FollowUpDate: "2026-04-02", FollowUp: "send the note"})
			if err != nil {
				return err
			}
			actID = a.ID
			if _, err := engage.CreateActivity(ctx, tx, inst.ID, "u1", sensitivity.Confidential, engage.Activity{Kind: "meeting", Title: "Confidential meeting",
				StartDate: "2026-03-12", Sensitivity: sensitivity.Confidential}); err != nil {
				return err
			}
			if _, err := engage.CreateActivity(ctx, tx, inst.ID, "u1", sensitivity.Confidential, engage.Activity{Kind: "meeting", Title: "bad", StartDate: "2026-13-01"}); err == nil {
				t.Error("bad date accepted")
			}
			if _, err := engage.UpdateActivity(ctx, tx, inst.ID, a.ID, "u2", sensitivity.Confidential, engage.Update{Status: "done", Outcome: "Committee agreed to hold a hearing", Note: "held"}); err != nil {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = d.Read(ctx, inst.ID, func(tx *db.Tx) error {
			a, err := engage.GetActivity(ctx, tx, inst.ID, actID, sensitivity.Partners)
			if err != nil {
				return err
			}
			if len(a.History) != 2 || a.History[1].Status != "done" || a.Outcome == "" || len(a.Partners) != 1 || len(a.Links) != 2 {
				t.Errorf("activity after update: %+v", a)
			}
			if a.Heading() != engage.External {
				t.Errorf("briefing heading %s", a.Heading())
			}
			list, err := engage.ListActivities(ctx, tx, inst.ID, sensitivity.Internal, engage.Filter{})
			if err != nil || len(list) != 1 {
				t.Errorf("viewer list %d %v, want only the partners-level activity", len(list), err)
			}
			m, err := engage.Calendar(ctx, tx, inst.ID, sensitivity.Confidential, 2026, time.March)
			if err != nil {
				return err
			}
			var n int
			for _, w := range m.Weeks {
				for _, d := range w {
					n += len(d.Activities)
				}
			}
			if n != 2 || m.Weeks[0][6].Number != 1 { // 1 March 2026 is a Sunday
				t.Errorf("calendar: %d activities, first Sunday %d", n, m.Weeks[0][6].Number)
			}
			apr, err := engage.Calendar(ctx, tx, inst.ID, sensitivity.Confidential, 2026, time.April)
			if err != nil {
				return err
			}
			var follow []string
			for _, w := range apr.Weeks {
				for _, d := range w {
					for _, a := range d.FollowUps {
						follow = append(follow, d.Date+" "+a.Title)
					}
				}
			}
			if len(follow) != 1 || follow[0] != "2026-04-02 Briefing to the committee" {
				t.Errorf("April follow-ups: %v", follow)
			}
			r, err := engage.BuildReport(ctx, tx, inst.ID, "Office A", "2026-01-01", "2026-12-31", sensitivity.Partners)
			if err != nil {
				return err
			}
			var html, js bytes.Buffer
			if err := r.WriteHTML(&html); err != nil {
				return err
			}
			if err := r.WriteJSON(&js); err != nil {
				return err
			}
			for _, out := range []string{html.String(), js.String()} {
				if !strings.Contains(out, "Briefing to the committee") || strings.Contains(out, "Confidential meeting") || strings.Contains(out, "Secretname") {
					t.Errorf("report edition partners holds the wrong records:\n%s", out)
				}
			}
			if !strings.Contains(html.String(), "Internal matters") || !strings.Contains(html.String(), "Cooperation with external partners") {
				t.Error("report lacks the guidance's headings")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The other institution sees nothing of it.
		err = d.Read(ctx, other.ID, func(tx *db.Tx) error {
			if _, err := engage.GetActivity(ctx, tx, other.ID, actID, sensitivity.Confidential); err != engage.ErrNotFound {
				t.Errorf("other institution read the activity: %v", err)
			}
			list, err := engage.ListActivities(ctx, tx, other.ID, sensitivity.Confidential, engage.Filter{})
			if len(list) != 0 || err != nil {
				t.Errorf("other institution lists %d (%v)", len(list), err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
