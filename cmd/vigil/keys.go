package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"vigil/fieldcrypt"
	"vigil/importer"
)

// vigil keys add|rotate|list: the field-encryption keys of package
// fieldcrypt. No subcommand ever prints key material.

func init() {
	register(command{"keys", "field-encryption keys: add a key, rotate data to it, list keys", runKeys})
}

const keysUsage = `Usage: vigil keys SUBCOMMAND [flags]

  add     append a new active key to the key file (prints its id)
  rotate  re-encrypt every encrypted column under the active key
  list    list the key ids and which one is active

Rotating keys:
  1. vigil keys add
  2. restart every server, so that all of them hold the new key
  3. vigil keys rotate   (servers may keep running)
  4. remove an old key from the file only once rotate reports nothing left
     under it and no backup you may still restore was made under it.
`

func runKeys(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, keysUsage)
		return usagef("which subcommand? add, rotate or list")
	}
	switch args[0] {
	case "add":
		return keysAdd(args[1:])
	case "rotate":
		return keysRotate(ctx, args[1:])
	case "list":
		return keysList(args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(os.Stderr, keysUsage)
		return flag.ErrHelp
	default:
		return usagef("unknown subcommand %q; want add, rotate or list", args[0])
	}
}

// keyFileFlag adds --keys; the default is resolved after parsing, because it
// depends on --data.
func keyFileFlag(fs *flag.FlagSet) *string {
	return fs.String("keys", "", "key file (env "+fieldcrypt.EnvKeyFile+"; default DATA/field.keys)")
}

func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", envOr("VIGIL_DATA", "data"), "data directory (env VIGIL_DATA)")
}

func keyPath(flagValue, data string) string {
	if flagValue != "" {
		return flagValue
	}
	return fieldcrypt.DefaultPath(data)
}

func keysAdd(args []string) error {
	fs := newFlags("keys add", "keys add [--keys FILE] [--data DIR]")
	keys, data := keyFileFlag(fs), dataFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fieldcrypt.FromEnv() && *keys == "" {
		return fmt.Errorf("%s is set, so Vigil reads its keys from there and not from a file; "+
			"make the key with %s unset and --keys naming a private file, then copy its line into your secret store",
			fieldcrypt.EnvKeys, fieldcrypt.EnvKeys)
	}
	path := keyPath(*keys, *data)
	id, err := fieldcrypt.Generate(path)
	if err != nil {
		return err
	}
	fmt.Println(id)
	fmt.Fprintf(os.Stderr, "added key %s to %s; it is now the active key.\n"+
		"Next: restart every server, then run 'vigil keys rotate'. Keep a copy of the key file apart from the database backups.\n", id, path)
	if fieldcrypt.FromEnv() {
		fmt.Fprintf(os.Stderr, "note: %s is set and takes precedence over this file.\n", fieldcrypt.EnvKeys)
	}
	return nil
}

func keysList(args []string) error {
	fs := newFlags("keys list", "keys list [--keys FILE] [--data DIR]")
	keys, data := keyFileFlag(fs), dataFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	path := keyPath(*keys, *data)
	kr, err := fieldcrypt.Load(path)
	if err != nil {
		return err
	}
	if fieldcrypt.FromEnv() {
		fmt.Fprintf(os.Stderr, "keys from %s\n", fieldcrypt.EnvKeys)
	} else {
		fmt.Fprintf(os.Stderr, "keys from %s\n", path)
	}
	for _, id := range kr.IDs() {
		if id == kr.Active() {
			fmt.Printf("%s  active\n", id)
		} else {
			fmt.Println(id)
		}
	}
	return nil
}

func keysRotate(ctx context.Context, args []string) error {
	fs := newFlags("keys rotate", "keys rotate [--db URL] [--data DIR] [--keys FILE]")
	sf := addStoreFlags(fs)
	keys := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	// Load, never create: a fresh key here would encrypt everything under a
	// key that no server has.
	kr, err := fieldcrypt.Load(keyPath(*keys, sf.data))
	if err != nil {
		return err
	}
	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()

	p := importer.NewProgress("re-encrypting")
	last := 0
	results, err := fieldcrypt.Rotate(ctx, d, kr, func(done int) { p.Add(done - last); last = done })
	p.Done()
	remaining := 0
	for _, r := range results {
		fmt.Printf("%s: %d re-encrypted, %d encrypted (were plaintext), %d failed; %d under key %s, %d not\n",
			r.Column, r.Rotated, r.Encrypted, r.Failed, r.Current, kr.Active(), r.Remaining)
		if r.Conflicts > 0 {
			fmt.Fprintf(os.Stderr, "%s: %d row(s) changed by a running server during the run were read again\n", r.Column, r.Conflicts)
		}
		if r.Failed > 0 {
			fmt.Fprintf(os.Stderr, "%s: these records do not decrypt and were left as they are: %s\n  first reason: %v\n",
				r.Column, strings.Join(r.FailedIDs, ", "), r.FailedWhy)
		}
		remaining += r.Remaining
	}
	if err != nil {
		return err
	}
	if remaining > 0 {
		return fmt.Errorf("%d value(s) are still not under key %s; keep the older keys, see the messages above, and run 'vigil keys rotate' again",
			remaining, kr.Active())
	}
	fmt.Printf("every encrypted value is under key %s\n", kr.Active())
	return nil
}
