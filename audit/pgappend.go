package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"time"

	"vigil/db"
)

// On PostgreSQL an entry is not written where Append is called but queued
// (db.Tx.Finally) to go to the server with the COMMIT, in the same round
// trip: two statements that add no wait to the change they record.
//
//  1. pgLock takes the chain's transaction-scoped advisory lock. Another
//     transaction appending to the same chain waits here until this one
//     commits or rolls back, across processes and servers.
//  2. pgInsert, a statement of its own so that its snapshot is taken after
//     the lock is granted (READ COMMITTED), reads the chain's newest entry,
//     and inserts the next one with seq, prev_hash and hash computed by the
//     server from that entry, in the exact encoding of record.computeHash.
//
// Nothing in memory is trusted to place the entry, so no guard and no
// retry are needed, and the chain cannot fork or break whatever another
// process did. The head cache is only used to predict the entry's seq and
// hash so that a checkpoint signed in Go can ride along in the same
// round trip (pgCheckpoint, which writes nothing when the prediction was
// wrong); the head the server returns refreshes the cache after commit.

const pgLock = "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))"

// pgInsert has the server compute the entry's hash over the same
// length-prefixed encoding as record.computeHash. Go encodes every field it
// knows (pgParts), so the server only adds the two it alone knows, the
// newest entry's hash and the new seq, which are ASCII and therefore the
// same bytes in any database encoding. The text fields go to their columns
// as text, and their hashed bytes as the bytes Go has, which are exactly
// what Go reads back when Verify recomputes the hash, whatever the
// database's encoding (TestServerHashMatchesGoOnEveryEncoding). Building
// the encoding in SQL with convert_to instead cost the server about 70 µs
// more per entry.
const pgInsert = insertColumns + `SELECT e.inst, h.seq + 1, e.at, e.actor_id, e.actor_name, e.ip, e.action, e.object_type,
		e.object_id, e.detail, h.hash,
		encode(sha256(e.pre || int8send(CAST(octet_length(h.hash) AS BIGINT)) || convert_to(h.hash, 'UTF8')
			|| e.mid || int8send(CAST(octet_length(CAST(h.seq + 1 AS TEXT)) AS BIGINT)) || convert_to(CAST(h.seq + 1 AS TEXT), 'UTF8')
			|| e.post), 'hex')
	FROM (SELECT CAST(? AS TEXT) AS inst, CAST(? AS TEXT) AS at, CAST(? AS TEXT) AS actor_id, CAST(? AS TEXT) AS actor_name,
		CAST(? AS TEXT) AS ip, CAST(? AS TEXT) AS action, CAST(? AS TEXT) AS object_type, CAST(? AS TEXT) AS object_id,
		CAST(? AS TEXT) AS detail, CAST(? AS BYTEA) AS pre, CAST(? AS BYTEA) AS mid, CAST(? AS BYTEA) AS post) e
	CROSS JOIN LATERAL (SELECT COALESCE(MAX(seq), 0) AS seq, COALESCE(MAX(hash), '') AS hash FROM
		(SELECT seq, hash FROM audit_log WHERE institution_id = e.inst ORDER BY seq DESC LIMIT 1) last) h
	RETURNING seq, hash`

// pgParts are the encoded fields around the two the server fills in: the
// version before prev_hash, the institution between prev_hash and seq,
// and every field after seq.
func (r *record) pgParts() (pre, mid, post []byte) {
	pre = appendField(nil, hashVersion)
	mid = appendField(nil, r.Institution)
	for _, f := range [...]string{r.At, r.ActorID, r.ActorName, r.IP, r.Action, r.ObjectType, r.ObjectID, r.Detail} {
		post = appendField(post, f)
	}
	return pre, mid, post
}

const pgCheckpoint = `INSERT INTO audit_checkpoints (institution_id, seq, hash, at, key_id, signature)
	SELECT CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT)
	WHERE EXISTS (SELECT 1 FROM audit_log WHERE institution_id = ? AND seq = ? AND hash = ?)
	ON CONFLICT (institution_id, seq) DO NOTHING`

// pgTxKey keys, in a transaction's values, the head its queued entries of
// one chain are predicted to end at.
type pgTxKey struct{ inst string }

type pgPrediction struct {
	head   cachedHead
	known  bool // false when the cache held nothing: no prediction, no checkpoint
	signed bool // a checkpoint rides with this transaction already
}

func (l *Log) appendPG(ctx context.Context, t *db.Tx, r record) {
	key := headKey{db.Postgres, r.Institution}
	p, _ := t.Value(pgTxKey{r.Institution}).(*pgPrediction)
	if p == nil {
		p = &pgPrediction{}
		p.head, p.known = heads.get(key)
		t.SetValue(pgTxKey{r.Institution}, p)
	}
	label := "audit entry of institution " + r.Institution
	t.Finally(db.Final{Label: label, SQL: pgLock, Args: []any{"vigil-audit:" + r.Institution}})
	var got cachedHead
	pre, mid, post := r.pgParts()
	t.Finally(db.Final{Label: label, SQL: pgInsert,
		Args: []any{r.Institution, r.At, r.ActorID, r.ActorName, r.IP, r.Action, r.ObjectType, r.ObjectID, r.Detail, pre, mid, post},
		Row:  func(scan func(...any) error) error { return scan(&got.Seq, &got.Hash) }})

	sign := false
	if p.known {
		r.Seq, r.PrevHash = p.head.Seq+1, p.head.Hash
		r.Hash = r.computeHash()
		p.head = cachedHead{Seq: r.Seq, Hash: r.Hash}
		if l.Signer != nil && (r.Seq%int64(l.every()) == 0 || (!p.signed && heads.due(key, l.interval()))) {
			sign, p.signed = true, true
			t.Finally(db.Final{Label: label, SQL: pgCheckpoint, Args: []any{r.Institution, r.Seq, r.Hash, r.At, l.keyID(),
				base64.StdEncoding.EncodeToString(ed25519.Sign(l.Signer, checkpointMessage(Head{r.Institution, r.Seq, r.Hash}))),
				r.Institution, r.Seq, r.Hash}})
		}
	}
	predicted := r.Hash
	t.AfterCommit(func() {
		rode := sign && got.Hash == predicted
		heads.put(key, got, rode)
		if rode || l.Signer == nil || (got.Seq%int64(l.every()) != 0 && !heads.due(key, l.interval())) {
			return
		}
		// The prediction missed (another transaction committed to the
		// chain first, or this process had not seen it yet): sign the
		// entry the server placed, in a transaction of its own. The
		// change is committed whatever happens here; a checkpoint that
		// fails now is made by the next one or by CheckpointIdle.
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		err := t.Store().Write(bg, r.Institution, func(tx *db.Tx) error {
			return l.sign(bg, tx, Head{r.Institution, got.Seq, got.Hash}, time.Now().UTC().Format(timeLayout))
		})
		if err == nil {
			heads.signed(key)
		} else if l.Report != nil {
			l.Report(err)
		}
	})
}
