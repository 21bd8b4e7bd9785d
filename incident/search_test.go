package incident

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

// TestTextSearch: the institution's own records are found by stemmed words
// through the full-text index (an edit is found by its new words, not its
// old ones), imported rows by their words in title or place; another
// institution's records and records above the reader's clearance never.
func TestTextSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := newInst(t, d, "A", "B")
		a, b := ids[0], ids[1]
		mk := func(inst, title, desc string, level sensitivity.Level) string {
			var id string
			if err := d.Write(ctx, inst, func(tx *db.Tx) error {
				e, err := CreateEvent(ctx, tx, inst, "u1", Event{Title: title, Description: desc, DateStart: "2026-03-04", Sensitivity: level})
				id = e.ID
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return id
		}
		killed := mk(a, "Night raid on Doralen", "Soldiers killed three farmers near the mill.", sensitivity.Internal)
		secret := mk(a, "Detention at the barracks", "A witness saw two killings inside.", sensitivity.Confidential)
		mk(a, "Market closed", "Nothing violent happened.", sensitivity.Internal)
		mk(b, "Killings in the other office's records", "Farmers killed.", sensitivity.Internal)

		file := filepath.Join(t.TempDir(), "ged.csv")
		os.WriteFile(file, []byte("id,type_of_violence,country,adm_1,date_start,date_end,where_coordinates,dyad_name\n"+
			"1,3,Vangoria,North,2025-01-02,2025-01-02,Doralen village,Army - Civilians\n"+
			"2,3,Vangoria,North,2025-01-02,2025-01-02,Kelvast town,Army - Civilians\n"), 0o600)
		runImport(t, d, a, "ucdp-ged", file)

		search := func(inst string, level sensitivity.Level, text string) []string {
			t.Helper()
			var out []string
			if err := d.Read(ctx, inst, func(tx *db.Tx) error {
				evs, total, err := ListEvents(ctx, tx, inst, level, EventFilter{Text: text})
				if len(evs) != total {
					t.Errorf("%q: %d listed, total %d", text, len(evs), total)
				}
				for _, e := range evs {
					out = append(out, e.Origin+":"+e.Title)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			sort.Strings(out)
			return out
		}
		check := func(got []string, want ...string) {
			t.Helper()
			sort.Strings(want)
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("got %q, want %q", got, want)
			}
		}
		// "killing" finds "killed" and "killings" (stemmed), in A only, by clearance.
		check(search(a, sensitivity.Internal, "killing"), "manual:Night raid on Doralen")
		check(search(a, sensitivity.Confidential, "Killing"), "manual:Night raid on Doralen", "manual:Detention at the barracks")
		check(search(b, sensitivity.Confidential, "killing"), "manual:Killings in the other office's records")
		// Every word must match; punctuation is not a word.
		check(search(a, sensitivity.Confidential, "farmers, mill!"), "manual:Night raid on Doralen")
		check(search(a, sensitivity.Confidential, "farmers barracks"))
		// Imported rows by their place name, beside the own record naming it.
		check(search(a, sensitivity.Public, "doralen"), "ucdp-ged:Army - Civilians — Doralen village")
		check(search(a, sensitivity.Internal, "doralen"), "manual:Night raid on Doralen", "ucdp-ged:Army - Civilians — Doralen village")
		// An edit replaces the indexed words.
		if err := d.Write(ctx, a, func(tx *db.Tx) error {
			ev, err := GetEvent(ctx, tx, a, killed, sensitivity.Internal)
			if err != nil {
				return err
			}
			ev.Description = "Soldiers burned the mill."
			_, err = UpdateEvent(ctx, tx, a, sensitivity.Internal, killed, ev)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		check(search(a, sensitivity.Internal, "killed"))
		check(search(a, sensitivity.Internal, "burning mill"), "manual:Night raid on Doralen")
		_ = secret

		// An index out of step (as after a restore) is rebuilt by the
		// pages' first request.
		if d.Dialect == db.SQLite {
			d.Write(ctx, a, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, "DELETE FROM events_fts")
				return err
			})
			check(search(a, sensitivity.Internal, "burning mill"))
			if err := EnsureEventIndexesIdle(ctx, d, a); err != nil {
				t.Fatal(err)
			}
			check(search(a, sensitivity.Internal, "burning mill"), "manual:Night raid on Doralen")
		}
	})
}
