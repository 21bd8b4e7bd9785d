package bench

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestGEDImportVersusSQLiteShell is the side-by-side measurement of issue
// 5's target: a GED-layout file of VIGIL_BENCH_GED_ROWS rows (default
// 1,000,000), made by repeating the real 1,000-row UCDP sample with new ids,
// imported by `vigil import ucdp-ged` into a fresh embedded store and loaded
// by `sqlite3 DB -cmd '.mode csv' '.import FILE t'` into another, each
// under /usr/bin/time -v for its peak memory. It only runs when
// VIGIL_BENCH_GED=1, needs the shared data and sqlite3, prints the figures
// and asserts no timing: docs/incident.md records them.
func TestGEDImportVersusSQLiteShell(t *testing.T) {
	if os.Getenv("VIGIL_BENCH_GED") != "1" {
		t.Skip("set VIGIL_BENCH_GED=1 to run the 1,000,000-row import comparison (several minutes, about 1 GB of disk)")
	}
	sample := "../../shared/data/events/ucdp_ged_sample_v23_1.csv"
	if _, err := os.Stat(sample); err != nil {
		t.Skipf("UCDP GED sample not found at %s: %v", sample, err)
	}
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 shell not installed (apt-get install -y sqlite3)")
	}
	rows := 1_000_000
	if s := os.Getenv("VIGIL_BENCH_GED_ROWS"); s != "" {
		rows, _ = strconv.Atoi(s)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "ged.csv")
	makeGED(t, sample, file, rows)
	fi, _ := os.Stat(file)

	// VIGIL_BIN names a binary built elsewhere (e.g. from a clean checkout
	// while the working tree is mid-edit).
	bin := os.Getenv("VIGIL_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "vigil")
		if out, err := exec.Command("go", "build", "-o", bin, "vigil/cmd/vigil").CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
	data := filepath.Join(dir, "data")
	type usage struct{ user, sys float64 }
	var lastUse usage
	run := func(name string, args ...string) (time.Duration, int, string) {
		cmd := exec.Command("/usr/bin/time", append([]string{"-v", name}, args...)...)
		var stderr, stdout bytes.Buffer
		cmd.Stderr, cmd.Stdout = &stderr, &stdout
		start := time.Now()
		err := cmd.Run()
		el := time.Since(start)
		if err != nil {
			t.Fatalf("%s %v: %v\n%s\n%s", name, args, err, stdout.String(), stderr.String())
		}
		m := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`).FindStringSubmatch(stderr.String())
		kb := 0
		if m != nil {
			kb, _ = strconv.Atoi(m[1])
		}
		lastUse = usage{}
		if m := regexp.MustCompile(`User time \(seconds\): ([0-9.]+)`).FindStringSubmatch(stderr.String()); m != nil {
			lastUse.user, _ = strconv.ParseFloat(m[1], 64)
		}
		if m := regexp.MustCompile(`System time \(seconds\): ([0-9.]+)`).FindStringSubmatch(stderr.String()); m != nil {
			lastUse.sys, _ = strconv.ParseFloat(m[1], 64)
		}
		return el, kb, stdout.String()
	}
	loadavg := func() string {
		b, _ := os.ReadFile("/proc/loadavg")
		return string(bytes.TrimSpace(b))
	}
	// Store and institution first, outside the timing.
	run(bin, "institution", "add", "--data", data, "--name", "Bench Office", "--country", "XVG")

	load0 := loadavg()
	shellTime, shellKB, _ := run(sqlite3, filepath.Join(dir, "shell.db"), "-cmd", ".mode csv", ".import "+file+" t")
	shellUse := lastUse
	load1 := loadavg()
	vigilTime, vigilKB, out := run(bin, "import", "ucdp-ged", "--data", data, "--json", file)
	vigilUse := lastUse
	load2 := loadavg()
	againTime, _, again := run(bin, "import", "ucdp-ged", "--data", data, "--json", file)
	t.Logf("file: %d rows, %.0f MB", rows, float64(fi.Size())/1e6)
	t.Logf("load average before, between, after: %s | %s | %s", load0, load1, load2)
	t.Logf("sqlite3 .import: %v, CPU %.1f s user + %.1f s system, peak RSS %d MB", shellTime.Round(time.Millisecond), shellUse.user, shellUse.sys, shellKB/1024)
	t.Logf("vigil import ucdp-ged: %v, CPU %.1f s user + %.1f s system, peak RSS %d MB: %s", vigilTime.Round(time.Millisecond),
		vigilUse.user, vigilUse.sys, vigilKB/1024, firstLine(out))
	t.Logf("ratio vigil/sqlite3: %.2f (wall clock), %.2f (CPU time)", vigilTime.Seconds()/shellTime.Seconds(),
		(vigilUse.user+vigilUse.sys)/(shellUse.user+shellUse.sys))
	t.Logf("re-import (nothing to change): %v: %s", againTime.Round(time.Millisecond), firstLine(again))
}

func firstLine(s string) string {
	if i := bytes.IndexByte([]byte(s), '\n'); i > 0 && i < 200 {
		return s[:i]
	}
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

// makeGED repeats the sample's rows with fresh ids until n rows are written.
func makeGED(t *testing.T, sample, out string, n int) {
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
	bw := bufio.NewWriterSize(o, 1<<20)
	w := csv.NewWriter(bw)
	w.Write(header)
	for i := 0; i < n; i++ {
		rec := append([]string(nil), recs[i%len(recs)]...)
		rec[0] = fmt.Sprint(10_000_000 + i)
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	o.Close()
}
