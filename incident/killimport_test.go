package incident

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/importer"
)

// killRows is the size of the file the kill test imports: ten batches, and
// rows long enough (a 600-byte description) that the file is large enough
// for a bulk load, which drops the date index in its first batch.
const killRows = 10 * BatchSize

// TestImportKilledMidway runs a real import in another process (this test
// binary, started again as a helper), kills it with SIGKILL once its first
// batch has committed, and checks that the store is consistent (SQLite's
// integrity and foreign-key checks, the audit chain), that what is there is
// whole batches, that a re-run completes it with exactly the file's rows and
// builds the date index again, and that one more run changes nothing.
func TestImportKilledMidway(t *testing.T) {
	if spec := os.Getenv("VIGIL_KILL_HELPER"); spec != "" {
		killHelper(t, spec)
		return
	}
	if testing.Short() {
		t.Skip("starts an import in another process and kills it (some seconds)")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "big.csv")
	writeLongGED(t, file, killRows)
	path := filepath.Join(dir, "vigil.db")
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var inst string
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		in, err := access.CreateInstitution(ctx, tx, "Kill Office", "XVG")
		inst = in.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestImportKilledMidway$", "-test.v")
	cmd.Env = append(os.Environ(), "VIGIL_KILL_HELPER="+path+"|"+inst+"|"+file)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Watch the row count from this process; kill at the first committed batch.
	deadline := time.Now().Add(5 * time.Minute)
	killed := false
	for !killed {
		select {
		case err := <-exited:
			t.Fatalf("the import ended before it could be killed (%v); its output:\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
		if n := countEvents(t, d, inst); n > 0 {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			<-exited
			killed = true
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no batch committed in time; output:\n%s", out.String())
		}
	}

	n := countEvents(t, d, inst)
	t.Logf("killed with %d of %d rows stored", n, killRows)
	if n == 0 || n >= killRows || n%BatchSize != 0 {
		t.Fatalf("after the kill: %d rows, want whole batches of %d and fewer than %d", n, BatchSize, killRows)
	}
	checkStore(t, d)
	if missing, err := missingEventIndexes(ctx, d, inst); err != nil || len(missing) != 1 {
		t.Errorf("after a killed bulk load the date index should be missing (dropped with the first batch): %v %v", missing, err)
	}
	// The pages leave the index to an import that wrote rows moments ago.
	if err := EnsureEventIndexesIdle(ctx, d, inst); err != nil {
		t.Fatal(err)
	}
	if missing, _ := missingEventIndexes(ctx, d, inst); len(missing) != 1 {
		t.Errorf("the pages built the index while an import may still run")
	}
	if got := auditCount(t, d, inst, "event.import"); got != n/BatchSize {
		t.Errorf("%d audit entries for %d committed batches", got, n/BatchSize)
	}

	// The re-run completes the store and builds the index again.
	res := runImportAudited(t, d, inst, file)
	if res.Inserted != killRows-n || res.Unchanged != n || res.Updated != 0 || res.Rejected != 0 {
		t.Errorf("re-run: %+v, want %d inserted and %d unchanged", res, killRows-n, n)
	}
	if got := countEvents(t, d, inst); got != killRows {
		t.Errorf("after the re-run: %d rows, want %d", got, killRows)
	}
	if missing, err := missingEventIndexes(ctx, d, inst); err != nil || len(missing) != 0 {
		t.Errorf("after the re-run the index should be back: missing %v %v", missing, err)
	}
	checkStore(t, d)

	// And once more: nothing changes, nothing is dropped.
	res = runImportAudited(t, d, inst, file)
	if res.Inserted != 0 || res.Updated != 0 || res.Unchanged != killRows {
		t.Errorf("third run: %+v, want all %d unchanged", res, killRows)
	}
	if missing, _ := missingEventIndexes(ctx, d, inst); len(missing) != 0 {
		t.Errorf("an import with nothing new dropped the index")
	}
	checkStore(t, d)
}

// killHelper is the process that gets killed: it imports the file into the
// store named in spec ("path|institution|file").
func killHelper(t *testing.T, spec string) {
	parts := strings.Split(spec, "|")
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+parts[0])
	if err != nil {
		t.Fatal(err)
	}
	k, _ := importer.Lookup("ucdp-ged")
	ctx = importer.WithEnv(ctx, importer.Env{Institution: parts[1], Actor: "test", Audit: &audit.Log{}})
	res, err := k.Run(ctx, d, []string{parts[2]}, nil)
	t.Logf("helper finished: %+v %v", res, err)
}

func runImportAudited(t *testing.T, d *db.DB, inst, file string) importer.Result {
	t.Helper()
	k, _ := importer.Lookup("ucdp-ged")
	ctx := importer.WithEnv(context.Background(), importer.Env{Institution: inst, Actor: "test", Audit: &audit.Log{}})
	res, err := k.Run(ctx, d, []string{file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkStore runs SQLite's own consistency checks and the audit chain's.
func checkStore(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		var res string
		if err := tx.QueryRow(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
			return err
		}
		if res != "ok" {
			return fmt.Errorf("integrity_check: %s", res)
		}
		rows, err := tx.Query(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			return errors.New("foreign_key_check reports a dangling reference")
		}
		return rows.Err()
	})
	if err != nil {
		t.Error(err)
	}
	if rep, err := audit.Verify(ctx, d, nil); err != nil || !rep.OK() {
		t.Errorf("audit chain: %v %v", rep.Problems, err)
	}
}

func auditCount(t *testing.T, d *db.DB, inst, action string) int {
	var n int
	d.Read(context.Background(), inst, func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = ?", inst, action).Scan(&n)
	})
	return n
}

// writeLongGED writes n made-up GED rows, each with a 600-byte description.
func writeLongGED(t *testing.T, file string, n int) {
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("id,type_of_violence,country,adm_1,adm_2,where_coordinates,date_start,date_end,date_prec,where_prec,latitude,longitude,best,deaths_civilians,dyad_name,side_a,side_b,source_office,where_description\n")
	desc := strings.Repeat("a made-up description of where it happened ", 14)[:600]
	regions := []string{"North", "South", "East", "West", "Centre"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "%d,%d,Vangoria,%s,District %d,Village %d,2025-%02d-%02d,2025-%02d-%02d,1,2,%.3f,%.3f,%d,%d,Army - Civilians,Army,Civilians,Press office,%s\n",
			5_000_000+i, 1+i%3, regions[i%5], i%40, i%997, 1+i%12, 1+i%28, 1+i%12, 1+i%28, float64(i%90)/2, float64(i%180)/2, i%7, i%3, desc)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}
