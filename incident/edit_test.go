package incident

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

// TestEditAndWithdraw: an own event is edited (changed fields named), not
// above the editor's clearance, not by a reader who cannot see it; an
// imported event cannot be edited but can be withdrawn; a withdrawn record
// keeps its row, is marked, leaves the timeline and cannot be changed.
func TestEditAndWithdraw(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := newInst(t, d, "A", "B")
		a, b := ids[0], ids[1]
		var ev Event
		var act Act
		var unit Unit
		write := func(inst string, fn func(tx *db.Tx) error) error { return d.Write(ctx, inst, fn) }
		if err := write(a, func(tx *db.Tx) error {
			var err error
			if ev, err = CreateEvent(ctx, tx, a, "u1", Event{Title: "Raid", DateStart: "2026-03-04", Violence: "one_sided", Region: "North"}); err != nil {
				return err
			}
			if act, err = AddAct(ctx, tx, a, Act{EventID: ev.ID, Type: "killing", Victims: 2}); err != nil {
				return err
			}
			unit, err = CreateUnit(ctx, tx, a, "u1", Unit{Name: "3rd Company", Force: "police"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		edit := func(inst string, level sensitivity.Level, in Event) ([]string, error) {
			var changed []string
			err := write(inst, func(tx *db.Tx) error {
				var err error
				changed, err = UpdateEvent(ctx, tx, inst, level, ev.ID, in)
				return err
			})
			return changed, err
		}
		in := ev
		in.Title, in.Description, in.Fatalities = "Night raid", "Three killed.", 3
		changed, err := edit(a, sensitivity.Confidential, in)
		if err != nil || strings.Join(changed, ",") != "title,description,deaths" {
			t.Fatalf("edit: %v %v", changed, err)
		}
		if changed, err := edit(a, sensitivity.Confidential, in); err != nil || len(changed) != 0 {
			t.Errorf("the same values again: %v %v", changed, err)
		}
		var ve ValidationError
		up := in
		up.Sensitivity = sensitivity.Confidential
		if _, err := edit(a, sensitivity.Internal, up); !errors.As(err, &ve) {
			t.Errorf("raising above own clearance: %v", err)
		}
		if _, err := edit(b, sensitivity.Confidential, in); !errors.Is(err, ErrNotFound) {
			t.Errorf("other institution edits: %v", err)
		}
		if _, err := edit(a, sensitivity.Public, in); !errors.Is(err, ErrNotFound) {
			t.Errorf("reader below the event's level edits: %v", err)
		}
		d.Read(ctx, a, func(tx *db.Tx) error {
			got, _ := GetEvent(ctx, tx, a, ev.ID, sensitivity.Confidential)
			if got.Title != "Night raid" || got.Fatalities != 3 {
				t.Errorf("after the edit: %+v", got)
			}
			return nil
		})

		// Withdrawal: reason required, kept and marked, out of the trend.
		trendTotal := func() int {
			var n int
			d.Read(ctx, a, func(tx *db.Tx) error {
				tr, err := CivilianViolenceTrend(ctx, tx, a, sensitivity.Confidential, "")
				for _, s := range tr.Series {
					n += s.Total
				}
				return err
			})
			return n
		}
		if trendTotal() != 1 {
			t.Fatalf("trend before withdrawal: %d", trendTotal())
		}
		withdraw := func(reason string) error {
			return write(a, func(tx *db.Tx) error { return WithdrawEvent(ctx, tx, a, sensitivity.Confidential, ev.ID, reason) })
		}
		if err := withdraw("  "); !errors.As(err, &ve) {
			t.Errorf("withdrawal without a reason: %v", err)
		}
		if err := withdraw("Entered twice; see the other record."); err != nil {
			t.Fatal(err)
		}
		if err := withdraw("again"); !errors.Is(err, ErrWithdrawn) {
			t.Errorf("second withdrawal: %v", err)
		}
		if _, err := edit(a, sensitivity.Confidential, in); !errors.Is(err, ErrWithdrawn) {
			t.Errorf("edit after withdrawal: %v", err)
		}
		d.Read(ctx, a, func(tx *db.Tx) error {
			got, err := GetEvent(ctx, tx, a, ev.ID, sensitivity.Confidential)
			if err != nil || got.WithdrawnAt == "" || got.WithdrawnReason != "Entered twice; see the other record." {
				t.Errorf("withdrawn event: %+v %v", got, err)
			}
			return nil
		})
		if trendTotal() != 0 {
			t.Errorf("a withdrawn event still counts in the trend")
		}

		// Acts and units.
		if err := write(a, func(tx *db.Tx) error {
			return WithdrawAct(ctx, tx, a, sensitivity.Confidential, ev.ID, act.ID, "Not a killing.")
		}); err != nil {
			t.Fatal(err)
		}
		d.Read(ctx, a, func(tx *db.Tx) error {
			acts, err := ListActs(ctx, tx, a, ev.ID, sensitivity.Confidential)
			if err != nil || len(acts) != 1 || acts[0].WithdrawnReason != "Not a killing." {
				t.Errorf("withdrawn act: %+v %v", acts, err)
			}
			return nil
		})
		uin := unit
		uin.Name, uin.Kind = "3rd Company (Kelvast)", "command"
		if err := write(a, func(tx *db.Tx) error {
			changed, err := UpdateUnit(ctx, tx, a, sensitivity.Confidential, unit.ID, uin)
			if err == nil && strings.Join(changed, ",") != "name,kind" {
				t.Errorf("unit edit changed %v", changed)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := write(a, func(tx *db.Tx) error {
			return WithdrawUnit(ctx, tx, a, sensitivity.Confidential, unit.ID, "Duplicate.")
		}); err != nil {
			t.Fatal(err)
		}
		d.Read(ctx, a, func(tx *db.Tx) error {
			u, err := GetUnit(ctx, tx, a, unit.ID, sensitivity.Confidential)
			if err != nil || u.Name != "3rd Company (Kelvast)" || u.WithdrawnAt == "" {
				t.Errorf("unit after edit and withdrawal: %+v %v", u, err)
			}
			return nil
		})

		// An imported event: no edit, but withdrawal.
		file := filepath.Join(t.TempDir(), "ged.csv")
		os.WriteFile(file, []byte("id,type_of_violence,country,adm_1,date_start,date_end\n7,3,Vangoria,North,2025-01-02,2025-01-02\n"), 0o600)
		runImport(t, d, a, "ucdp-ged", file)
		imported := stableID(a, "ucdp-ged", "7")
		if err := write(a, func(tx *db.Tx) error {
			_, err := UpdateEvent(ctx, tx, a, sensitivity.Confidential, imported, Event{Title: "x", DateStart: "2025-01-02"})
			return err
		}); !errors.As(err, &ve) {
			t.Errorf("editing an imported event: %v", err)
		}
		if err := write(a, func(tx *db.Tx) error {
			return WithdrawEvent(ctx, tx, a, sensitivity.Confidential, imported, "Wrong country.")
		}); err != nil {
			t.Errorf("withdrawing an imported event: %v", err)
		}
	})
}

// TestWithdrawnLeaveFigures: a withdrawn case no longer counts for its unit,
// and a withdrawn unit leaves the impunity picture; a withdrawn case takes
// no more steps.
func TestWithdrawnLeaveFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := newInst(t, d, "A")[0]
		var unit Unit
		var cs Case
		if err := d.Write(ctx, a, func(tx *db.Tx) error {
			ev, err := CreateEvent(ctx, tx, a, "u1", Event{Title: "Raid", DateStart: "2026-03-04"})
			if err != nil {
				return err
			}
			act, err := AddAct(ctx, tx, a, Act{EventID: ev.ID, Type: "killing", Victims: 1})
			if err != nil {
				return err
			}
			if unit, err = CreateUnit(ctx, tx, a, "u1", Unit{Name: "2nd Company", Force: "army"}); err != nil {
				return err
			}
			if _, err := Involve(ctx, tx, a, Involvement{ActID: act.ID, UnitID: unit.ID, Role: "perpetrator", Degree: "carried_out"}); err != nil {
				return err
			}
			cs, err = OpenCase(ctx, tx, a, "u1", Case{EventID: ev.ID, ActID: act.ID, Title: "Complaint", OpenedOn: "2026-03-05"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		picture := func() Picture {
			var p Picture
			d.Read(ctx, a, func(tx *db.Tx) error {
				var err error
				p, err = ImpunityFigures(ctx, tx, a, sensitivity.Confidential, "2026-05-01")
				return err
			})
			return p
		}
		if p := picture(); p.Total.Cases != 1 || len(p.Units) != 1 {
			t.Fatalf("before: %+v", p.Total)
		}
		if err := d.Write(ctx, a, func(tx *db.Tx) error { return WithdrawCase(ctx, tx, a, sensitivity.Confidential, cs.ID, "Duplicate.") }); err != nil {
			t.Fatal(err)
		}
		if p := picture(); p.Total.Cases != 0 || p.Total.Incidents != 1 || p.Total.NoCase != 1 {
			t.Errorf("after the case's withdrawal: %+v", p.Total)
		}
		err := d.Write(ctx, a, func(tx *db.Tx) error {
			_, err := AddStep(ctx, tx, a, "u1", cs.ID, Step{Stage: "investigation", OnDate: "2026-04-01"}, sensitivity.Confidential)
			return err
		})
		if !errors.Is(err, ErrWithdrawn) {
			t.Errorf("a step on a withdrawn case: %v", err)
		}
		if err := d.Write(ctx, a, func(tx *db.Tx) error {
			return WithdrawUnit(ctx, tx, a, sensitivity.Confidential, unit.ID, "Wrong unit.")
		}); err != nil {
			t.Fatal(err)
		}
		if p := picture(); len(p.Units) != 0 || p.Total.Incidents != 0 {
			t.Errorf("after the unit's withdrawal: %d units, %+v", len(p.Units), p.Total)
		}
	})
}
