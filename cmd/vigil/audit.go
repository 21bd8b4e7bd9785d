package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"vigil/audit"
	"vigil/db"
)

func init() {
	register(command{"audit", "verify the audit trail or sign checkpoints of it", runAudit})
}

const auditUsage = `Usage: vigil audit SUBCOMMAND [flags]

Subcommands:
  verify      check every institution's audit chain; fails naming the first damaged entry
  checkpoint  sign the current head of every institution's chain

Run 'vigil audit SUBCOMMAND --help' for its flags.`

func runAudit(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, auditUsage)
		return usagef("missing subcommand: verify or checkpoint")
	}
	switch args[0] {
	case "verify":
		return auditVerify(ctx, args[1:])
	case "checkpoint":
		return auditCheckpoint(ctx, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(os.Stderr, auditUsage)
		return flag.ErrHelp
	}
	return usagef("unknown subcommand %q: want verify or checkpoint", args[0])
}

// auditKeyPath is --key, or the key file in the data directory, where the
// server keeps it.
func auditKeyPath(flagValue, data string) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(data, "audit_ed25519.key")
}

func auditVerify(ctx context.Context, args []string) error {
	fl := newFlags("audit verify", "audit verify [--db URL] [--data DIR] [--key FILE] [--json]")
	sf := addStoreFlags(fl)
	keyFlag := fl.String("key", "", "signing key, or a PEM public key, to check checkpoint signatures with (default DATA/audit_ed25519.key)")
	asJSON := fl.Bool("json", false, "print the report as JSON")
	if err := parse(fl, args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usagef("unexpected argument %q", fl.Arg(0))
	}
	path := auditKeyPath(*keyFlag, sf.data)
	pub, err := audit.LoadPublicKey(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && *keyFlag == "":
		// Hashes, links and heads can still be checked; say plainly that
		// signatures were not, rather than fail a store that never signed.
		fmt.Fprintf(os.Stderr, "vigil audit verify: no key at %s: checkpoint signatures not checked\n", path)
	case err != nil:
		return err
	}
	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, verr := audit.Verify(ctx, d, pub)
	if verr != nil && !errors.Is(verr, audit.ErrDamaged) {
		return verr
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
		return verr
	}
	for _, p := range rep.Problems {
		fmt.Printf("DAMAGED %s\n", p)
	}
	if verr != nil {
		return verr
	}
	sigs := "signatures not checked"
	if pub != nil {
		sigs = "signatures verified with key " + audit.KeyID(pub)
	}
	fmt.Printf("audit trail intact: %d chain(s), %d entries, %d checkpoint(s) checked; %s\n",
		rep.Chains, rep.Entries, rep.Checkpoints, sigs)
	return nil
}

func auditCheckpoint(ctx context.Context, args []string) error {
	fl := newFlags("audit checkpoint", "audit checkpoint [--db URL] [--data DIR] [--key FILE]")
	sf := addStoreFlags(fl)
	keyFlag := fl.String("key", "", "ed25519 signing key, created if missing (default DATA/audit_ed25519.key)")
	if err := parse(fl, args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usagef("unexpected argument %q", fl.Arg(0))
	}
	path := auditKeyPath(*keyFlag, sf.data)
	_, statErr := os.Stat(path)
	key, err := audit.LoadOrCreateKey(path)
	if err != nil {
		return err
	}
	keyID := audit.KeyID(key.Public().(ed25519.PublicKey))
	if errors.Is(statErr, fs.ErrNotExist) {
		// Every server must sign with the same key, or verification with
		// any one of them fails: make a new key impossible to miss.
		fmt.Fprintf(os.Stderr, "vigil audit checkpoint: created signing key %s (key ID %s); back it up and use the same file on every server\n", path, keyID)
	}
	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	var heads []audit.Head
	if err := d.Read(ctx, db.System, func(tx *db.Tx) (err error) {
		heads, err = audit.Heads(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	l := &audit.Log{Signer: key, KeyID: keyID}
	for _, h := range heads {
		if err := l.Checkpoint(ctx, d, h.Institution); err != nil {
			return err
		}
	}
	fmt.Printf("signed the heads of %d chain(s) with key %s\n", len(heads), keyID)
	return nil
}
