package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
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

// pgField is one field of the hashed message: its length in bytes as an
// 8-byte big-endian integer (int8send), then its bytes. The bytes are the
// text in the connection's client encoding (c.enc), which are exactly the
// bytes Go sent and reads back, whatever the database's own encoding: on a
// UTF8 or SQL_ASCII database that is UTF-8, and on, say, a LATIN1 one the
// stored text is Go's UTF-8 read as LATIN1 characters, which converts back
// to the same bytes. Verify recomputes the hash in Go from what it reads,
// so the two must agree byte for byte.
func pgField(expr string) string {
	return "int8send(CAST(length(convert_to(" + expr + ", c.enc)) AS BIGINT)) || convert_to(" + expr + ", c.enc)"
}

var pgInsert = func() string {
	fields := []string{"'" + hashVersion + "'", "h.hash", "e.inst", "CAST(h.seq + 1 AS TEXT)", "e.at",
		"e.actor_id", "e.actor_name", "e.ip", "e.action", "e.object_type", "e.object_id", "e.detail"}
	enc := make([]string, len(fields))
	for i, f := range fields {
		enc[i] = pgField(f)
	}
	return insertColumns + `SELECT e.inst, h.seq + 1, e.at, e.actor_id, e.actor_name, e.ip, e.action, e.object_type,
		e.object_id, e.detail, h.hash, encode(sha256(` + strings.Join(enc, " || ") + `), 'hex')
	FROM (SELECT CAST(? AS TEXT) AS inst, CAST(? AS TEXT) AS at, CAST(? AS TEXT) AS actor_id, CAST(? AS TEXT) AS actor_name,
		CAST(? AS TEXT) AS ip, CAST(? AS TEXT) AS action, CAST(? AS TEXT) AS object_type, CAST(? AS TEXT) AS object_id,
		CAST(? AS TEXT) AS detail) e
	CROSS JOIN (SELECT current_setting('client_encoding') AS enc) c
	CROSS JOIN LATERAL (SELECT COALESCE(MAX(seq), 0) AS seq, COALESCE(MAX(hash), '') AS hash FROM
		(SELECT seq, hash FROM audit_log WHERE institution_id = e.inst ORDER BY seq DESC LIMIT 1) last) h
	RETURNING seq, hash`
}()

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
	t.Finally(db.Final{Label: label, SQL: pgInsert,
		Args: []any{r.Institution, r.At, r.ActorID, r.ActorName, r.IP, r.Action, r.ObjectType, r.ObjectID, r.Detail},
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
