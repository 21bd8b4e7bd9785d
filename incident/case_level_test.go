package incident

import (
	"context"
	"errors"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

// TestCaseLevel: a case never shows the title of an event above its
// reader's clearance, and a case may not be set at a level lower than its
// event's.
func TestCaseLevel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := newInst(t, d, "A")[0]
		const secret = "Raid on the safe house of witness K"
		var ev, ev2 Event
		var act Act
		var kase Case
		write := func(fn func(tx *db.Tx) error) error { return d.Write(ctx, a, fn) }
		if err := write(func(tx *db.Tx) error {
			var err error
			// A public event with a public case, then the event raised to
			// confidential: the case stays public.
			if ev, err = CreateEvent(ctx, tx, a, "u1", Event{Title: secret, DateStart: "2026-03-04", Sensitivity: sensitivity.Public}); err != nil {
				return err
			}
			if kase, err = OpenCase(ctx, tx, a, "u1", Case{EventID: ev.ID, Title: "Public complaint", OpenedOn: "2026-03-05", Sensitivity: sensitivity.Public}); err != nil {
				return err
			}
			up := ev
			up.Sensitivity = sensitivity.Confidential
			if _, err := UpdateEvent(ctx, tx, a, sensitivity.Confidential, ev.ID, up); err != nil {
				return err
			}
			if ev2, err = CreateEvent(ctx, tx, a, "u1", Event{Title: "Arrests", DateStart: "2026-03-04", Sensitivity: sensitivity.Internal}); err != nil {
				return err
			}
			act, err = AddAct(ctx, tx, a, Act{EventID: ev2.ID, Type: "killing", Victims: 1, Sensitivity: sensitivity.Confidential})
			return err
		}); err != nil {
			t.Fatal(err)
		}

		for _, cl := range []sensitivity.Level{sensitivity.Public, sensitivity.Partners, sensitivity.Internal} {
			d.Read(ctx, a, func(tx *db.Tx) error {
				c, err := GetCase(ctx, tx, a, kase.ID, cl, "2026-05-01")
				if err != nil {
					t.Fatalf("%s: GetCase: %v", cl, err)
				}
				if c.EventTitle != "" || !c.EventWithheld {
					t.Errorf("%s: GetCase shows the confidential event's title %q (withheld %v)", cl, c.EventTitle, c.EventWithheld)
				}
				list, err := ListCases(ctx, tx, a, "", cl, "2026-05-01")
				if err != nil || len(list) != 1 {
					t.Fatalf("%s: ListCases: %d %v", cl, len(list), err)
				}
				if list[0].EventTitle != "" || !list[0].EventWithheld {
					t.Errorf("%s: ListCases shows the confidential event's title %q", cl, list[0].EventTitle)
				}
				return nil
			})
		}
		d.Read(ctx, a, func(tx *db.Tx) error {
			c, err := GetCase(ctx, tx, a, kase.ID, sensitivity.Confidential, "")
			if err != nil || c.EventTitle != secret || c.EventWithheld {
				t.Errorf("a confidential reader does not see the title: %q %v %v", c.EventTitle, c.EventWithheld, err)
			}
			return nil
		})

		wantLevelErr := func(what string, err error) {
			t.Helper()
			var ve ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Msg, "sensitivity") {
				t.Errorf("%s: want a validation error naming the sensitivity, got %v", what, err)
			}
		}
		update := func(id string, in Case) error {
			return write(func(tx *db.Tx) error {
				_, err := UpdateCase(ctx, tx, a, sensitivity.Confidential, id, in)
				return err
			})
		}
		wantLevelErr("a case kept public on a confidential event", update(kase.ID, Case{Title: "Public complaint, corrected", Sensitivity: sensitivity.Public}))
		wantLevelErr("a case set to internal on a confidential event", update(kase.ID, Case{Title: "Public complaint", Sensitivity: sensitivity.Internal}))
		if err := update(kase.ID, Case{Title: "Public complaint", Sensitivity: sensitivity.Confidential}); err != nil {
			t.Errorf("raising the case to its event's level: %v", err)
		}
		open := func(c Case) error {
			return write(func(tx *db.Tx) error { _, err := OpenCase(ctx, tx, a, "u1", c); return err })
		}
		wantLevelErr("a public case opened on a confidential event", open(Case{EventID: ev.ID, Title: "C", OpenedOn: "2026-03-05", Sensitivity: sensitivity.Public}))
		wantLevelErr("a default (internal) case opened on a confidential event", open(Case{EventID: ev.ID, Title: "C", OpenedOn: "2026-03-05"}))
		wantLevelErr("an internal case opened on a confidential act", open(Case{EventID: ev2.ID, ActID: act.ID, Title: "C", OpenedOn: "2026-03-05", Sensitivity: sensitivity.Internal}))
		if err := open(Case{EventID: ev2.ID, Title: "C", OpenedOn: "2026-03-05", Sensitivity: sensitivity.Internal}); err != nil {
			t.Errorf("an internal case on the internal event itself: %v", err)
		}
		// A case on a confidential act of an internal event.
		var onAct Case
		if err := write(func(tx *db.Tx) error {
			var err error
			onAct, err = OpenCase(ctx, tx, a, "u1", Case{EventID: ev2.ID, ActID: act.ID, Title: "Act complaint", OpenedOn: "2026-03-05", Sensitivity: sensitivity.Confidential})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		wantLevelErr("a case on a confidential act set to internal", update(onAct.ID, Case{Title: "Act complaint", Sensitivity: sensitivity.Internal}))
		if err := update(onAct.ID, Case{Title: "Act complaint, corrected", Sensitivity: sensitivity.Confidential}); err != nil {
			t.Errorf("correcting a case at its act's level: %v", err)
		}
		d.Read(ctx, a, func(tx *db.Tx) error {
			if _, err := GetCase(ctx, tx, a, kase.ID, sensitivity.Internal, ""); !errors.Is(err, ErrNotFound) {
				t.Errorf("the raised case is still seen below confidential: %v", err)
			}
			return nil
		})
	})
}
