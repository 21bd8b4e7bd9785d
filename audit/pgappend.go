package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"slices"
	"time"

	"vigil/db"
)

// On PostgreSQL an entry is not written where Append is called but placed
// when the transaction commits (db.Tx.BeforeCommit) and queued
// (db.Tx.Finally) to go to the server with the COMMIT, in the same round
// trip. While it commits, the transaction holds this process's lock on the
// chain (heads.lock), so this process's transactions place their entries
// one after the other, each knowing the head the one before it left.
//
// The fast way, whenever this process knows the chain's head: Go computes
// seq, prev_hash and hash from the remembered head, and pgFastInsert writes
// the entry, guarded in the same statement. The primary key refuses the seq
// if any entry already has it, and the guard makes the hash NULL (refused
// by NOT NULL) unless the entry before it is the one Go remembered and the
// chain's advisory lock can be had without waiting (pgFastInsert). So an
// entry is only ever written right after the real newest entry, whatever
// the cache says; a wrong guess costs the transaction, not the chain.
// Only another process appending to the same chain (the CLI beside the
// server, a second server) makes the guess wrong. The commit then fails
// with that violation, staleHead says so, the head is forgotten, and the
// store runs the whole transaction again (db.Final.Retry) the slow way.
// Two servers busy on one chain therefore run many of their transactions
// twice (about half, measured with two handles writing as fast as they
// can); one server and an occasional CLI command almost never do.
//
// The slow way, when this process does not know the head (after a start,
// after a failed commit, after another process moved it), is two
// statements:
//
//  1. pgLock takes the chain's transaction-scoped advisory lock. Another
//     transaction appending the slow way waits here until this one commits
//     or rolls back, across processes and servers.
//  2. pgInsert, a statement of its own so that its snapshot is taken after
//     the lock is granted (READ COMMITTED), reads the chain's newest entry,
//     and inserts the next one with seq, prev_hash and hash computed by the
//     server from that entry, in the exact encoding of record.computeHash.
//     It returns the head it made, which this process then remembers.
//
// The slow way cannot fail because of another writer, but finding the
// newest entry on the server costs as much again as the rest of the entry
// (docs/security.md, "What the audit trail costs").

const pgLock = "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ?, 0))"

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

const pgCheckpointSQL = `INSERT INTO audit_checkpoints (institution_id, seq, hash, at, key_id, signature)
	SELECT CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT)
	WHERE EXISTS (SELECT 1 FROM audit_log WHERE institution_id = ? AND seq = ? AND hash = ?)
	ON CONFLICT (institution_id, seq) DO NOTHING`

// pgFastInsert writes an entry placed in Go. Besides the guard, it takes
// the chain's advisory lock without waiting: when another transaction
// holds it (one placing an entry the slow way, in another process), the
// guess is refused like a wrong one. A fast entry that got the lock holds
// it to its commit, so a slow writer waits for it and then sees it; a slow
// writer never fails for a fast one's sake.
const pgFastInsert = insertColumns + `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
	CASE WHEN EXISTS (SELECT 1 FROM audit_log WHERE institution_id = ? AND seq = ? AND hash = ?)
		AND pg_try_advisory_xact_lock(hashtextextended(current_schema() || ?, 0)) THEN CAST(? AS TEXT) END)`

// lockName names the advisory lock of a chain, after the name of the
// schema the store lives in (advisory locks are shared by the whole
// database, and several stores can share one in their own schemas).
func lockName(inst string) string { return ":vigil-audit:" + inst }

// staleHead reports whether err is the refusal of an entry placed the fast
// way: its seq already taken, or its predecessor not the remembered head.
func staleHead(err error) bool {
	pe, ok := db.PgError(err)
	if !ok {
		return false
	}
	return (pe.Code == "23505" && pe.ConstraintName == "audit_log_pkey") ||
		(pe.Code == "23502" && pe.TableName == "audit_log" && pe.ColumnName == "hash")
}

// pgTxKey keys, in a transaction's values, its pending entries (pgTx).
type pgTxKey struct{}

// pgTx is a transaction's pending entries, by chain, placed at commit.
type pgTx struct {
	chains map[string]*pgPending
	placed bool
}

// pgPending is a transaction's entries of one chain.
type pgPending struct {
	key     headKey
	entries []pgEntry
	head    cachedHead // the head after the last entry, once placed
	known   bool       // head is exact (fast way) or returned by the server
	signed  bool       // a checkpoint rides with this transaction
}

type pgEntry struct {
	l *Log
	r record
}

func (l *Log) appendPG(ctx context.Context, t *db.Tx, r record) error {
	x, _ := t.Value(pgTxKey{}).(*pgTx)
	if x == nil {
		x = &pgTx{chains: map[string]*pgPending{}}
		t.SetValue(pgTxKey{}, x)
		t.BeforeCommit(func() error { return x.place(ctx, t) })
	}
	if x.placed {
		// From a hook that runs at or after commit: there is no
		// transaction left for the entry to be part of.
		return fmt.Errorf("audit: append to %s after the transaction's entries were placed", r.Institution)
	}
	p := x.chains[r.Institution]
	if p == nil {
		p = &pgPending{key: chainKey(t.Store(), r.Institution)}
		x.chains[r.Institution] = p
	}
	p.entries = append(p.entries, pgEntry{l, r})
	return nil
}

// place takes this process's lock on each chain the transaction appends
// to, in the order of the institution IDs, and queues that chain's
// entries. One order for every transaction means two transactions that
// append to the same chains never wait for each other in a circle, here or
// (on the slow way, whose advisory locks are taken in the same order) on
// the server. Each lock is released when the transaction ends.
func (x *pgTx) place(ctx context.Context, t *db.Tx) error {
	x.placed = true
	insts := make([]string, 0, len(x.chains))
	for inst := range x.chains {
		insts = append(insts, inst)
	}
	slices.Sort(insts)
	for _, inst := range insts {
		p := x.chains[inst]
		unlock, err := heads.lock(ctx, p.key)
		if err != nil {
			return err
		}
		t.OnEnd(func(committed bool) {
			if committed && p.known {
				heads.put(p.key, p.head, p.signed)
			} else if !committed {
				heads.drop(p.key) // whatever failed, read the head again next time
			}
			unlock()
		})
		p.place(ctx, t)
	}
	return nil
}

// place queues the finals of one chain's entries, the fast way when this
// process knows the head and this is not the transaction's second run.
func (p *pgPending) place(ctx context.Context, t *db.Tx) {
	h, known := heads.get(p.key)
	if !known || t.Retried() {
		p.placeSlow(ctx, t)
		return
	}
	label := "audit entry of institution " + p.key.inst
	for _, e := range p.entries {
		r := e.r
		r.Seq, r.PrevHash = h.Seq+1, h.Hash
		r.Hash = r.computeHash()
		t.Finally(db.Final{Label: label, SQL: pgFastInsert, Retry: staleHead,
			Args: []any{r.Institution, r.Seq, r.At, r.ActorID, r.ActorName, r.IP, r.Action, r.ObjectType, r.ObjectID, r.Detail, r.PrevHash,
				r.Institution, r.Seq - 1, r.PrevHash, lockName(r.Institution), r.Hash}})
		h = cachedHead{Seq: r.Seq, Hash: r.Hash}
		l := e.l
		if l.Signer != nil && (r.Seq%int64(l.every()) == 0 || (!p.signed && heads.due(p.key, l.interval()))) {
			p.signed = true
			t.Finally(l.pgCheckpoint(label, Head{r.Institution, r.Seq, r.Hash}, r.At))
		}
	}
	p.head, p.known = h, true
}

// pgCheckpoint is the final that stores a checkpoint of h. It writes
// nothing unless the entry it signs is there.
func (l *Log) pgCheckpoint(label string, h Head, at string) db.Final {
	return db.Final{Label: label, SQL: pgCheckpointSQL, Args: []any{h.Institution, h.Seq, h.Hash, at, l.keyID(),
		base64.StdEncoding.EncodeToString(ed25519.Sign(l.Signer, checkpointMessage(h))),
		h.Institution, h.Seq, h.Hash}}
}

// placeSlow queues the pending entries the slow way: the server places
// each, and the head it returns for the last one is remembered. A
// checkpoint due by then is signed after the commit, in a transaction of
// its own: the change is committed whatever happens there, and a
// checkpoint that fails is made by the next one or by CheckpointIdle.
func (p *pgPending) placeSlow(ctx context.Context, t *db.Tx) {
	label := "audit entry of institution " + p.key.inst
	t.Finally(db.Final{Label: label, SQL: pgLock, Args: []any{lockName(p.key.inst)}})
	var due *Log
	for _, e := range p.entries {
		r := e.r
		pre, mid, post := r.pgParts()
		t.Finally(db.Final{Label: label, SQL: pgInsert,
			Args: []any{r.Institution, r.At, r.ActorID, r.ActorName, r.IP, r.Action, r.ObjectType, r.ObjectID, r.Detail, pre, mid, post},
			Row: func(scan func(...any) error) error {
				if err := scan(&p.head.Seq, &p.head.Hash); err != nil {
					return err
				}
				p.known = true
				if e.l.Signer != nil && (p.head.Seq%int64(e.l.every()) == 0 || heads.due(p.key, e.l.interval())) {
					due = e.l
				}
				return nil
			}})
	}
	t.AfterCommit(func() {
		if due == nil {
			return
		}
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		h := p.head
		err := t.Store().Write(bg, p.key.inst, func(tx *db.Tx) error {
			return due.sign(bg, tx, Head{p.key.inst, h.Seq, h.Hash}, time.Now().UTC().Format(timeLayout))
		})
		if err == nil {
			heads.signed(p.key)
		} else if due.Report != nil {
			due.Report(err)
		}
	})
}
