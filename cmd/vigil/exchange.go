package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"vigil/audit"
	"vigil/db"
	"vigil/exchange"
	"vigil/sensitivity"
)

func init() {
	register(command{"exchange", "signed bundles between Vigil instances: key, export, import, trust, list", runExchange})
}

const exchangeUsage = `Usage:
  vigil exchange key    [--signing-key FILE]                       print this instance's public key and fingerprint
  vigil exchange export --level public|partners -o FILE [--institution ID] [--signing-key FILE]
  vigil exchange import FILE [--institution ID] [--json]
  vigil exchange trust  --name "INSTITUTION" --key BASE64 [--institution ID]
  vigil exchange list   [--institution ID]                         trusted keys and bundles received
  (every form also takes --db URL --data DIR; the signing key defaults to DATA/exchange_ed25519.key, env VIGIL_EXCHANGE_KEY)`

func runExchange(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, exchangeUsage)
		return usagef("missing subcommand: key, export, import, trust or list")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(os.Stderr, exchangeUsage)
		return flag.ErrHelp
	case "key", "export", "import", "trust", "list":
	default:
		return usagef("unknown subcommand %q: want key, export, import, trust or list", sub)
	}
	fs := newFlags("exchange "+sub, "exchange "+sub+" (see vigil exchange --help)")
	sf := addStoreFlags(fs)
	sec := addSecretFlags(fs)
	keyPath := fs.String("signing-key", os.Getenv("VIGIL_EXCHANGE_KEY"), "ed25519 key that signs bundles (default DATA/exchange_ed25519.key, created when missing)")
	inst := fs.String("institution", "", "institution id (may be left out when the store holds one institution)")
	level := fs.String("level", "", "export: public or partners")
	out := fs.String("o", "", "export: bundle file to write")
	name := fs.String("name", "", "trust: the institution that holds the key")
	key := fs.String("key", "", "trust: the public key, as 'vigil exchange key' prints it on the sending instance")
	asJSON := fs.Bool("json", false, "import: print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	signingKey := func() (ed25519.PrivateKey, error) {
		p := *keyPath
		if p == "" {
			p = filepath.Join(sf.data, "exchange_ed25519.key")
		}
		return audit.LoadOrCreateKey(p)
	}
	if sub == "key" {
		k, err := signingKey()
		if err != nil {
			return err
		}
		pub := k.Public().(ed25519.PublicKey)
		fmt.Printf("public key:  %s\nfingerprint: %s\n", exchange.EncodePublicKey(pub), exchange.Fingerprint(pub))
		fmt.Fprintln(os.Stderr, "Give the public key to the receiving institution; read the fingerprint to them by another channel before they trust it.")
		return nil
	}
	// Check the caller's input before the store is opened.
	var lvl sensitivity.Level
	var bundle []byte
	switch sub {
	case "export":
		var err error
		if lvl, err = sensitivity.Parse(*level); err != nil || !sensitivity.Allows(exchange.MaxLevel, lvl) {
			return usagef("--level must be public or partners: nothing more sensitive leaves the institution in a bundle")
		}
		if *out == "" {
			return usagef("export needs -o FILE")
		}
		if err := checkOutput(*out); err != nil {
			return err
		}
	case "import":
		if fs.NArg() != 1 {
			return usagef("import needs exactly one bundle file")
		}
		var err error
		if bundle, err = os.ReadFile(fs.Arg(0)); err != nil {
			return usagef("%v", err)
		}
	case "trust":
		if *name == "" || *key == "" {
			return usagef("trust needs --name and --key")
		}
		if _, err := exchange.DecodePublicKey(*key); err != nil {
			return usagef("--key: %v", err)
		}
	}
	if sub != "import" && fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	in, err := pickInstitution(ctx, d, *inst)
	if err != nil {
		return err
	}
	_, alog, err := sec.load(sf.data)
	if err != nil {
		return err
	}
	rec := func(tx *db.Tx, action, typ, id, detail string) error {
		return alog.Append(ctx, tx, audit.Entry{Institution: in.ID, ActorName: "vigil cli (" + osUser() + ")", Action: action, ObjectType: typ, ObjectID: id, Detail: detail})
	}
	switch sub {
	case "export":
		k, err := signingKey()
		if err != nil {
			return err
		}
		var data []byte
		var n int
		err = d.Write(ctx, in.ID, func(tx *db.Tx) error {
			c, err := exchange.Export(ctx, tx, in.ID, in.Name, in.CountryCode, lvl)
			if err != nil {
				return err
			}
			if data, err = exchange.Sign(c, k); err != nil {
				return err
			}
			n = len(c.Records)
			return rec(tx, "exchange.export", "bundle", c.BundleID, fmt.Sprintf("level=%s records=%d", lvl, n))
		})
		if err != nil {
			return err
		}
		if err := replaceFile(*out, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "vigil exchange export: %d records at %s level or wider, signed by %s, written to %s\n",
			n, lvl, exchange.Fingerprint(k.Public().(ed25519.PublicKey)), *out)
		return nil
	case "import":
		var res exchange.Result
		err := d.Write(ctx, in.ID, func(tx *db.Tx) error {
			var err error
			if res, err = exchange.Import(ctx, tx, in.ID, bundle); err != nil {
				return err
			}
			return rec(tx, "exchange.import", "bundle", res.BundleID, fmt.Sprintf("from=%s inserted=%d updated=%d unchanged=%d", res.Fingerprint, res.Inserted, res.Updated, res.Unchanged))
		})
		if err != nil {
			return fmt.Errorf("%s refused: %w", fs.Arg(0), err)
		}
		if *asJSON {
			return json.NewEncoder(os.Stdout).Encode(res)
		}
		fmt.Printf("bundle %s from %s (key trusted as %q, %s): %d records, %d new, %d updated, %d unchanged\n",
			res.BundleID, res.Sender, res.TrustedAs, res.Fingerprint, res.Records, res.Inserted, res.Updated, res.Unchanged)
		return nil
	case "trust":
		var k exchange.Key
		err := d.Write(ctx, in.ID, func(tx *db.Tx) error {
			var err error
			if k, err = exchange.Trust(ctx, tx, in.ID, *name, *key, "vigil cli ("+osUser()+")"); err != nil {
				return usagef("%v", err)
			}
			return rec(tx, "exchange.trust", "exchange_key", k.ID, "fingerprint="+k.Fingerprint)
		})
		if err == nil {
			fmt.Printf("trusted %s as %q\n", k.Fingerprint, k.Name)
		}
		return err
	}
	// list
	return d.Read(ctx, in.ID, func(tx *db.Tx) error {
		keys, err := exchange.Keys(ctx, tx, in.ID)
		if err != nil {
			return err
		}
		bs, err := exchange.Bundles(ctx, tx, in.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TRUSTED KEY\tFINGERPRINT\tADDED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Name, k.Fingerprint, k.AddedAt[:10])
		}
		fmt.Fprintln(tw, "\nBUNDLE\tFROM\tRECEIVED\tRECORDS\tNEW\tUPDATED\tUNCHANGED")
		for _, b := range bs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\n", b.BundleID, b.Sender, b.ReceivedAt[:10], b.Records, b.Inserted, b.Updated, b.Unchanged)
		}
		return tw.Flush()
	})
}
