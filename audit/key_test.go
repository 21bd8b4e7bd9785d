package audit

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "audit_ed25519.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k2) {
		t.Fatal("second load returned a different key")
	}
	if id := KeyID(pubOf(k1)); len(id) != 16 {
		t.Fatalf("KeyID %q", id)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}

	pub, err := LoadPublicKey(path)
	if err != nil || !pub.Equal(pubOf(k1)) {
		t.Fatalf("LoadPublicKey(private key file): %v", err)
	}
	der, err := x509.MarshalPKIXPublicKey(pubOf(k1))
	if err != nil {
		t.Fatal(err)
	}
	pubPath := filepath.Join(t.TempDir(), "audit.pub")
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if pub, err := LoadPublicKey(pubPath); err != nil || !pub.Equal(pubOf(k1)) {
		t.Fatalf("LoadPublicKey(public key file): %v", err)
	}
	if _, err := LoadOrCreateKey(pubPath); err == nil {
		t.Fatal("a public key file was accepted as a signing key")
	}

	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreateKey(path); err == nil {
			t.Fatal("world-readable key accepted")
		}
	}
}
