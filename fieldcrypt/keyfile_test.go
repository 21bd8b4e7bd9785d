package fieldcrypt

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func b64(k Key) string { return base64.StdEncoding.EncodeToString(k.Secret) }

func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
}

func TestParse(t *testing.T) {
	k1, k2 := key("k1", 1), key("k2", 2)
	for name, text := range map[string]string{
		"file":      "# comment\n\nk1 " + b64(k1) + "  # the old one\n" + "k2\t" + b64(k2) + "\n",
		"env":       "k1 " + b64(k1) + ";k2 " + b64(k2),
		"unpadded":  "k1 " + base64.RawStdEncoding.EncodeToString(k1.Secret) + "\nk2 " + base64.RawURLEncoding.EncodeToString(k2.Secret),
		"crlf file": "k1 " + b64(k1) + "\r\nk2 " + b64(k2) + "\r\n",
	} {
		kr, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if kr.Active() != "k2" || strings.Join(kr.IDs(), ",") != "k1,k2" {
			t.Fatalf("%s: ids %v active %s", name, kr.IDs(), kr.Active())
		}
	}
}

func TestParseErrorsHideKeys(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 20))
	for name, text := range map[string]string{
		"empty":       "# nothing\n",
		"one field":   "k1\n",
		"three":       "k1 " + b64(key("k1", 1)) + " extra",
		"not base64":  "k1 %%%%",
		"wrong size":  "k1 " + short,
		"dup id":      "k1 " + b64(key("k1", 1)) + "\nk1 " + b64(key("k1", 2)),
		"bad id char": "k/1 " + b64(key("k1", 1)),
	} {
		_, err := Parse(text)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), short) || strings.Contains(err.Error(), b64(key("k1", 2))) {
			t.Errorf("%s: error shows key material: %v", name, err)
		}
	}
}

func TestLoadRefusesSharedFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no mode bits")
	}
	t.Setenv(EnvKeys, "")
	path := filepath.Join(t.TempDir(), "field.keys")
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o602} {
		writeFile(t, path, "k1 "+b64(key("k1", 1))+"\n", mode)
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("mode %o: err = %v, want a refusal saying chmod 600", mode, err)
		}
	}
	writeFile(t, path, "k1 "+b64(key("k1", 1))+"\n", 0o600)
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "k1 "+b64(key("k1", 1))+"\n", 0o400)
	if _, err := Load(path); err != nil {
		t.Fatalf("read-only for owner: %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	t.Setenv(EnvKeys, "")
	_, err := Load(filepath.Join(t.TempDir(), "none.keys"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "vigil keys add") {
		t.Fatalf("err = %v", err)
	}
}

func TestEnvWins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "field.keys")
	writeFile(t, path, "file "+b64(key("file", 1))+"\n", 0o600)
	t.Setenv(EnvKeys, "env1 "+b64(key("env1", 2))+";env2 "+b64(key("env2", 3)))
	kr, err := Load(path)
	if err != nil || kr.Active() != "env2" {
		t.Fatalf("Load with %s set: %v, %v", EnvKeys, kr, err)
	}
	kr, err = LoadOrCreate(filepath.Join(t.TempDir(), "never.keys"))
	if err != nil || kr.Active() != "env2" {
		t.Fatalf("LoadOrCreate with %s set: %v, %v", EnvKeys, kr, err)
	}
	t.Setenv(EnvKeys, "env1 not-a-key")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), EnvKeys) {
		t.Fatalf("bad env: err = %v", err)
	}
}

func TestLoadOrCreateAndGenerate(t *testing.T) {
	t.Setenv(EnvKeys, "")
	path := filepath.Join(t.TempDir(), "sub", "field.keys")
	kr1, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("created with mode %o", fi.Mode().Perm())
	}
	kr1b, err := LoadOrCreate(path)
	if err != nil || kr1b.Active() != kr1.Active() {
		t.Fatalf("second LoadOrCreate made a new key: %v %v", kr1b, err)
	}
	ct, _ := kr1.Encrypt("i", "t", "r", "f", "Grace Achieng")

	id, err := Generate(path)
	if err != nil {
		t.Fatal(err)
	}
	kr2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if kr2.Active() != id || len(kr2.IDs()) != 2 || kr2.IDs()[0] != kr1.Active() {
		t.Fatalf("after Generate: ids %v active %s, new %s", kr2.IDs(), kr2.Active(), id)
	}
	if got, err := kr2.Decrypt("i", "t", "r", "f", ct); err != nil || got != "Grace Achieng" {
		t.Fatalf("old value after Generate: %q %v", got, err)
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("rewritten with mode %o", fi.Mode().Perm())
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Fatalf("temporary files left behind: %v", ents)
	}
}

func TestGenerateRefusesBrokenOrSharedFile(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.keys")
	writeFile(t, broken, "k1 nonsense\n", 0o600)
	if _, err := Generate(broken); err == nil {
		t.Fatal("appended to a file that does not load")
	}
	if runtime.GOOS != "windows" {
		shared := filepath.Join(dir, "shared.keys")
		writeFile(t, shared, "k1 "+b64(key("k1", 1))+"\n", 0o644)
		if _, err := Generate(shared); err == nil {
			t.Fatal("appended to a world-readable file")
		}
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv(EnvKeyFile, "")
	if got := DefaultPath("data"); got != filepath.Join("data", "field.keys") {
		t.Fatalf("DefaultPath = %s", got)
	}
	t.Setenv(EnvKeyFile, "/run/secrets/vigil.keys")
	if got := DefaultPath("data"); got != "/run/secrets/vigil.keys" {
		t.Fatalf("DefaultPath with %s = %s", EnvKeyFile, got)
	}
}

func TestGenerateKeepsOwnerAndMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix owner or mode")
	}
	t.Setenv(EnvKeys, "")
	path := filepath.Join(t.TempDir(), "field.keys")
	writeFile(t, path, "k1 "+b64(key("k1", 1))+"\n", 0o400)
	chowned := os.Geteuid() == 0
	if chowned {
		if err := os.Chown(path, 65534, 65534); err != nil { // as the server's own user would own it
			t.Fatal(err)
		}
	}
	if _, err := Generate(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o400 {
		t.Errorf("mode %o after Generate, want 0400", fi.Mode().Perm())
	}
	if chowned {
		if uid, gid := ownerOf(fi); uid != 65534 || gid != 65534 {
			t.Errorf("owner %d:%d after Generate, want 65534:65534", uid, gid)
		}
	}
}
