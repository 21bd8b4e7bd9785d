// Package fieldcrypt encrypts single column values that identify people —
// names of victims, witnesses and sources, TOTP secrets — so that a copy of the
// database (a stolen disk, a misplaced backup, a leaked dump) does not name
// anyone on its own. The key stays outside the database.
//
// What belongs here: the ciphertext format, the key ring and its key file,
// the registry of encrypted columns and key rotation over them. What does not:
// password hashing (package access), transport security, whole-backup
// encryption, and the decision of which fields are identifying (each domain
// package registers its own columns).
//
// # Format
//
// A value is sealed with AES-256-GCM under a random 96-bit nonce and stored as
//
//	vf1:KEYID:BASE64URL(nonce | ciphertext | tag)
//
// The associated data binds the institution, table, record id and field name
// (each length-prefixed, so no two different tuples encode alike). A
// ciphertext copied into another record, field or institution therefore fails
// to decrypt instead of showing a real name in the wrong place. The key id in
// the text lets rows written under an older key keep decrypting while a
// rotation is under way.
//
// The empty string is stored as the empty string, not encrypted: "no value"
// is already visible from the rest of the row (a disabled second factor, an
// anonymous source) and keeping it empty keeps SQL tests for an empty column
// working. The price is that someone able to write to the database can blank
// a field undetected; they could delete the row as well.
//
// Encrypted columns cannot be searched, sorted or indexed by the database.
// Lookups by an identifying value need a separate keyed hash, which would
// belong in this package too.
//
// Nothing in this package logs, and its errors never contain plaintext or key
// material.
//
// # Keys
//
// Keys live in a text file (DATA/field.keys by default, see DefaultPath), one
// "KEYID BASE64KEY" per line, the last line being the active key used for new
// values, or in the environment variable VIGIL_KEYS with the same lines
// separated by ";" or newlines. The file must not be readable by group or
// others. LoadOrCreate makes the file with one random key on first run, which
// is what the demo needs; a production deployment should keep the key off the
// database host's disk (VIGIL_KEYS from a secret store), or at the very least
// out of the backups of the data directory: a backup that carries its own key
// protects nobody.
//
// # Rotation
//
//  1. vigil keys add: append a new active key (the old ones stay).
//  2. Restart every server, so new writes use the new key; they still read
//     the old one.
//  3. vigil keys rotate: re-encrypt every registered column under the new key,
//     in small transactions, while the servers keep running.
//  4. Remove an old key from the file only when rotate reports nothing left
//     under it AND no backup you may still restore was taken under it.
package fieldcrypt
