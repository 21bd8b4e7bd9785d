package exchange_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/engage"
	"vigil/exchange"
	"vigil/sensitivity"
)

// instance is one Vigil store with one institution.
type instance struct {
	d    *db.DB
	inst access.Institution
	key  ed25519.PrivateKey
}

func newInstance(t *testing.T, open func(testing.TB) *db.DB, name string) instance {
	t.Helper()
	ctx := context.Background()
	in := instance{d: open(t)}
	_, in.key, _ = ed25519.GenerateKey(rand.Reader)
	err := in.d.Write(ctx, db.System, func(tx *db.Tx) error {
		var err error
		in.inst, err = access.CreateInstitution(ctx, tx, name, "XVG")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// seed gives the sender one record at each level, with a confidential contact.
func seed(t *testing.T, s instance) map[sensitivity.Level]string {
	ctx := context.Background()
	ids := map[sensitivity.Level]string{}
	err := s.d.Write(ctx, s.inst.ID, func(tx *db.Tx) error {
		p, err := engage.CreatePartner(ctx, tx, s.inst.ID, "u", engage.Partner{Name: "Regional Network", Kind: "regional_network", Sensitivity: sensitivity.Public})
		if err != nil {
			return err
		}
		for _, l := range sensitivity.All {
			a, err := engage.CreateActivity(ctx, tx, s.inst.ID, "u", sensitivity.Confidential, engage.Activity{Kind: "good_practice",
				Title: "Activity at " + l.String(), StartDate: "2026-04-0" + string(rune('0'+int(l))), Sensitivity: l, PartnerIDs: []string{p.ID}})
			if err != nil {
				return err
			}
			ids[l] = a.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func export(t *testing.T, s instance, level sensitivity.Level) []byte {
	t.Helper()
	var out []byte
	err := s.d.Read(context.Background(), s.inst.ID, func(tx *db.Tx) error {
		c, err := exchange.Export(context.Background(), tx, s.inst.ID, s.inst.Name, "XVG", level)
		if err != nil {
			return err
		}
		out, err = exchange.Sign(c, s.key)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func importInto(r instance, data []byte) (exchange.Result, error) {
	var res exchange.Result
	err := r.d.Write(context.Background(), r.inst.ID, func(tx *db.Tx) error {
		var err error
		res, err = exchange.Import(context.Background(), tx, r.inst.ID, data)
		return err
	})
	return res, err
}

func count(t *testing.T, r instance, table string) int {
	var n int
	err := r.d.Read(context.Background(), r.inst.ID, func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table+" WHERE institution_id = ?", r.inst.ID).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTwoInstances: a bundle goes from one store to another; a tampered
// bundle and an untrusted key are refused; a re-import changes nothing;
// nothing above the chosen level travels.
func TestTwoInstances(t *testing.T) {
	for _, dialect := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		t.Run(dialect.name, func(t *testing.T) {
			ctx := context.Background()
			sender := newInstance(t, dialect.open, "Commission of Vangoria")
			receiver := newInstance(t, dialect.open, "Ombudsperson of Ostland")
			ids := seed(t, sender)
			bundle := export(t, sender, sensitivity.Partners)

			// Nothing above partners is in the bundle, in any form.
			for _, l := range []sensitivity.Level{sensitivity.Internal, sensitivity.Confidential} {
				if bytes.Contains(bundle, []byte(ids[l])) || bytes.Contains(bundle, []byte("Activity at "+l.String())) {
					t.Errorf("a %s record is in the partners bundle", l)
				}
			}
			if !bytes.Contains(bundle, []byte(ids[sensitivity.Partners])) {
				t.Error("the partners record is missing from the bundle")
			}
			if pub := export(t, sender, sensitivity.Public); bytes.Contains(pub, []byte(ids[sensitivity.Partners])) {
				t.Error("a partners record is in the public bundle")
			}
			// Untrusted key.
			if _, err := importInto(receiver, bundle); !errors.Is(err, exchange.ErrUntrusted) || !strings.Contains(err.Error(), "vigil exchange trust") {
				t.Errorf("untrusted key: %v", err)
			}
			if n := count(t, receiver, "exchange_records"); n != 0 {
				t.Fatalf("refused bundle left %d records", n)
			}
			err := receiver.d.Write(ctx, receiver.inst.ID, func(tx *db.Tx) error {
				_, err := exchange.Trust(ctx, tx, receiver.inst.ID, "Commission of Vangoria", exchange.EncodePublicKey(sender.key.Public().(ed25519.PublicKey)), "admin")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// Tampered: change a title inside the signed content.
			tampered := bytes.Replace(bundle, []byte("Activity at partners"), []byte("Activity at partnerz"), 1)
			if bytes.Equal(tampered, bundle) {
				t.Fatal("tampering did not change the bundle")
			}
			if _, err := importInto(receiver, tampered); !errors.Is(err, exchange.ErrTampered) {
				t.Errorf("tampered bundle: %v", err)
			}
			// A key swap (content re-signed by someone else, key replaced) is untrusted.
			var b exchange.Bundle
			json.Unmarshal(bundle, &b)
			_, other, _ := ed25519.GenerateKey(rand.Reader)
			var c exchange.Content
			json.Unmarshal(b.Content, &c)
			forged, _ := exchange.Sign(c, other)
			if _, err := importInto(receiver, forged); !errors.Is(err, exchange.ErrUntrusted) {
				t.Errorf("forged bundle: %v", err)
			}
			// The real import.
			res, err := importInto(receiver, bundle)
			if err != nil {
				t.Fatal(err)
			}
			if res.Inserted != 3 || res.Records != 3 || res.TrustedAs != "Commission of Vangoria" { // partner + public + partners activity
				t.Errorf("first import: %+v", res)
			}
			before := count(t, receiver, "exchange_records")
			res, err = importInto(receiver, bundle)
			if err != nil || res.Inserted != 0 || res.Updated != 0 || res.Unchanged != 3 {
				t.Errorf("re-import: %+v %v", res, err)
			}
			if count(t, receiver, "exchange_records") != before || count(t, receiver, "exchange_bundles") != 1 {
				t.Error("re-import changed the store")
			}
			// What came from whom.
			err = receiver.d.Read(ctx, receiver.inst.ID, func(tx *db.Tx) error {
				recs, err := exchange.Records(ctx, tx, receiver.inst.ID, sensitivity.Partners)
				if err != nil {
					return err
				}
				for _, r := range recs {
					if r.Sender != "Commission of Vangoria" || r.Sensitivity > sensitivity.Partners {
						t.Errorf("record %+v", r)
					}
				}
				pub, _ := exchange.Records(ctx, tx, receiver.inst.ID, sensitivity.Public)
				if len(pub) != 2 {
					t.Errorf("public readers see %d received records, want 2", len(pub))
				}
				bs, err := exchange.Bundles(ctx, tx, receiver.inst.ID)
				if err != nil || len(bs) != 1 || bs[0].TrustedAs != "Commission of Vangoria" {
					t.Errorf("bundles %+v %v", bs, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The sender's store is not touched by the receiver, and the sender sees nothing received.
			if count(t, sender, "exchange_records") != 0 {
				t.Error("sender has received records")
			}
		})
	}
}

// TestNothingAboveTheLevel: Sign refuses content with a record above the
// bundle's level, and a bundle level above partners; Verify refuses a
// validly signed bundle that carries one.
func TestNothingAboveTheLevel(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	rec := func(id, level string) exchange.Record {
		return exchange.Record{ID: id, Kind: "activity", Title: "t", Sensitivity: level, Body: json.RawMessage(`{}`)}
	}
	for _, c := range []exchange.Content{
		{BundleID: "b", Sender: "s", Level: "partners", Records: []exchange.Record{rec("1", "public"), rec("2", "internal")}},
		{BundleID: "b", Sender: "s", Level: "public", Records: []exchange.Record{rec("1", "partners")}},
		{BundleID: "b", Sender: "s", Level: "internal", Records: []exchange.Record{rec("1", "public")}},
		{BundleID: "b", Sender: "s", Level: "partners", Records: []exchange.Record{rec("1", "confidential")}},
		{BundleID: "b", Sender: "s", Level: "partners", Records: []exchange.Record{rec("1", "secret")}},
	} {
		if _, err := exchange.Sign(c, key); err == nil {
			t.Errorf("Sign accepted %+v", c)
		}
	}
	// A hand-made bundle with an internal record, correctly signed by a trusted key.
	raw, _ := json.Marshal(exchange.Content{Format: exchange.Format, BundleID: "b", Sender: "s", Level: "partners",
		Records: []exchange.Record{rec("1", "internal")}})
	sig := ed25519.Sign(key, append([]byte("vigil exchange bundle v1\n"), raw...))
	data, _ := json.Marshal(exchange.Bundle{Content: raw, PublicKey: exchange.EncodePublicKey(key.Public().(ed25519.PublicKey)),
		Signature: encodeSig(sig)})
	_, err := exchange.Verify(data, func(string) (string, bool) { return "x", true })
	if err == nil || !strings.Contains(err.Error(), "above the bundle's level") {
		t.Errorf("Verify of an internal record: %v", err)
	}
	if _, err := exchange.Export(context.Background(), nil, "i", "s", "", sensitivity.Internal); err == nil {
		t.Error("Export at internal level accepted")
	}
}
