package bench

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"vigil/access"
	"vigil/country"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/recommend"
	"vigil/sensitivity"
)

// Recommendations tracker benchmarks (docs/recommend.md records results):
//
//	go test ./bench/ -run '^$' -bench RecommendImport -benchtime 1x
//	go test ./bench/ -run '^$' -bench RecommendSearch300k -benchtime 1x -timeout 30m
//
// Both need ../shared/data (UPR Info raw files and the country list) and
// skip without it; the import comparison also needs the sqlite3 program.

const sharedData = "../../shared/data"

func uprFiles(b *testing.B) []string {
	files, _ := filepath.Glob(filepath.Join(sharedData, "upr/raw/*.csv"))
	if len(files) != 6 {
		b.Skip("UPR Info data absent: ../shared/data/upr/raw/*.csv not found")
	}
	return files
}

func openStore(b *testing.B) *db.DB {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "vigil.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := country.Import(ctx, d, []string{filepath.Join(sharedData, "iso3166")}, nil); err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkRecommendImport times, side by side in one run, the import of
// the six raw UPR Info files (decoding Mac Roman, mapping every country,
// keys, facets table, FTS5 index through triggers, audit) and the sqlite3
// program's .import of the cleaned CSV followed by building an FTS5 index
// over its text. It reports both and their ratio.
func BenchmarkRecommendImport(b *testing.B) {
	files := uprFiles(b)
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("sqlite3 program not installed (apt-get install sqlite3)")
	}
	recommend.Notes = nil
	ctx := context.Background()
	var vigil, cli, vigilCPU, cliCPU time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := openStore(b)
		b.StartTimer()
		c0 := cpuTime()
		t0 := time.Now()
		res, err := recommend.ImportUPRInfo(ctx, d, files, nil)
		vigil += time.Since(t0)
		vigilCPU += cpuTime() - c0
		if err != nil || res.Inserted != 42013 {
			b.Fatalf("import: %+v %v", res.Inserted, err)
		}
		dbPath := filepath.Join(b.TempDir(), "cli.db")
		script := fmt.Sprintf(".mode csv\n.import %s recs\nCREATE VIRTUAL TABLE recs_fts USING fts5(recommendation, tokenize = 'porter unicode61 remove_diacritics 2');\n"+
			"INSERT INTO recs_fts(rowid, recommendation) SELECT rowid, recommendation FROM recs;\nSELECT COUNT(*) FROM recs;\n",
			filepath.Join(sharedData, "upr/upr_info_recommendations_sessions01-20.csv"))
		cmd := exec.Command(sqlite3, dbPath)
		cmd.Stdin = strings.NewReader(script)
		t0 = time.Now()
		out, err := cmd.CombinedOutput()
		cli += time.Since(t0)
		if cmd.ProcessState != nil {
			cliCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		if err != nil || strings.TrimSpace(string(out)) != "42013" {
			b.Fatalf("sqlite3: %v %s", err, out)
		}
	}
	b.ReportMetric(vigil.Seconds()/float64(b.N), "vigil-s")
	b.ReportMetric(cli.Seconds()/float64(b.N), "sqlite3-s")
	b.ReportMetric(vigil.Seconds()/cli.Seconds(), "ratio")
	// CPU time (user + system) is steadier than wall time on a shared machine.
	b.ReportMetric(vigilCPU.Seconds()/float64(b.N), "vigil-cpu-s")
	b.ReportMetric(cliCPU.Seconds()/float64(b.N), "sqlite3-cpu-s")
	b.ReportMetric(vigilCPU.Seconds()/cliCPU.Seconds(), "cpu-ratio")
}

// cpuTime is the CPU time (user + system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRecommendSearch300k fills a store with 300,000 recommendations
// (the real 42,013 repeated with new ids, about UHRI's size), then times
// each query 30 times through recommend.Search with facets (mechanism,
// State, theme, response, independent-assessment status, cycle) and a
// first page of 50, and reports the median and 95th percentile per class:
// once with the cache of full-text matches emptied before every run
// ("cold": the query's words are read from the FTS5 index again; what
// describes the data rather than a query — the facet index, the FTS5 term
// index — stays, as it does until the next write) and once as served
// normally, the cache kept ("warm").
func BenchmarkRecommendSearch300k(b *testing.B) {
	recommendSearch300k(b, openStore(b), 30, true)
}

// BenchmarkRecommendSearch300kPostgres is the same on PostgreSQL (full-text
// search through the GIN index, facets by SQL), 5 runs a query, no cache:
//
//	VIGIL_TEST_POSTGRES=postgres://... go test ./bench/ -run '^$' -bench RecommendSearch300kPostgres -benchtime 1x -timeout 60m -v
func BenchmarkRecommendSearch300kPostgres(b *testing.B) {
	d := dbtest.Postgres(b)
	if _, err := country.Import(context.Background(), d, []string{filepath.Join(sharedData, "iso3166")}, nil); err != nil {
		b.Fatal(err)
	}
	recommendSearch300k(b, d, 5, false)
}

func recommendSearch300k(b *testing.B, d *db.DB, runs int, withCold bool) {
	files := uprFiles(b)
	recommend.Notes = nil
	ctx := context.Background()
	if _, err := recommend.ImportUPRInfo(ctx, d, files, nil); err != nil {
		b.Fatal(err)
	}
	const target = 300000
	var inst access.Institution
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		for k := 1; ; k++ {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM recommendations").Scan(&n); err != nil {
				return err
			}
			if n >= target {
				break
			}
			suffix := fmt.Sprintf("r%d", k)
			if _, err := tx.Exec(ctx, `INSERT INTO recommendations (id, owner_institution, sensitivity, num, source, source_key, kind, mechanism, body,
				state_under_review, recommending_state, cycle, session, document_symbol, paragraph, issued_on, text, themes, affected_persons,
				sdg_targets, response, action_category, search_text, created_at, updated_at)
				SELECT id || ?, owner_institution, sensitivity, num + ?, source, source_key || ?, kind, mechanism, body, state_under_review,
				recommending_state, cycle, session, document_symbol, paragraph, issued_on, text, themes, affected_persons, sdg_targets, response,
				action_category, search_text, created_at, updated_at FROM recommendations WHERE source = 'upr-info' AND source_key NOT LIKE '%r%' ORDER BY num LIMIT ?`,
				suffix, k*100000, "#"+suffix, min(42013, target-n)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO recommendation_themes (recommendation_id, theme)
				SELECT t.recommendation_id || ?, t.theme FROM recommendation_themes t JOIN recommendations r ON r.id = t.recommendation_id || ?`, suffix, suffix); err != nil {
				return err
			}
		}
		var err error
		inst, err = access.CreateInstitution(ctx, tx, "Bench office", "AFG")
		if err != nil {
			return err
		}
		// Some independent assessments, so the status facet has work to do.
		rows, err := tx.Query(ctx, "SELECT id FROM recommendations WHERE state_under_review = 'AFG' ORDER BY num LIMIT 300")
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		for i, id := range ids {
			st := recommend.Statuses[i%3]
			if _, err := recommend.AddAssessment(ctx, tx, inst.ID, "bench", recommend.Assessment{RecommendationID: id, Source: "nhri", Status: st,
				AssessedBy: "bench", AssessedOn: "2025-01-01", Evidence: "bench"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var total int
	d.Read(ctx, db.System, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM recommendations").Scan(&total)
	})
	classes := []struct {
		name    string
		queries []string
	}{
		{"words", []string{"torture", "women", "discrimination", "genocide", "education", "impunity"}},
		{"phrases", []string{`"death penalty"`, `"rome statute"`, `"enforced disappearance"`, `"human rights defenders"`}},
		{"boolean", []string{`torture OR disappear*`, `women NOT violence`, `(genocide OR "war crimes") court`, `"death penalty" AND moratorium`}},
	}
	search := func(q string) (recommend.Results, time.Duration) {
		t0 := time.Now()
		var res recommend.Results
		err := d.Read(ctx, inst.ID, func(tx *db.Tx) error {
			var err error
			res, err = recommend.Search(ctx, tx, recommend.Filter{Query: q, Institution: inst.ID, Clearance: sensitivity.Internal, Limit: 50})
			return err
		})
		if err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		return res, time.Since(t0)
	}
	// The first search after the writes builds the in-process facet index.
	_, first := search("torture")
	b.Logf("first search after the import (on SQLite it builds the facet index): %v", first)
	b.ReportMetric(float64(first.Milliseconds()), "index-build-ms")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range classes {
			// "cold": the full-text match of the query is not cached (as for
			// words nobody searched since the last change); "warm": as the
			// store serves a query asked again.
			modes := []bool{false}
			if withCold {
				modes = []bool{true, false}
			}
			for _, cold := range modes {
				var lat []time.Duration
				for _, q := range c.queries {
					for r := 0; r < runs; r++ {
						if cold {
							recommend.ForgetSearchCache()
						}
						res, dt := search(q)
						lat = append(lat, dt)
						if r == 0 && i == 0 && cold == withCold {
							b.Logf("%-34s %7d matches of %d", q, res.Total, total)
						}
					}
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				p50, p95 := lat[len(lat)/2], lat[len(lat)*95/100]
				name := c.name
				if cold {
					name += "-cold"
				}
				b.ReportMetric(float64(p50.Microseconds())/1000, name+"-p50-ms")
				b.ReportMetric(float64(p95.Microseconds())/1000, name+"-p95-ms")
			}
		}
	}
}
