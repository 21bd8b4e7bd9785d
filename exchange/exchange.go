// Package exchange moves records between Vigil instances as signed bundles.
// An institution exports the records it chooses to share at public or
// partners level, signed with its ed25519 exchange key; the receiving
// institution verifies the signature against the keys it has decided to
// trust, keeps what it received apart from its own records (with who sent
// it and when), and imports by the sender's stable record id, so that
// importing a bundle twice changes nothing.
//
// This package holds the bundle format, signing and verification, the
// export of engagement records and the store of trusted keys, received
// bundles and received records. Whatever a bundle carries has passed
// package sensitivity's rule for the chosen level, when it is made and
// again when it is received.
package exchange

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"vigil/sensitivity"
)

// Format names the bundle format; a receiver refuses any other.
const Format = "vigil-exchange/1"

// signingContext is prefixed to the signed bytes so that a signature made
// with the same key for another purpose can never pass as a bundle's.
const signingContext = "vigil exchange bundle v1\n"

// MaxLevel is the widest a bundle may ever be: partners.
const MaxLevel = sensitivity.Partners

// Record is one shared record. ID is the sender's stable record id.
type Record struct {
	ID          string          `json:"id"`
	Kind        string          `json:"kind"` // activity, partner...
	Title       string          `json:"title"`
	Date        string          `json:"date,omitempty"`
	Sensitivity string          `json:"sensitivity"`
	Body        json.RawMessage `json:"body"`
}

// Content is what is signed.
type Content struct {
	Format    string   `json:"format"`
	BundleID  string   `json:"bundle_id"`
	Sender    string   `json:"sender"`
	Country   string   `json:"country,omitempty"`
	CreatedAt string   `json:"created_at"`
	Level     string   `json:"level"`
	Records   []Record `json:"records"`
}

// Bundle is the file that travels: the signed content as exact bytes, the
// signer's public key and the signature.
type Bundle struct {
	Content   json.RawMessage `json:"content"`
	PublicKey string          `json:"public_key"`
	Signature string          `json:"signature"`
}

// Fingerprint names a public key: the first 128 bits of the SHA-256 of its
// 32 raw bytes in hex,
// in groups of four for reading aloud over the telephone.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	h := hex.EncodeToString(sum[:16])
	var parts []string
	for i := 0; i < len(h); i += 4 {
		parts = append(parts, h[i:i+4])
	}
	return strings.Join(parts, ":")
}

// EncodePublicKey and DecodePublicKey give a key as text (base64).
func EncodePublicKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

func DecodePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not an ed25519 public key: want the 44-character base64 text that 'vigil exchange key' prints")
	}
	return ed25519.PublicKey(b), nil
}

// checkLevels enforces the one rule of what may travel: the bundle's level
// is public or partners, and every record is at or below it.
func checkLevels(c Content) (sensitivity.Level, error) {
	level, err := sensitivity.Parse(c.Level)
	if err != nil {
		return 0, fmt.Errorf("bundle level: %w", err)
	}
	if !sensitivity.Allows(MaxLevel, level) {
		return 0, fmt.Errorf("a bundle may hold public or partners records, not %s", level)
	}
	seen := map[string]bool{}
	for _, r := range c.Records {
		l, err := sensitivity.Parse(r.Sensitivity)
		if err != nil {
			return 0, fmt.Errorf("record %s: %w", r.ID, err)
		}
		if !sensitivity.Allows(level, l) {
			return 0, fmt.Errorf("record %s is %s, above the bundle's level %s: refused", r.ID, l, level)
		}
		if r.ID == "" || len(r.ID) > 100 || r.Kind == "" || len(r.Title) > 1000 {
			return 0, fmt.Errorf("record %q: id, kind and title are required (id at most 100, title at most 1000 characters)", r.ID)
		}
		if seen[r.ID] {
			return 0, fmt.Errorf("record %s appears twice", r.ID)
		}
		seen[r.ID] = true
		if len(r.Body) == 0 || !json.Valid(r.Body) {
			return 0, fmt.Errorf("record %s: body is not JSON", r.ID)
		}
	}
	return level, nil
}

// Sign makes a bundle of c with key. It refuses content that holds
// anything above the bundle's level, or a level above partners.
func Sign(c Content, key ed25519.PrivateKey) ([]byte, error) {
	c.Format = Format
	if _, err := checkLevels(c); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(key, append([]byte(signingContext), raw...))
	b := Bundle{Content: raw, PublicKey: EncodePublicKey(key.Public().(ed25519.PublicKey)), Signature: base64.StdEncoding.EncodeToString(sig)}
	out, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// ErrTampered and ErrUntrusted are the two refusals people need to tell apart.
var (
	ErrTampered  = errors.New("the signature does not match the content: the bundle was changed after it was signed, or is damaged; ask the sender for a fresh copy")
	ErrUntrusted = errors.New("the bundle is signed by a key this institution does not trust")
)

// Verified is a bundle whose signature checked out and whose key is trusted.
type Verified struct {
	Content     Content
	Level       sensitivity.Level
	Fingerprint string
	TrustedAs   string // the name the receiver gave the key
}

// Verify checks a bundle's signature, that its key is trusted (trusted
// maps a fingerprint to the name given to it, or "" and false), and that
// nothing in it is above its level or above partners.
func Verify(data []byte, trusted func(fingerprint string) (string, bool)) (Verified, error) {
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return Verified{}, fmt.Errorf("not a Vigil exchange bundle: %v", err)
	}
	pub, err := DecodePublicKey(b.PublicKey)
	if err != nil {
		return Verified{}, fmt.Errorf("bundle key: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(b.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Verified{}, ErrTampered
	}
	// The signature covers the compact form of the content, so that a
	// bundle re-indented on the way (by an editor or a mail gateway) still
	// verifies; any change to a value does not.
	var content bytes.Buffer
	if err := json.Compact(&content, b.Content); err != nil {
		return Verified{}, ErrTampered
	}
	if !ed25519.Verify(pub, append([]byte(signingContext), content.Bytes()...), sig) {
		return Verified{}, ErrTampered
	}
	fp := Fingerprint(pub)
	name, ok := trusted(fp)
	if !ok {
		return Verified{}, fmt.Errorf("%w (fingerprint %s): confirm the fingerprint with the sender by another channel, then run 'vigil exchange trust'", ErrUntrusted, fp)
	}
	var c Content
	cd := json.NewDecoder(bytes.NewReader(content.Bytes()))
	cd.DisallowUnknownFields()
	if err := cd.Decode(&c); err != nil {
		return Verified{}, fmt.Errorf("bundle content: %v", err)
	}
	if c.Format != Format {
		return Verified{}, fmt.Errorf("bundle format %q: this Vigil reads %s", c.Format, Format)
	}
	level, err := checkLevels(c)
	if err != nil {
		return Verified{}, err
	}
	if c.BundleID == "" || c.Sender == "" {
		return Verified{}, errors.New("bundle content lacks its id or sender")
	}
	return Verified{Content: c, Level: level, Fingerprint: fp, TrustedAs: name}, nil
}
