package main

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"vigil/audit"
	"vigil/db"
)

func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"version"}, 0},
		{[]string{"serve", "--help"}, 0},
		{[]string{"nonsense"}, 2},
		{[]string{"serve", "--no-such-flag"}, 2},
		{[]string{"serve", "--log-format", "xml", "--data", dir}, 2},
		{[]string{"migrate", "--db", "mysql://x"}, 1},
		{[]string{"migrate", "--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, 1},
		{[]string{"migrate", "--data", dir}, 0},
		{[]string{"user", "frob", "--data", dir}, 2},
		{[]string{"import", "no-such-kind", "x"}, 2},
	} {
		if got := run(context.Background(), c.args); got != c.want {
			t.Errorf("vigil %s: exit %d, want %d", strings.Join(c.args, " "), got, c.want)
		}
	}
}

// TestServeShutsDownCleanly builds the binary, starts it on a fresh data
// directory, waits for it to be ready, sends SIGTERM and checks that it
// exits 0 with the SQLite write-ahead log folded back into the database.
func TestServeShutsDownCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "vigil")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	data := t.TempDir()
	cmd := exec.Command(bin, "serve", "--demo", "--data", data, "--addr", addr, "--log-format", "json")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("server not ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("home: %v", err)
	}
	resp.Body.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	var all []string
	for l := range lines {
		all = append(all, l)
	}
	log := strings.Join(all, "\n")
	for _, want := range []string{`"msg":"ready"`, `"msg":"request"`, `"request_id"`, `"msg":"stopped"`, "vigil-demo-password"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
	if fi, err := os.Stat(filepath.Join(data, "vigil.db-wal")); err == nil && fi.Size() > 0 {
		t.Errorf("WAL not checkpointed at shutdown: %d bytes", fi.Size())
	}
	// The demo and the requests wrote audit entries; shutdown signs the
	// newest entry of every chain, so none is left outside a checkpoint.
	d, err := db.Open(t.Context(), "sqlite:"+filepath.Join(data, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var heads []audit.Head
	if err := d.Read(t.Context(), db.System, func(tx *db.Tx) error {
		heads, err = audit.Unsigned(t.Context(), tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(heads) != 0 {
		t.Errorf("chains left unsigned after shutdown: %+v", heads)
	}
}
