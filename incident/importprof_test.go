package incident

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
)

// TestProfileGEDImport is a tool, not a check: with VIGIL_PROF_GED=N it
// imports an N-row GED-layout file (the sample repeated with new ids) into
// a fresh SQLite store and writes a CPU profile to VIGIL_PROF_OUT (default
// /tmp/ged.prof). Without the variable it is skipped.
func TestProfileGEDImport(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("VIGIL_PROF_GED"))
	if n <= 0 {
		t.Skip("set VIGIL_PROF_GED=N to profile an N-row import")
	}
	if _, err := os.Stat(gedSample); err != nil {
		t.Skipf("UCDP GED sample not found: %v", err)
	}
	file := filepath.Join(t.TempDir(), "ged.csv")
	writeGEDCopies(t, gedSample, file, n, 10_000_000)
	d := dbtest.SQLite(t)
	ctx := context.Background()
	var inst string
	d.Write(ctx, db.System, func(tx *db.Tx) error {
		i, err := access.CreateInstitution(ctx, tx, "Prof Office", "XVG")
		inst = i.ID
		return err
	})
	out := os.Getenv("VIGIL_PROF_OUT")
	if out == "" {
		out = "/tmp/ged.prof"
	}
	pf, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	pprof.StartCPUProfile(pf)
	start := time.Now()
	res := runImport(t, d, inst, "ucdp-ged", file)
	pprof.StopCPUProfile()
	t.Logf("%d rows in %v: %+v", n, time.Since(start), res)
}

// writeGEDCopies repeats the sample's rows with ids from first upwards
// until n rows are written.
func writeGEDCopies(t testing.TB, sample, out string, n, first int) {
	f, err := os.Open(sample)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	var recs [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	o, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	bw := bufio.NewWriterSize(o, 1<<20)
	w := csv.NewWriter(bw)
	w.Write(header)
	for i := 0; i < n; i++ {
		rec := append([]string(nil), recs[i%len(recs)]...)
		rec[0] = fmt.Sprint(first + i)
		w.Write(rec)
	}
	w.Flush()
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
}
