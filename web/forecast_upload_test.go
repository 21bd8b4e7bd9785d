package web

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db/dbtest"
)

// TestForecastUploadBound checks that an uploaded forecast file over the
// bound is refused instead of read whole into memory.
func TestForecastUploadBound(t *testing.T) {
	if b, err := readUpload(strings.NewReader("year,ewp_name\n")); err != nil || string(b) != "year,ewp_name\n" {
		t.Fatalf("small file: %q, %v", b, err)
	}
	if _, err := readUpload(bytes.NewReader(make([]byte, maxForecastUpload+1))); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("file over the bound: %v", err)
	}
	if b, err := readUpload(bytes.NewReader(make([]byte, maxForecastUpload))); err != nil || len(b) != maxForecastUpload {
		t.Fatalf("file at the bound: %d bytes, %v", len(b), err)
	}
}

// TestForecastOneRunPerServer: while another institution's run is in
// progress, a second run is refused with a reason rather than started.
func TestForecastOneRunPerServer(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	tok, csrf := f.session(f.users[0][access.Analyst])
	other := f.inst[1].ID
	forecastJobs.Lock()
	saved := forecastJobs.m[other]
	forecastJobs.m[other] = []*forecastJob{{ID: "x", State: "running"}}
	forecastJobs.Unlock()
	defer func() {
		forecastJobs.Lock()
		forecastJobs.m[other] = saved
		forecastJobs.Unlock()
	}()
	resp := postRun(t, f, tok, csrf, syntheticEWP(), map[string]string{"model": "ewp", "years": "2", "last_train_year": "1996"})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Another forecast run is in progress") {
		t.Fatalf("second run while one is in progress: status %d", resp.StatusCode)
	}
}
