package web

import (
	"bytes"
	"strings"
	"testing"
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
