package access

import "testing"

// BenchmarkHashPassword is the server time a sign-in spends on argon2id
// (verification costs the same as hashing).
func BenchmarkHashPassword(b *testing.B) {
	h, _ := HashPassword("correct horse battery staple")
	b.ResetTimer()
	for b.Loop() {
		if !VerifyPassword(h, "correct horse battery staple") {
			b.Fatal("verify failed")
		}
	}
}
