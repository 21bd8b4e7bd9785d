package audit

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

// Each case builds chain "a" of seqs 1..7 with signed checkpoints at 3 and 6
// and, as a server signs a quiet chain's head (CheckpointIdle), at 7 (and an
// untouched chain "b"), tampers with it through plain SQL, and expects
// Verify to name the damaged seq.
func TestTamperingIsDetected(t *testing.T) {
	otherKey := newKey(t)
	cases := []struct {
		name   string
		tamper func(t *testing.T, d *db.DB)
		seq    int64
		want   string
	}{
		{"detail updated", func(t *testing.T, d *db.DB) {
			exec(t, d, "UPDATE audit_log SET detail = 'nothing happened' WHERE institution_id = 'a' AND seq = 4")
		}, 4, "hash mismatch (entry changed)"},
		{"middle entry deleted", func(t *testing.T, d *db.DB) {
			exec(t, d, "DELETE FROM audit_log WHERE institution_id = 'a' AND seq = 4")
		}, 4, "seq gap: 5 follows 3 (entry removed)"},
		{"first entries deleted", func(t *testing.T, d *db.DB) {
			exec(t, d, "DELETE FROM audit_log WHERE institution_id = 'a' AND seq <= 2")
		}, 1, "chain starts at seq 3, not 1 (2 entries removed)"},
		{"newest entry deleted", func(t *testing.T, d *db.DB) {
			// Caught by the checkpoint CheckpointIdle signed of seq 7.
			exec(t, d, "DELETE FROM audit_log WHERE institution_id = 'a' AND seq = 7")
		}, 7, "checkpointed entry missing (entry removed; the last entry before it is seq 6)"},
		{"newest entry and head rolled back", func(t *testing.T, d *db.DB) {
			exec(t, d, "DELETE FROM audit_log WHERE institution_id = 'a' AND seq >= 6")
			exec(t, d, "UPDATE audit_heads SET seq = 5, hash = (SELECT hash FROM audit_log WHERE institution_id = 'a' AND seq = 5) WHERE institution_id = 'a'")
		}, 6, "checkpointed entry missing"},
		{"newest entry deleted under a head row of an older store", func(t *testing.T, d *db.DB) {
			// Stores written before migration 0010 hold a head row; it
			// still counts as a lower bound, even without the checkpoint.
			h := headAt(t, d, 7)
			exec(t, d, "INSERT INTO audit_heads (institution_id, seq, hash) VALUES ('a', 7, ?)", h.Hash)
			exec(t, d, "DELETE FROM audit_checkpoints WHERE institution_id = 'a' AND seq = 7")
			exec(t, d, "DELETE FROM audit_log WHERE institution_id = 'a' AND seq = 7")
		}, 7, "head says seq 7 but chain ends at 6 (newest entries removed)"},
		{"head row of an older store rewritten", func(t *testing.T, d *db.DB) {
			exec(t, d, "INSERT INTO audit_heads (institution_id, seq, hash) VALUES ('a', 5, 'ff')")
		}, 5, "head hash does not match the entry"},
		{"rows reordered", func(t *testing.T, d *db.DB) {
			// Swap seqs 2 and 5 through a free value: the primary key is
			// checked row by row.
			exec(t, d, "UPDATE audit_log SET seq = 1000 WHERE institution_id = 'a' AND seq = 2")
			exec(t, d, "UPDATE audit_log SET seq = 2 WHERE institution_id = 'a' AND seq = 5")
			exec(t, d, "UPDATE audit_log SET seq = 5 WHERE institution_id = 'a' AND seq = 1000")
		}, 2, "out of order: entry written as seq 5 is stored as seq 2"},
		{"newest two swapped", func(t *testing.T, d *db.DB) {
			exec(t, d, "UPDATE audit_log SET seq = 1000 WHERE institution_id = 'a' AND seq = 6")
			exec(t, d, "UPDATE audit_log SET seq = 6 WHERE institution_id = 'a' AND seq = 7")
			exec(t, d, "UPDATE audit_log SET seq = 7 WHERE institution_id = 'a' AND seq = 1000")
		}, 6, "out of order: entry written as seq 7 is stored as seq 6"},
		{"entry rewritten with a fresh hash", func(t *testing.T, d *db.DB) {
			rehash(t, d, 4, 4)
		}, 5, "prev_hash does not match the hash of seq 4"},
		{"chain rewritten from seq 2 on", func(t *testing.T, d *db.DB) {
			rehash(t, d, 2, 7)
		}, 3, "checkpoint hash does not match the entry (chain rewritten)"},
		{"checkpoint signature forged", func(t *testing.T, d *db.DB) {
			h := headAt(t, d, 3)
			sig := ed25519.Sign(otherKey, checkpointMessage(h))
			exec(t, d, "UPDATE audit_checkpoints SET signature = ? WHERE institution_id = 'a' AND seq = 3", base64.StdEncoding.EncodeToString(sig))
		}, 3, "checkpoint signature invalid"},
		{"checkpoint signed by another key", func(t *testing.T, d *db.DB) {
			exec(t, d, "UPDATE audit_checkpoints SET key_id = ? WHERE institution_id = 'a' AND seq = 6", KeyID(pubOf(otherKey)))
		}, 6, "checkpoint signature invalid (signed by key " + KeyID(pubOf(otherKey)),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				newStore(t, d)
				key := newKey(t)
				l := &Log{Signer: key, Every: 3}
				appendN(t, d, l, "a", 7)
				appendN(t, d, l, "b", 4)
				if n, err := l.CheckpointIdle(ctx, d); err != nil || n != 2 {
					t.Fatalf("CheckpointIdle signed %d chains: %v", n, err)
				}
				c.tamper(t, d)
				rep, err := Verify(ctx, d, pubOf(key))
				if !errors.Is(err, ErrDamaged) {
					t.Fatalf("Verify: %v, want ErrDamaged", err)
				}
				if len(rep.Problems) != 1 {
					t.Fatalf("problems %+v, want one", rep.Problems)
				}
				p := rep.Problems[0]
				if p.Institution != "a" || p.Seq != c.seq || !strings.Contains(p.What, c.want) {
					t.Fatalf("got %s; want institution a, seq %d: %s", p, c.seq, c.want)
				}
				if !strings.Contains(err.Error(), p.String()) {
					t.Fatalf("error %q does not name the problem", err)
				}
			})
		})
	}
}

// Without the public key Verify still checks hashes, but cannot tell a
// forged signature.
func TestVerifyWithoutKeySkipsSignatures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		l := &Log{Signer: newKey(t), Every: 2}
		appendN(t, d, l, "a", 4)
		exec(t, d, "UPDATE audit_checkpoints SET signature = 'AAAA' WHERE institution_id = 'a'")
		if rep := mustVerify(t, d, nil); rep.SignaturesChecked || rep.Checkpoints != 2 {
			t.Fatalf("report %+v", rep)
		}
		exec(t, d, "UPDATE audit_checkpoints SET hash = 'ff' WHERE institution_id = 'a' AND seq = 2")
		if _, err := Verify(ctx, d, nil); err == nil {
			t.Fatal("checkpoint hash change not caught without a key")
		}
	})
}

// rehash plays an attacker who knows the hash scheme: it rewrites the
// details of seqs from..to of chain "a", recomputing their hashes, the
// following links and the head, but cannot sign checkpoints.
func rehash(t *testing.T, d *db.DB, from, to int64) {
	t.Helper()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT seq, at, actor_id, actor_name, ip, action, object_type, object_id, detail, prev_hash
			FROM audit_log WHERE institution_id = 'a' AND seq >= ? AND seq <= ? ORDER BY seq`, from, to)
		if err != nil {
			return err
		}
		var recs []record
		for rows.Next() {
			r := record{Institution: "a"}
			if err := rows.Scan(&r.Seq, &r.At, &r.ActorID, &r.ActorName, &r.IP, &r.Action, &r.ObjectType, &r.ObjectID, &r.Detail, &r.PrevHash); err != nil {
				return err
			}
			recs = append(recs, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		prev := recs[0].PrevHash
		for _, r := range recs {
			r.PrevHash, r.Detail = prev, "rewritten"
			r.Hash = r.computeHash()
			prev = r.Hash
			if _, err := tx.Exec(ctx, "UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE institution_id = 'a' AND seq = ?",
				r.Detail, r.PrevHash, r.Hash, r.Seq); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "UPDATE audit_heads SET hash = ? WHERE institution_id = 'a' AND seq = ?", prev, to)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func headAt(t *testing.T, d *db.DB, seq int64) Head {
	t.Helper()
	h := Head{Institution: "a", Seq: seq}
	if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT hash FROM audit_log WHERE institution_id = 'a' AND seq = ?", seq).Scan(&h.Hash)
	}); err != nil {
		t.Fatal(err)
	}
	return h
}
