package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Signing keys are PEM files: the private key as PKCS #8 ("PRIVATE KEY"),
// the format OpenSSL uses, so an outside auditor can be handed only the
// public half with
//
//	openssl pkey -in audit_ed25519.key -pubout > audit_ed25519.pub
//
// and LoadPublicKey reads either file.

// KeyID names a public key in checkpoints: the first 16 hex digits of the
// SHA-256 of the raw 32-byte key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])[:16]
}

// LoadOrCreateKey reads the ed25519 private key at path, creating it (mode
// 0600, directory 0700) if there is none. It refuses a key file that group
// or others can read, since whoever holds the key can forge checkpoints.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	key, err := loadPrivateKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit key directory: %w", err)
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	// Write a temporary file and hard-link it into place: the key appears
	// whole or not at all, and if another process won the race the link
	// fails and we use its key — two keys would split the checkpoints.
	tmp, err := os.CreateTemp(dir, ".audit-key-*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadPrivateKey(path)
		}
		return nil, fmt.Errorf("audit key: %w", err)
	}
	return key, nil
}

func loadPrivateKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit key %s is readable by other users (mode %04o); chmod 600 it", path, fi.Mode().Perm())
	}
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("audit key %s: want a PRIVATE KEY, found %s", path, block.Type)
	}
	return parsePrivate(path, block.Bytes)
}

// LoadPublicKey reads the public key for Verify from a private key file or
// from a PEM "PUBLIC KEY" file (PKIX, as openssl pkey -pubout writes it).
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "PRIVATE KEY":
		key, err := parsePrivate(path, block.Bytes)
		if err != nil {
			return nil, err
		}
		return key.Public().(ed25519.PublicKey), nil
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if pub, ok := k.(ed25519.PublicKey); err == nil && ok {
			return pub, nil
		}
		return nil, fmt.Errorf("audit key %s: not an ed25519 public key", path)
	}
	return nil, fmt.Errorf("audit key %s: unexpected PEM block %s", path, block.Type)
}

func readPEM(path string) (*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("audit key %s: no PEM block", path)
	}
	return block, nil
}

func parsePrivate(path string, der []byte) (ed25519.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if key, ok := k.(ed25519.PrivateKey); err == nil && ok {
		return key, nil
	}
	return nil, fmt.Errorf("audit key %s: not an ed25519 private key", path)
}
