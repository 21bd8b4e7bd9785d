package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters. ASVS 5.0 appendix C accepts t=1 with at least 46 MiB;
// we use 64 MiB and one lane, which costs well under 150 ms of one core here
// (docs/BENCHMARKS.md). The parameters are stored with each hash, so raising
// them later only affects new hashes and rehash-on-login.
var argonParams = struct {
	time, memoryKiB uint32
	threads         uint8
	keyLen          uint32
}{time: 1, memoryKiB: 64 * 1024, threads: 1, keyLen: 32}

// Password policy after ASVS 5.0 §6.2: length counts, composition rules do not.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// commonPasswords is a short list of passwords that attackers try first and
// that meet the length rule; longer breached-password lists belong in an
// optional file (not yet supported).
var commonPasswords = []string{
	"123456789012", "1234567890123", "12345678901234", "password1234", "passwordpassword",
	"qwertyuiopasdf", "qwertyuiop12", "iloveyou1234", "administrator", "changemechangeme",
	"letmeinletmein", "welcome12345", "000000000000", "111111111111", "abcdefghijkl",
	"passw0rdpassw0rd", "p@ssw0rd1234", "trustno1trustno1", "football1234", "monkey123456",
}

// CheckPassword returns a message for a password that must be refused.
func CheckPassword(username, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return fmt.Errorf("password must have at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Errorf("password must have at most %d characters", MaxPasswordLen)
	}
	lower := strings.ToLower(pw)
	if username != "" && strings.Contains(lower, strings.ToLower(username)) {
		return errors.New("password must not contain the username")
	}
	for _, c := range commonPasswords {
		if lower == c {
			return errors.New("password is too common")
		}
	}
	if strings.Count(pw, string([]rune(pw)[0])) == n {
		return errors.New("password must not repeat one character")
	}
	return nil
}

// HashPassword returns an encoded argon2id hash (PHC string format).
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := argonParams
	key := argon2.IDKey([]byte(pw), salt, p.time, p.memoryKiB, p.threads, p.keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memoryKiB, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword checks pw against an encoded hash in constant time.
func VerifyPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || p == 0 || m == 0 || t == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the account does not exist, so that
// an unknown username costs the same time as a wrong password (ASVS 6.3.8).
// It is made on first use, not at start-up, to keep start-up fast.
var (
	dummyOnce sync.Once
	dummy     string
)

func dummyHash() string {
	dummyOnce.Do(func() { dummy, _ = HashPassword("not-a-real-password-for-timing") })
	return dummy
}

// UseTestHashCost lowers the argon2id memory cost so that test suites that
// create many accounts run quickly. Hashes made with it still verify with the
// normal code path (the parameters travel with each hash). Tests only.
func UseTestHashCost() {
	argonParams.memoryKiB = 1024
}
