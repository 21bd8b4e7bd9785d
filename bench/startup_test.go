package bench

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// buildVigil compiles the binary once for the benchmarks in this package.
func buildVigil(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "vigil")
	cmd := exec.Command("go", "build", "-o", bin, "vigil/cmd/vigil")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("build: %v", err)
	}
	return bin
}

func freePort(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// BenchmarkServeStartup measures the time from starting `vigil serve` on a
// fresh SQLite data directory (no demo) to the first 200 from /readyz: the
// process start, migrations, key creation and the listener.
func BenchmarkServeStartup(b *testing.B) {
	bin := buildVigil(b)
	client := &http.Client{Timeout: 200 * time.Millisecond}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		addr := freePort(b)
		cmd := exec.Command(bin, "serve", "--data", dir, "--addr", addr)
		b.StartTimer()
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		url := fmt.Sprintf("http://%s/readyz", addr)
		for {
			resp, err := client.Get(url)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Since(start) > 10*time.Second {
				b.Fatal("server not ready after 10 s")
			}
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}
}
