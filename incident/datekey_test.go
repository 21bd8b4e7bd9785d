package incident

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

// recordingQ passes every statement on to Q and keeps the reads.
type recordingQ struct {
	db.Q
	reads []recordedQuery
}

type recordedQuery struct {
	sql  string
	args []any
}

func (r *recordingQ) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.reads = append(r.reads, recordedQuery{q, args})
	return r.Q.Query(ctx, q, args...)
}

func (r *recordingQ) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	r.reads = append(r.reads, recordedQuery{q, args})
	return r.Q.QueryRow(ctx, q, args...)
}

// TestEventReadsUseDateIndex runs the incident list (its count and its
// page, with and without filters), the regions and the civilian-violence
// trend, and asks each store how it would run every statement they sent:
// each must reach the events through the date index (events_date), never
// by scanning the table, which would read the other institutions' rows.
// PostgreSQL is asked with sequential scans discouraged, since on a few
// rows it would rightly prefer them.
func TestEventReadsUseDateIndex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		insts := newInst(t, d, "A", "B")
		for _, inst := range insts {
			if err := d.Write(ctx, inst, func(tx *db.Tx) error {
				for i, day := range []string{"2024-01-05", "2024-03-09", "2025-07-01"} {
					if _, err := CreateEvent(ctx, tx, inst, "u1", Event{Title: fmt.Sprint("event ", i), DateStart: day,
						Region: "Kelvast", Country: "XVG", Violence: "one_sided"}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		inst := insts[0]
		rec := &recordingQ{}
		if err := d.Read(ctx, inst, func(tx *db.Tx) error {
			rec.Q = tx
			for _, f := range []EventFilter{{}, {From: "2024-02-01", To: "2024-12-31"}, {Country: "XVG", Region: "Kelvast", Violence: "one_sided"}} {
				evs, total, err := ListEvents(ctx, rec, inst, sensitivity.Confidential, f)
				if err != nil {
					return err
				}
				want := 3
				if f.From != "" {
					want = 1
				}
				if total != want || len(evs) != want {
					return fmt.Errorf("filter %+v: %d events of %d, want %d", f, len(evs), total, want)
				}
			}
			if _, err := Regions(ctx, rec, inst, sensitivity.Confidential); err != nil {
				return err
			}
			_, err := CivilianViolenceTrend(ctx, rec, inst, sensitivity.Confidential, "XVG")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(rec.reads) < 8 {
			t.Fatalf("only %d reads recorded", len(rec.reads))
		}
		for _, r := range rec.reads {
			plan := queryPlan(t, d, inst, r)
			t.Logf("%s\n%s", r.sql, plan)
			if !strings.Contains(plan, "events_date") || strings.Contains(plan, "SCAN events") || strings.Contains(plan, "Seq Scan on events") {
				t.Errorf("%s\nruns as:\n%s", r.sql, plan)
			}
		}
	})
}

// queryPlan is the store's plan for r, one line per step.
func queryPlan(t *testing.T, d *db.DB, inst string, r recordedQuery) string {
	t.Helper()
	var lines []string
	err := d.Read(context.Background(), inst, func(tx *db.Tx) error {
		explain := "EXPLAIN QUERY PLAN "
		if d.Dialect == db.Postgres {
			explain = "EXPLAIN "
			if _, err := tx.Exec(context.Background(), "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
		}
		rows, err := tx.Query(context.Background(), explain+r.sql, r.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", r.sql, err)
	}
	return strings.Join(lines, "\n")
}
