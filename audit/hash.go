package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
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
	h := sha256.New()
	for _, f := range []string{hashVersion, r.PrevHash, r.Institution, strconv.FormatInt(r.Seq, 10), r.At,
		r.ActorID, r.ActorName, r.IP, r.Action, r.ObjectType, r.ObjectID, r.Detail} {
		writeField(h, f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeField(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

// checkpointMessage is what a checkpoint signs. Institution IDs cannot hold
// control characters (validInstitution), so the newlines are unambiguous.
func checkpointMessage(h Head) []byte {
	return []byte("vigil-audit-checkpoint\n" + h.Institution + "\n" + strconv.FormatInt(h.Seq, 10) + "\n" + h.Hash + "\n")
}
