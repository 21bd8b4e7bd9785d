package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
)

// record is an entry as stored: the cleaned fields, the timestamp text
// exactly as hashed, and its place in the chain.
type record struct {
	Institution string
	Seq         int64
	At          string
	ActorID     string
	ActorName   string
	IP          string
	Action      string
	ObjectType  string
	ObjectID    string
	Detail      string
	PrevHash    string
	Hash        string
}

// hashVersion starts every hashed message, so that a future change of
// encoding cannot produce a hash equal to one made under this one.
const hashVersion = "vigil-audit-v1"

// computeHash returns the lowercase hex SHA-256 of the record's canonical
// encoding: hashVersion, then prev_hash, institution, seq (decimal), at,
// actor_id, actor_name, ip, action, object_type, object_id and detail, each
// preceded by its length in bytes as an 8-byte big-endian integer. Length
// prefixes make the encoding unambiguous — no choice of field values can
// shift bytes from one field into the next and keep the hash. The first
// entry's prev_hash is "". An outside verifier can recompute this from the
// audit_log columns alone.
func (r *record) computeHash() string {
	fields := [...]string{hashVersion, r.PrevHash, r.Institution, strconv.FormatInt(r.Seq, 10), r.At,
		r.ActorID, r.ActorName, r.IP, r.Action, r.ObjectType, r.ObjectID, r.Detail}
	n := 0
	for _, f := range fields {
		n += 8 + len(f)
	}
	// One buffer and one Sum256: the same bytes as writing each field to a
	// running hash, with one allocation instead of one per field.
	msg := make([]byte, 0, n)
	for _, f := range fields {
		msg = appendField(msg, f)
	}
	sum := sha256.Sum256(msg)
	return hex.EncodeToString(sum[:])
}

// appendField appends one field of the hashed message: its length in bytes
// as an 8-byte big-endian integer, then its bytes.
func appendField(msg []byte, f string) []byte {
	msg = binary.BigEndian.AppendUint64(msg, uint64(len(f)))
	return append(msg, f...)
}

// checkpointMessage is what a checkpoint signs. Institution IDs cannot hold
// control characters (validInstitution), so the newlines are unambiguous.
func checkpointMessage(h Head) []byte {
	return []byte("vigil-audit-checkpoint\n" + h.Institution + "\n" + strconv.FormatInt(h.Seq, 10) + "\n" + h.Hash + "\n")
}
