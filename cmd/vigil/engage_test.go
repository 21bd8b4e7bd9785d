package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEngageCommands runs the activity report and an exchange between two
// data directories through the command table: exit statuses for bad input,
// the report's editions, and export, trust, import and re-import.
func TestEngageCommands(t *testing.T) {
	ctx := context.Background()
	a, b := t.TempDir(), t.TempDir()
	if got := run(ctx, []string{"demo", "--data", a}); got != 0 {
		t.Fatalf("demo: exit %d", got)
	}
	out := filepath.Join(a, "r.json")
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"report", "activities", "--data", a, "--from", "2026-01-01", "-o", out}, 2},
		{[]string{"report", "activities", "--data", a, "--from", "2026-01-01", "--to", "2026-31-12", "-o", out}, 2},
		{[]string{"report", "activities", "--data", a, "--from", "2026-01-01", "--to", "2026-12-31", "--format", "doc", "-o", out}, 2},
		{[]string{"report", "activities", "--data", a, "--from", "2026-01-01", "--to", "2026-12-31", "--edition", "confidential", "-o", out}, 2},
		{[]string{"exchange", "export", "--data", a, "--level", "internal", "-o", out}, 2},
		{[]string{"exchange", "frob"}, 2},
		{[]string{"exchange", "trust", "--data", b, "--name", "x", "--key", "not-a-key"}, 2},
		{[]string{"report", "activities", "--data", a, "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json", "-o", out}, 0},
	} {
		if got := run(ctx, c.args); got != c.want {
			t.Errorf("vigil %s: exit %d, want %d", strings.Join(c.args, " "), got, c.want)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Edition string `json:"edition"`
		Total   int    `json:"total"`
	}
	if err := json.Unmarshal(data, &rep); err != nil || rep.Edition != "partners" || rep.Total == 0 {
		t.Fatalf("report: %+v %v", rep, err)
	}
	if bytes.Contains(data, []byte("market protest arrests")) || bytes.Contains(data, []byte("pre-election period in Oravia")) {
		t.Error("the partners edition holds the demo's confidential or internal activities")
	}

	bundle := filepath.Join(a, "bundle.json")
	if got := run(ctx, []string{"exchange", "export", "--data", a, "--level", "partners", "-o", bundle}); got != 0 {
		t.Fatalf("export: exit %d", got)
	}
	if got := run(ctx, []string{"institution", "add", "--data", b, "--name", "Receiver", "--country", "XOS"}); got != 0 {
		t.Fatalf("institution add: exit %d", got)
	}
	if got := run(ctx, []string{"exchange", "import", "--data", b, bundle}); got != 1 {
		t.Errorf("import before trust: exit %d, want 1", got)
	}
	var raw struct {
		PublicKey string `json:"public_key"`
	}
	bd, _ := os.ReadFile(bundle)
	json.Unmarshal(bd, &raw)
	if got := run(ctx, []string{"exchange", "trust", "--data", b, "--name", "Demo commission", "--key", raw.PublicKey}); got != 0 {
		t.Fatalf("trust: exit %d", got)
	}
	for i := 0; i < 2; i++ {
		if got := run(ctx, []string{"exchange", "import", "--data", b, bundle}); got != 0 {
			t.Fatalf("import %d: exit %d", i, got)
		}
	}
	tampered := filepath.Join(a, "tampered.json")
	os.WriteFile(tampered, bytes.Replace(bd, []byte("Standing Committee"), []byte("Standing Cummittee"), 1), 0o600)
	if got := run(ctx, []string{"exchange", "import", "--data", b, tampered}); got != 1 {
		t.Errorf("tampered import: exit %d, want 1", got)
	}
}
