package engage_test

import (
	"context"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/engage"
	"vigil/sensitivity"
)

// TestEditActivity: an edit changes what was recorded and says which
// fields changed; the status and its history stay; a partner the editor
// may not see stays linked; a level above the editor's clearance is refused.
func TestEditActivity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			in, err := access.CreateInstitution(ctx, tx, "Office", "XVG")
			if err != nil {
				return err
			}
			secret, err := engage.CreatePartner(ctx, tx, in.ID, "u", engage.Partner{Name: "Closed source", Kind: "other", Sensitivity: sensitivity.Confidential})
			if err != nil {
				return err
			}
			open, err := engage.CreatePartner(ctx, tx, in.ID, "u", engage.Partner{Name: "Open partner", Kind: "media", Sensitivity: sensitivity.Public})
			if err != nil {
				return err
			}
			a, err := engage.CreateActivity(ctx, tx, in.ID, "u", sensitivity.Confidential, engage.Activity{Kind: "meeting", Title: "Meeting", StartDate: "2026-02-01",
				Status: "in_progress", Sensitivity: sensitivity.Internal, PartnerIDs: []string{secret.ID}})
			if err != nil {
				return err
			}
			// A viewer-level editor (internal clearance) edits it.
			edit := engage.Activity{Kind: "briefing", Title: "Briefing", StartDate: "2026-02-02", Sensitivity: sensitivity.Internal,
				PartnerIDs: []string{open.ID}, Links: []engage.Link{{Kind: "risk_factor", Ref: "RF3"}}}
			got, changed, err := engage.EditActivity(ctx, tx, in.ID, a.ID, sensitivity.Internal, edit)
			if err != nil {
				return err
			}
			if strings.Join(changed, ",") != "kind,title,start_date,partners,links" {
				t.Errorf("changed %v", changed)
			}
			if got.Status != "in_progress" || len(got.History) != 1 {
				t.Errorf("status or history moved: %s %d", got.Status, len(got.History))
			}
			full, err := engage.GetActivity(ctx, tx, in.ID, a.ID, sensitivity.Confidential)
			if err != nil {
				return err
			}
			if len(full.PartnerIDs) != 2 {
				t.Errorf("the hidden partner was dropped: %v", full.PartnerIDs)
			}
			if _, changed, err := engage.EditActivity(ctx, tx, in.ID, a.ID, sensitivity.Internal, edit); err != nil || len(changed) != 0 {
				t.Errorf("same edit again: %v %v", changed, err)
			}
			edit.Sensitivity = sensitivity.Confidential
			if _, _, err := engage.EditActivity(ctx, tx, in.ID, a.ID, sensitivity.Internal, edit); err == nil {
				t.Error("raised above the editor's clearance")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
