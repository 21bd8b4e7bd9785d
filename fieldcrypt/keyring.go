package fieldcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// KeySize is the length of a field key: AES-256.
const KeySize = 32

const (
	prefix    = "vf1:"
	nonceSize = 12
	tagSize   = 16
	// adLabel separates this use of a key from any other, should the same
	// key material ever be used for something else.
	adLabel = "vigil/fieldcrypt/v1"
)

var (
	// ErrNotEncrypted is returned by Decrypt for a non-empty value that is
	// not in the vf1 format (a plaintext left from before encryption;
	// Rotate encrypts those).
	ErrNotEncrypted = errors.New("fieldcrypt: value is not encrypted")
	// ErrUnknownKey is returned when a value was encrypted under a key id
	// the ring does not hold.
	ErrUnknownKey = errors.New("fieldcrypt: unknown key id")
	// ErrAuth is returned when a value does not authenticate: tampered, or
	// copied from another record, field or institution, or a different key
	// under the same id.
	ErrAuth = errors.New("fieldcrypt: value does not authenticate (tampered, or moved from another record, field or institution)")
)

// errNoRing guards against a server wired without keys: fail the request
// rather than panic or, worse, store plaintext.
var errNoRing = errors.New("fieldcrypt: no key ring configured")

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Keyring holds the field keys by id; one of them, the active key, seals new
// values. It is safe for concurrent use and never reveals key material, not
// even through fmt.
type Keyring struct {
	ids    []string // in file order; the last is active
	aeads  map[string]cipher.AEAD
	active string
}

// Key is one entry of a key file.
type Key struct {
	ID     string
	Secret []byte // KeySize bytes
}

// NewKeyring builds a ring from keys; the last is the active key.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("fieldcrypt: no keys")
	}
	kr := &Keyring{aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		if !keyIDPattern.MatchString(k.ID) {
			return nil, fmt.Errorf("fieldcrypt: key id %q: use 1-64 letters, digits, '.', '_' or '-'", k.ID)
		}
		if len(k.Secret) != KeySize {
			return nil, fmt.Errorf("fieldcrypt: key %s is %d bytes, want %d", k.ID, len(k.Secret), KeySize)
		}
		if _, dup := kr.aeads[k.ID]; dup {
			return nil, fmt.Errorf("fieldcrypt: key id %s appears twice", k.ID)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		kr.aeads[k.ID] = aead
		kr.ids = append(kr.ids, k.ID)
	}
	kr.active = kr.ids[len(kr.ids)-1]
	return kr, nil
}

// Ephemeral returns a ring with one fresh random key that exists only in
// memory. It is for tests: whatever it encrypts is lost with the process.
func Ephemeral() *Keyring {
	kr, err := NewKeyring(Key{ID: newKeyID(nil), Secret: newSecret()})
	if err != nil {
		panic(err) // cannot happen: the id and size are ours
	}
	return kr
}

// Active is the id of the key that seals new values.
func (kr *Keyring) Active() string { return kr.active }

// IDs lists the key ids, oldest first; the last is the active key.
func (kr *Keyring) IDs() []string { return append([]string(nil), kr.ids...) }

// String describes the ring without its keys.
func (kr *Keyring) String() string {
	return fmt.Sprintf("fieldcrypt.Keyring{active: %s, keys: %d}", kr.active, len(kr.ids))
}

// GoString keeps %#v from printing the ring's internals.
func (kr *Keyring) GoString() string { return kr.String() }

// Encrypt seals plaintext for one field of one record. The empty string
// stays empty (see the package doc).
func (kr *Keyring) Encrypt(inst, table, id, field, plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	if kr == nil {
		return "", errNoRing
	}
	aead := kr.aeads[kr.active]
	buf := make([]byte, nonceSize, nonceSize+len(plaintext)+tagSize)
	rand.Read(buf) // never fails since Go 1.24
	sealed := aead.Seal(buf, buf, []byte(plaintext), associatedData(kr.active, inst, table, id, field))
	var b strings.Builder
	b.Grow(len(prefix) + len(kr.active) + 1 + base64.RawURLEncoding.EncodedLen(len(sealed)))
	b.WriteString(prefix)
	b.WriteString(kr.active)
	b.WriteByte(':')
	b.WriteString(base64.RawURLEncoding.EncodeToString(sealed))
	return b.String(), nil
}

// Decrypt opens a value sealed by Encrypt for the same institution, table,
// record id and field, under any key in the ring. The empty string decrypts
// to the empty string.
func (kr *Keyring) Decrypt(inst, table, id, field, ct string) (string, error) {
	if ct == "" {
		return "", nil
	}
	if kr == nil {
		return "", errNoRing
	}
	keyID, body, ok := split(ct)
	if !ok {
		return "", ErrNotEncrypted
	}
	aead := kr.aeads[keyID]
	if aead == nil {
		return "", fmt.Errorf("%w %q in %s.%s of record %s: add the key back to the key file (was it removed before 'vigil keys rotate' finished?)",
			ErrUnknownKey, keyID, table, field, id)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < nonceSize+tagSize {
		return "", fmt.Errorf("%w: %s.%s of record %s is malformed", ErrAuth, table, field, id)
	}
	pt, err := aead.Open(nil, raw[:nonceSize], raw[nonceSize:], associatedData(keyID, inst, table, id, field))
	if err != nil {
		return "", fmt.Errorf("%w: %s.%s of record %s", ErrAuth, table, field, id)
	}
	return string(pt), nil
}

// KeyID reports the key id a stored value was encrypted under, and false
// for the empty string and for values not in the vf1 format.
func KeyID(ct string) (string, bool) {
	id, _, ok := split(ct)
	return id, ok
}

// IsEncrypted reports whether s is in the vf1 format (it says nothing about
// whether it decrypts).
func IsEncrypted(s string) bool {
	_, ok := KeyID(s)
	return ok
}

func split(ct string) (keyID, body string, ok bool) {
	rest, ok := strings.CutPrefix(ct, prefix)
	if !ok {
		return "", "", false
	}
	keyID, body, ok = strings.Cut(rest, ":")
	if !ok || keyID == "" {
		return "", "", false
	}
	return keyID, body, true
}

// associatedData encodes the value's place as length-prefixed parts, so that
// ("a:b", "c") and ("a", "b:c") can never collide. The key id is bound too, so
// a relabelled value fails cleanly rather than by luck.
func associatedData(keyID, inst, table, id, field string) []byte {
	parts := [...]string{adLabel, keyID, inst, table, id, field}
	n := 0
	for _, p := range parts {
		n += 4 + len(p)
	}
	ad := make([]byte, 0, n)
	for _, p := range parts {
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(p)))
		ad = append(ad, p...)
	}
	return ad
}
