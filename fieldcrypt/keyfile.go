package fieldcrypt

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

const (
	// EnvKeys holds the key lines themselves ("ID KEY;ID KEY"); when set it
	// wins over any file, so a deployment that keeps keys off the disk never
	// falls back to a stale file by accident.
	EnvKeys = "VIGIL_KEYS"
	// EnvKeyFile names the key file when no --keys flag is given.
	EnvKeyFile = "VIGIL_KEY_FILE"
)

const fileHeader = `# Vigil field-encryption keys: one "KEYID BASE64KEY" per line; the last
# line is the active key, the others still decrypt older values.
# Losing this file loses every encrypted value in the database. Keep a copy in
# a safe place, but not beside the database or in the same backups: a backup
# that carries its own key protects nobody. Mode must stay 0600.
`

// DefaultPath is the key file used when none is named: $VIGIL_KEY_FILE, or
// field.keys in the data directory.
func DefaultPath(dataDir string) string {
	if p := os.Getenv(EnvKeyFile); p != "" {
		return p
	}
	return filepath.Join(dataDir, "field.keys")
}

// FromEnv reports whether keys come from $VIGIL_KEYS rather than a file.
func FromEnv() bool { return os.Getenv(EnvKeys) != "" }

// Parse reads key lines ("KEYID BASE64KEY", separated by newlines or ";",
// '#' starting a comment); the last key is the active one.
func Parse(text string) (*Keyring, error) {
	keys, err := parseKeys(text)
	if err != nil {
		return nil, err
	}
	return NewKeyring(keys...)
}

// Load returns the ring from $VIGIL_KEYS when that is set, and otherwise from
// the key file at path, which must exist and be private to its owner.
func Load(path string) (*Keyring, error) {
	if env := os.Getenv(EnvKeys); env != "" {
		kr, err := Parse(env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvKeys, err)
		}
		return kr, nil
	}
	if path == "" {
		return nil, fmt.Errorf("fieldcrypt: no key file named and %s not set", EnvKeys)
	}
	text, _, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	kr, err := Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return kr, nil
}

// LoadOrCreate is Load, except that a missing key file is first created with
// one random key. The demo and a first run use it; see the package doc on
// where production should keep its keys.
func LoadOrCreate(path string) (*Keyring, error) {
	if !FromEnv() && path != "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if _, err := create(path); err != nil && !errors.Is(err, fs.ErrExist) {
				return nil, err
			}
			// ErrExist: another process created it first; load theirs.
		}
	}
	return Load(path)
}

// Generate appends a new random key to the key file at path, creating the
// file if needed, and returns the new key's id. The new key becomes the
// active one; the earlier keys stay so existing values still decrypt.
//
// The file is rewritten through a temporary file and rename, so a crash
// leaves either the old or the new file, never a half-written key. Two
// Generate calls racing on one file may lose one key; run it from one place.
func Generate(path string) (string, error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real // rewrite the target, not the link (secret mounts use links)
	}
	old, fi, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		id, err := create(path)
		if errors.Is(err, fs.ErrExist) {
			return Generate(path) // lost a race with a first run
		}
		return id, err
	}
	if err != nil {
		return "", err
	}
	keys, err := parseKeys(string(old))
	if err != nil {
		return "", fmt.Errorf("key file %s: %w; not adding a key to a file that does not load", path, err)
	}
	taken := map[string]bool{}
	for _, k := range keys {
		taken[k.ID] = true
	}
	id := newKeyID(taken)
	text := string(old)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	text += keyLine(id, newSecret())
	return id, replaceFile(path, []byte(text), fi)
}

// create writes a new key file with one key; it fails with fs.ErrExist when
// the file is already there.
func create(path string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("key file directory: %w", err)
	}
	id := newKeyID(nil)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(fileHeader + keyLine(id, newSecret()))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("write key file %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return id, nil
}

func replaceFile(path string, data []byte, orig fs.FileInfo) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".field.keys-*") // CreateTemp uses mode 0600
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = keepOwner(tmp.Name(), orig)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("key file %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename or create durable; failure only weakens that, so
// it is ignored (and directories cannot be synced on every platform).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// readKeyFile reads the file after checking, on the open descriptor, that
// nobody but its owner can read or change it.
func readKeyFile(path string) ([]byte, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, missingFile(path)
		}
		return nil, nil, fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	if err := checkPrivate(path, fi.Mode()); err != nil {
		return nil, nil, err
	}
	b, err := io.ReadAll(f)
	return b, fi, err
}

// missingFile says how to get a key file; errors.Is(err, fs.ErrNotExist)
// still holds for callers that create one.
type missingFile string

func (m missingFile) Error() string {
	return fmt.Sprintf("key file %s does not exist (create it with 'vigil keys add', or set %s)", string(m), EnvKeys)
}

func (missingFile) Unwrap() error { return fs.ErrNotExist }

// checkPrivate refuses a key file that group or others may read or write:
// readable leaks every name in the database, writable lets someone slip in
// an active key they know. Windows has no such mode bits to check.
func checkPrivate(path string, mode fs.FileMode) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := mode.Perm(); perm&0o077 != 0 {
		return fmt.Errorf("key file %s has mode %04o: other users of this host could read or change the field keys; refusing to use it until you run: chmod 600 %s", path, perm, path)
	}
	return nil
}

func parseKeys(text string) ([]Key, error) {
	// Comments go first, line by line, so a ';' inside one is not read as
	// an entry separator.
	var entries []string
	for _, line := range strings.Split(text, "\n") {
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		entries = append(entries, strings.Split(line, ";")...)
	}
	var keys []Key
	n := 0
	for _, e := range entries {
		f := strings.Fields(e)
		if len(f) == 0 {
			continue
		}
		n++
		if len(f) != 2 {
			return nil, fmt.Errorf("key entry %d: want \"KEYID BASE64KEY\"", n)
		}
		secret, err := decodeKey(f[1])
		if err != nil {
			// No id in the message: in a line written the wrong way round
			// the "id" would be the key.
			return nil, fmt.Errorf("key entry %d: %w", n, err)
		}
		keys = append(keys, Key{ID: f[0], Secret: secret})
	}
	if len(keys) == 0 {
		return nil, errors.New("no keys")
	}
	return keys, nil
}

// decodeKey accepts either base64 alphabet, padded or not, so a key pasted
// from another tool's output loads as it is.
func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("key is %d bytes, want %d", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, errors.New("key is not base64")
}

func keyLine(id string, secret []byte) string {
	return id + " " + base64.StdEncoding.EncodeToString(secret) + "\n"
}

func newSecret() []byte {
	b := make([]byte, KeySize)
	rand.Read(b)
	return b
}

// newKeyID makes ids like k20260514-3fa9c1: the date tells an operator which
// key is older at a glance, the random part keeps two keys of one day apart.
func newKeyID(taken map[string]bool) string {
	for {
		var r [3]byte
		rand.Read(r[:])
		id := "k" + time.Now().UTC().Format("20060102") + "-" + hex.EncodeToString(r[:])
		if !taken[id] {
			return id
		}
	}
}
