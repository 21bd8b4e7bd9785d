package exchange

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"vigil/db"
	"vigil/engage"
	"vigil/sensitivity"
)

// Key is a public key an institution trusts for bundles.
type Key struct {
	ID, Name, PublicKey, Fingerprint string
	AddedBy, AddedAt                 string
}

// Trust records that institution inst accepts bundles signed with key
// (base64), under a name people recognise. Trusting a key twice is refused.
func Trust(ctx context.Context, q db.Q, inst, name, key, by string) (Key, error) {
	pub, err := DecodePublicKey(key)
	if err != nil {
		return Key{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 300 {
		return Key{}, errors.New("give the key a name of at most 300 characters: the institution that holds it")
	}
	k := Key{ID: db.NewID(), Name: name, PublicKey: EncodePublicKey(pub), Fingerprint: Fingerprint(pub), AddedBy: by, AddedAt: db.Now()}
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM exchange_keys WHERE institution_id = ? AND fingerprint = ?", inst, k.Fingerprint).Scan(&n); err != nil {
		return Key{}, err
	}
	if n > 0 {
		return Key{}, fmt.Errorf("key %s is already trusted", k.Fingerprint)
	}
	_, err = q.Exec(ctx, `INSERT INTO exchange_keys (id, institution_id, name, public_key, fingerprint, added_by, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, k.ID, inst, k.Name, k.PublicKey, k.Fingerprint, by, k.AddedAt)
	return k, err
}

// Keys lists the keys an institution trusts, by name.
func Keys(ctx context.Context, q db.Q, inst string) ([]Key, error) {
	rows, err := q.Query(ctx, `SELECT id, name, public_key, fingerprint, added_by, added_at FROM exchange_keys
		WHERE institution_id = ? ORDER BY name, id`, inst)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Key
	for rows.Next() {
		var k Key
		if err := rows.Scan(&k.ID, &k.Name, &k.PublicKey, &k.Fingerprint, &k.AddedBy, &k.AddedAt); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Export gathers the engagement records of inst at or below level (public
// or partners): activities and partners. Contacts never travel.
func Export(ctx context.Context, q db.Q, inst, sender, country string, level sensitivity.Level) (Content, error) {
	if !sensitivity.Allows(MaxLevel, level) {
		return Content{}, fmt.Errorf("a bundle may hold public or partners records, not %s", level)
	}
	c := Content{Format: Format, BundleID: db.NewID(), Sender: sender, Country: country, CreatedAt: db.Now(), Level: level.String()}
	partners, err := engage.ListPartners(ctx, q, inst, level)
	if err != nil {
		return c, err
	}
	for _, p := range sensitivity.Filter(level, partners, func(p engage.Partner) sensitivity.Level { return p.Sensitivity }) {
		body, _ := json.Marshal(map[string]string{"kind": p.Kind, "country": p.CountryCode, "description": p.Description})
		c.Records = append(c.Records, Record{ID: p.ID, Kind: "partner", Title: p.Name, Sensitivity: p.Sensitivity.String(), Body: body})
	}
	acts, err := engage.ListActivities(ctx, q, inst, level, engage.Filter{})
	if err != nil {
		return c, err
	}
	for _, a := range sensitivity.Filter(level, acts, func(a engage.Activity) sensitivity.Level { return a.Sensitivity }) {
		var names []string
		for _, p := range a.Partners {
			if sensitivity.Allows(level, p.Sensitivity) {
				names = append(names, p.Name)
			}
		}
		body, _ := json.Marshal(map[string]any{"activity_kind": a.Kind, "summary": a.Summary, "start_date": a.StartDate, "end_date": a.EndDate,
			"status": a.Status, "outcome": a.Outcome, "partners": names, "concerns": a.Links})
		c.Records = append(c.Records, Record{ID: a.ID, Kind: "activity", Title: a.Title, Date: a.StartDate, Sensitivity: a.Sensitivity.String(), Body: body})
	}
	return c, nil
}

// Result counts what an import did.
type Result struct {
	BundleID    string `json:"bundle_id"`
	Sender      string `json:"sender"`
	TrustedAs   string `json:"trusted_as"`
	Fingerprint string `json:"fingerprint"`
	Records     int    `json:"records"`
	Inserted    int    `json:"inserted"`
	Updated     int    `json:"updated"`
	Unchanged   int    `json:"unchanged"`
}

// Import verifies a bundle against the keys inst trusts and stores its
// records by their stable ids. A record id already received from another
// key is refused, so that one sender cannot overwrite another's records.
// Importing the same bundle again changes nothing.
func Import(ctx context.Context, q db.Q, inst string, data []byte) (Result, error) {
	keys, err := Keys(ctx, q, inst)
	if err != nil {
		return Result{}, err
	}
	v, err := Verify(data, func(fp string) (string, bool) {
		for _, k := range keys {
			if k.Fingerprint == fp {
				return k.Name, true
			}
		}
		return "", false
	})
	if err != nil {
		return Result{}, err
	}
	c := v.Content
	res := Result{BundleID: c.BundleID, Sender: c.Sender, TrustedAs: v.TrustedAs, Fingerprint: v.Fingerprint, Records: len(c.Records)}
	now := db.Now()
	for _, r := range c.Records {
		sum := sha256.Sum256(append(append([]byte(r.Kind+"\x00"+r.Title+"\x00"+r.Date+"\x00"+r.Sensitivity+"\x00"), r.Body...), []byte("\x00"+c.Sender)...))
		hash := hex.EncodeToString(sum[:])
		var oldFP, oldHash string
		err := q.QueryRow(ctx, "SELECT fingerprint, hash FROM exchange_records WHERE institution_id = ? AND record_id = ?", inst, r.ID).Scan(&oldFP, &oldHash)
		level, _ := sensitivity.Parse(r.Sensitivity)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := q.Exec(ctx, `INSERT INTO exchange_records (institution_id, record_id, fingerprint, sender, kind, title, record_date, sensitivity,
				body, hash, bundle_id, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				inst, r.ID, v.Fingerprint, c.Sender, r.Kind, r.Title, r.Date, int(level), string(r.Body), hash, c.BundleID, now, now); err != nil {
				return res, err
			}
			res.Inserted++
		case err != nil:
			return res, err
		case oldFP != v.Fingerprint:
			return res, fmt.Errorf("record %s was received before from another key (%s): refused", r.ID, oldFP)
		case oldHash == hash:
			res.Unchanged++
		default:
			if _, err := q.Exec(ctx, `UPDATE exchange_records SET sender = ?, kind = ?, title = ?, record_date = ?, sensitivity = ?, body = ?, hash = ?,
				bundle_id = ?, updated_at = ? WHERE institution_id = ? AND record_id = ?`,
				c.Sender, r.Kind, r.Title, r.Date, int(level), string(r.Body), hash, c.BundleID, now, inst, r.ID); err != nil {
				return res, err
			}
			res.Updated++
		}
	}
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM exchange_bundles WHERE institution_id = ? AND bundle_id = ? AND fingerprint = ?",
		inst, c.BundleID, v.Fingerprint).Scan(&n); err != nil {
		return res, err
	}
	if n == 0 {
		if _, err := q.Exec(ctx, `INSERT INTO exchange_bundles (id, institution_id, bundle_id, fingerprint, sender, level, created_at, received_at,
			records, inserted, updated, unchanged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			db.NewID(), inst, c.BundleID, v.Fingerprint, c.Sender, int(v.Level), c.CreatedAt, now, res.Records, res.Inserted, res.Updated, res.Unchanged); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Received is a bundle as the receiver recorded it.
type Received struct {
	ID, BundleID, Fingerprint, Sender, TrustedAs string
	Level                                        sensitivity.Level
	CreatedAt, ReceivedAt                        string
	Records, Inserted, Updated, Unchanged        int
}

// Bundles lists the bundles inst received, newest first, with the name it
// gave the signing key.
func Bundles(ctx context.Context, q db.Q, inst string) ([]Received, error) {
	rows, err := q.Query(ctx, `SELECT b.id, b.bundle_id, b.fingerprint, b.sender, COALESCE(k.name, ''), b.level, b.created_at, b.received_at,
		b.records, b.inserted, b.updated, b.unchanged
		FROM exchange_bundles b LEFT JOIN exchange_keys k ON k.institution_id = b.institution_id AND k.fingerprint = b.fingerprint
		WHERE b.institution_id = ? ORDER BY b.received_at DESC, b.id`, inst)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Received
	for rows.Next() {
		var b Received
		var level int64
		if err := rows.Scan(&b.ID, &b.BundleID, &b.Fingerprint, &b.Sender, &b.TrustedAs, &level, &b.CreatedAt, &b.ReceivedAt,
			&b.Records, &b.Inserted, &b.Updated, &b.Unchanged); err != nil {
			return nil, err
		}
		b.Level = sensitivity.Level(level)
		out = append(out, b)
	}
	return out, rows.Err()
}

// StoredRecord is a record received from another instance.
type StoredRecord struct {
	RecordID, Fingerprint, Sender, Kind, Title, Date string
	Sensitivity                                      sensitivity.Level
	Body                                             string
	BundleID, ReceivedAt, UpdatedAt                  string
}

// Records lists what inst received, by sender then date, that a reader
// cleared up to max may see.
func Records(ctx context.Context, q db.Q, inst string, max sensitivity.Level) ([]StoredRecord, error) {
	rows, err := q.Query(ctx, `SELECT record_id, fingerprint, sender, kind, title, record_date, sensitivity, body, bundle_id, received_at, updated_at
		FROM exchange_records WHERE institution_id = ? AND sensitivity <= ? ORDER BY sender, kind, record_date, record_id`, inst, int(max))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredRecord
	for rows.Next() {
		var r StoredRecord
		var level int64
		if err := rows.Scan(&r.RecordID, &r.Fingerprint, &r.Sender, &r.Kind, &r.Title, &r.Date, &level, &r.Body, &r.BundleID, &r.ReceivedAt, &r.UpdatedAt); err != nil {
			return nil, err
		}
		r.Sensitivity = sensitivity.Level(level)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return sensitivity.Filter(max, out, func(r StoredRecord) sensitivity.Level { return r.Sensitivity }), nil
}
