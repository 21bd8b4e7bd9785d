package audit

import (
	"context"
	"fmt"

	"vigil/db"
)

// On SQLite a write transaction holds the store's only write lock from its
// start (BEGIN IMMEDIATE), across processes, and this process remembers
// each chain's head as its last committed transaction left it: the cache
// moves only when the transaction that appended commits (db.Tx.OnEnd),
// never on append, and it is kept per store. So the remembered head is
// the real one unless another writer appended since — another process
// (the CLI beside the server), another handle on the same file, or a bulk
// load's connection (which keeps a cache of its own) — and then it is
// behind, never ahead: appends only add. Placing the entry after a head
// that is behind asks for a seq that is already taken, which the primary
// key refuses (ON CONFLICT DO NOTHING writes nothing); the newest entry
// is then read, under the write lock, and the entry placed after it. An
// entry therefore needs no other guard: one plain insert.
//
// The cache could only be ahead of, or differ from, the chain after
// someone with write access to the file cut or rewrote entries. An entry
// appended then links to the head as it was, so the cut shows in Verify
// as missing entries rather than being sealed over.

// sqliteInsert writes an entry unless its seq is taken. It goes through
// db.Tx.ExecDriver, straight to the driver: half the statement's cost was
// database/sql's handling of its twelve values.
const sqliteInsert = insertColumns + `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (institution_id, seq) DO NOTHING`

// sqTxKey keys, in a transaction's values, the head its entries of one
// chain have reached.
type sqTxKey struct{ inst string }

type sqPending struct {
	head   cachedHead
	known  bool // head is the remembered or the read head
	moved  bool // an entry was written: remember head at commit
	signed bool // a checkpoint was signed in this transaction
}

func (l *Log) appendSQLite(ctx context.Context, t *db.Tx, r record) error {
	key := chainKey(t.Store(), r.Institution)
	p, _ := t.Value(sqTxKey{r.Institution}).(*sqPending)
	if p == nil {
		p = &sqPending{}
		p.head, p.known = heads.get(key)
		t.SetValue(sqTxKey{r.Institution}, p)
		t.OnEnd(func(committed bool) {
			if committed && p.moved {
				heads.put(key, p.head, p.signed)
			}
		})
	}
	for attempt := 0; attempt < 2; attempt++ {
		if !p.known {
			h, err := lastEntry(ctx, t, r.Institution)
			if err != nil {
				return err
			}
			p.head, p.known = h, true
		}
		r.Seq, r.PrevHash = p.head.Seq+1, p.head.Hash
		r.Hash = r.computeHash()
		n, err := t.ExecDriver(ctx, sqliteInsert, r.Institution, r.Seq, r.At, r.ActorID, r.ActorName, r.IP,
			r.Action, r.ObjectType, r.ObjectID, r.Detail, r.PrevHash, r.Hash)
		if err != nil {
			return fmt.Errorf("audit: append to %s: %w", r.Institution, err)
		}
		if n != 1 {
			p.known = false // another writer appended: read the head
			continue
		}
		p.head, p.moved = cachedHead{Seq: r.Seq, Hash: r.Hash}, true
		if l.Signer != nil && (r.Seq%int64(l.every()) == 0 || (!p.signed && heads.due(key, l.interval()))) {
			if err := l.sign(ctx, t, Head{r.Institution, r.Seq, r.Hash}, r.At); err != nil {
				return err
			}
			p.signed = true
		}
		return nil
	}
	// The head was read under the write lock, so the seq after it is free.
	return fmt.Errorf("audit: append to %s: seq %d taken right after reading the head", r.Institution, r.Seq)
}
