package fieldcrypt

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func mustRing(t testing.TB, keys ...Key) *Keyring {
	t.Helper()
	kr, err := NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func key(id string, fill byte) Key {
	b := make([]byte, KeySize)
	for i := range b {
		b[i] = fill + byte(i)
	}
	return Key{ID: id, Secret: b}
}

func TestRoundTrip(t *testing.T) {
	kr := mustRing(t, key("k1", 1))
	for _, pt := range []string{"a", "Amina Yusuf Abdullahi", "Ñandú Őrsi 李小龙 🕊", strings.Repeat("x", 10000), "vf1:k1:looks-like-a-ciphertext"} {
		ct, err := kr.Encrypt("inst-1", "people", "rec-1", "name", pt)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ct, "vf1:k1:") {
			t.Fatalf("ciphertext %q lacks the vf1:k1: prefix", ct)
		}
		if len(pt) >= 8 && strings.Contains(ct, pt) { // a short one can turn up in base64 by chance
			t.Fatalf("ciphertext contains the plaintext")
		}
		got, err := kr.Decrypt("inst-1", "people", "rec-1", "name", ct)
		if err != nil || got != pt {
			t.Fatalf("round trip of %d bytes: got %d bytes, %v", len(pt), len(got), err)
		}
		again, _ := kr.Encrypt("inst-1", "people", "rec-1", "name", pt)
		if again == ct {
			t.Fatal("two encryptions of one value are equal: nonce not random")
		}
	}
}

func TestEmptyStaysEmpty(t *testing.T) {
	kr := mustRing(t, key("k1", 1))
	ct, err := kr.Encrypt("i", "t", "r", "f", "")
	if err != nil || ct != "" {
		t.Fatalf("Encrypt(\"\") = %q, %v; want \"\"", ct, err)
	}
	pt, err := kr.Decrypt("i", "t", "r", "f", "")
	if err != nil || pt != "" {
		t.Fatalf("Decrypt(\"\") = %q, %v; want \"\"", pt, err)
	}
}

func TestWrongPlaceFails(t *testing.T) {
	kr := mustRing(t, key("k1", 1))
	const secret = "Witness: Samuel Okoro"
	ct, err := kr.Encrypt("inst-1", "people", "rec-1", "name", secret)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][4]string{
		"other record":      {"inst-1", "people", "rec-2", "name"},
		"other institution": {"inst-2", "people", "rec-1", "name"},
		"other field":       {"inst-1", "people", "rec-1", "alias"},
		"other table":       {"inst-1", "sources", "rec-1", "name"},
		// Length prefixes keep a shifted boundary from matching.
		"shifted boundary": {"inst-1", "people", "rec-1n", "ame"},
	}
	for name, c := range cases {
		_, err := kr.Decrypt(c[0], c[1], c[2], c[3], ct)
		if !errors.Is(err, ErrAuth) {
			t.Errorf("%s: err = %v, want ErrAuth", name, err)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error message contains the plaintext", name)
		}
	}
}

func TestTamperedFails(t *testing.T) {
	kr := mustRing(t, key("k1", 1), key("k2", 2))
	ct, _ := kr.Encrypt("i", "t", "r", "f", "Fatima Ndiaye")
	body := strings.TrimPrefix(ct, "vf1:k2:")
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return "vf1:k2:" + base64.RawURLEncoding.EncodeToString(b)
	}
	cases := map[string]string{
		"nonce bit":      flip(0),
		"ciphertext bit": flip(nonceSize + 1),
		"tag bit":        flip(len(raw) - 1),
		"truncated":      ct[:len(ct)-4],
		"too short":      "vf1:k2:AAAA",
		"not base64":     "vf1:k2:!!!!",
		"relabelled":     "vf1:k1:" + body, // other key in the ring
	}
	for name, c := range cases {
		if _, err := kr.Decrypt("i", "t", "r", "f", c); !errors.Is(err, ErrAuth) {
			t.Errorf("%s: err = %v, want ErrAuth", name, err)
		}
	}
}

func TestUnknownKeyID(t *testing.T) {
	old := mustRing(t, key("k-old", 1))
	ct, _ := old.Encrypt("i", "t", "r", "f", "Li Wei")
	cur := mustRing(t, key("k-new", 2))
	_, err := cur.Decrypt("i", "t", "r", "f", ct)
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `"k-old"`) {
		t.Fatalf("err = %v, want ErrUnknownKey naming k-old", err)
	}
}

func TestNotEncrypted(t *testing.T) {
	kr := mustRing(t, key("k1", 1))
	for _, s := range []string{"JBSWY3DPEHPK3PXP", "vf1:", "vf1::abc", "vf2:k1:abc"} {
		if _, err := kr.Decrypt("i", "t", "r", "f", s); !errors.Is(err, ErrNotEncrypted) {
			t.Errorf("Decrypt(%q) err = %v, want ErrNotEncrypted", s, err)
		}
		if IsEncrypted(s) {
			t.Errorf("IsEncrypted(%q) = true", s)
		}
	}
}

func TestOldKeyDecryptsNewKeySeals(t *testing.T) {
	before := mustRing(t, key("k1", 1))
	ct, _ := before.Encrypt("i", "t", "r", "f", "Jean-Baptiste")
	after := mustRing(t, key("k1", 1), key("k2", 2))
	if got, err := after.Decrypt("i", "t", "r", "f", ct); err != nil || got != "Jean-Baptiste" {
		t.Fatalf("old value under the new ring: %q, %v", got, err)
	}
	ct2, _ := after.Encrypt("i", "t", "r", "f", "Jean-Baptiste")
	if id, _ := KeyID(ct2); id != "k2" || after.Active() != "k2" {
		t.Fatalf("new value under key %q, active %q; want k2", id, after.Active())
	}
}

func TestRingNeverPrintsKeys(t *testing.T) {
	k := key("k1", 7)
	kr := mustRing(t, k)
	b64 := base64.StdEncoding.EncodeToString(k.Secret)
	for _, s := range []string{fmt.Sprint(kr), fmt.Sprintf("%v %+v %#v %s", kr, kr, kr, kr), fmt.Sprintf("%v", *kr)} {
		if strings.Contains(s, b64) || strings.Contains(s, string(k.Secret)) {
			t.Fatalf("formatted ring shows key material: %s", s)
		}
	}
}

func TestNilRingRefuses(t *testing.T) {
	var kr *Keyring
	if _, err := kr.Encrypt("i", "t", "r", "f", "x"); err == nil {
		t.Fatal("nil ring encrypted")
	}
	if _, err := kr.Decrypt("i", "t", "r", "f", "vf1:k:AAAA"); err == nil {
		t.Fatal("nil ring decrypted")
	}
}

func TestBadKeys(t *testing.T) {
	for name, keys := range map[string][]Key{
		"none":       nil,
		"short":      {{ID: "k1", Secret: make([]byte, 16)}},
		"colon id":   {{ID: "k:1", Secret: make([]byte, KeySize)}},
		"space id":   {{ID: "k 1", Secret: make([]byte, KeySize)}},
		"duplicated": {key("k1", 1), key("k1", 2)},
	} {
		if _, err := NewKeyring(keys...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzDecrypt(f *testing.F) {
	kr := mustRing(f, key("k1", 1))
	ct, _ := kr.Encrypt("i", "t", "r", "f", "seed")
	for _, s := range []string{ct, "", "vf1:", "vf1:k1:", "vf1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Only "seed" was ever sealed under this key (fuzz workers seal
		// their own copy with another nonce), so nothing else may open.
		pt, err := kr.Decrypt("i", "t", "r", "f", s)
		if err == nil && s != "" && pt != "seed" {
			t.Fatalf("forged value %q decrypted to %q", s, pt)
		}
	})
}

// BenchmarkEncryptDecrypt seals and opens a 40-byte name, the typical
// identifying field.
func BenchmarkEncryptDecrypt(b *testing.B) {
	kr := mustRing(b, key("k20260101-abcdef", 1))
	name := "Amina Yusuf Abdullahi bint Mohammed Ali" + "!"
	if len(name) != 40 {
		b.Fatalf("name is %d bytes", len(name))
	}
	b.ReportAllocs()
	for b.Loop() {
		ct, err := kr.Encrypt("01jv3k5x8m9n2p4q6r7s8t9v0w", "people", "01jv3k5x8m9n2p4q6r7s8t9v0x", "full_name", name)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := kr.Decrypt("01jv3k5x8m9n2p4q6r7s8t9v0w", "people", "01jv3k5x8m9n2p4q6r7s8t9v0x", "full_name", ct); err != nil {
			b.Fatal(err)
		}
	}
}
