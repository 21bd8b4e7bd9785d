package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"vigil/access"
	"vigil/db"
	"vigil/importer"
)

// vigil import KIND FILE...: the command only parses its arguments, opens the
// store and hands over to the kind registered in package importer, whose doc
// describes the output and exit status every kind shares.

func init() {
	register(command{"import", "import records from files (vigil import --help lists the kinds)", runImport})
}

func runImport(ctx context.Context, args []string) error {
	fs := newFlags("import", "import KIND [--db URL] [--data DIR] [--institution ID] [--json] FILE...")
	sf := addStoreFlags(fs)
	sec := addSecretFlags(fs)
	instFlag := fs.String("institution", "", "institution whose records the import writes (default: the only one in the store)")
	countryFlag := fs.String("country", "", "ISO 3166-1 alpha-3 code: kinds that hold several countries' rows (ucdp-ged, acled) keep only this one")
	asJSON := fs.Bool("json", false, "print the result as one JSON object on standard output")
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprint(out, "Usage: vigil import KIND [--db URL] [--data DIR] [--institution ID] [--json] FILE...\n\nKinds:\n")
		kinds := importer.Kinds()
		if len(kinds) == 0 {
			fmt.Fprintln(out, "  (none in this build)")
		}
		for _, k := range kinds {
			fmt.Fprintf(out, "  %-12s %s\n", k.Name, k.Summary)
		}
		fmt.Fprint(out, "\nValid rows are imported and invalid ones reported; running a file again is safe.\n"+
			"Exit status: 0 every row imported; 1 some rows rejected (the rest imported) or the import failed;\n"+
			"2 a mistake in the command line.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	// Flags may come before or after KIND, but before the files.
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("which kind? known kinds: %s", kindNames())
	}
	name := fs.Arg(0)
	kind, ok := importer.Lookup(name)
	if !ok {
		return usagef("unknown import kind %q; known kinds: %s", name, kindNames())
	}
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return usagef("import %s: no FILE given", name)
	}
	// A missing file is a mistake in the command line: say so before the
	// store is opened and anything is written.
	for _, f := range files {
		fi, err := os.Stat(f)
		switch {
		case err != nil && strings.HasPrefix(f, "-"):
			return usagef("%s: flags go before the files", f)
		case err != nil:
			return usagef("%v", err)
		case !fi.Mode().IsRegular() && !fi.IsDir():
			return usagef("%s is neither a file nor a directory", f)
		}
	}

	d, err := sf.open(ctx)
	if err != nil {
		return importFailed(importer.Result{}, err, *asJSON)
	}
	defer d.Close()
	env, err := importEnv(ctx, d, sf.data, sec, *instFlag)
	if err != nil {
		return importFailed(importer.Result{}, err, *asJSON)
	}
	env.Country = strings.ToUpper(strings.TrimSpace(*countryFlag))
	p := importer.NewProgress("import " + name)
	res, err := kind.Run(importer.WithEnv(ctx, env), d, files, p)
	p.Done()
	if err != nil {
		return importFailed(res, err, *asJSON)
	}
	if err := importer.Report(os.Stdout, res, *asJSON); err != nil {
		return err
	}
	if res.Rejected > 0 || len(res.Errors) > 0 {
		// Exit status 1 so that scripts notice; the result is already out.
		return fmt.Errorf("%d row(s) rejected; the other rows were imported", res.Rejected)
	}
	return nil
}

// importFailed prints what was done before a fatal error (with --json, the
// one JSON object, carrying the error) and returns the error for exit
// status 1.
func importFailed(res importer.Result, err error, asJSON bool) error {
	if rerr := importer.ReportError(os.Stdout, res, err, asJSON); rerr != nil {
		return rerr
	}
	return err
}

// importEnv picks the institution (the flag, or the only one in the store)
// and loads the keys an import may need.
func importEnv(ctx context.Context, d *db.DB, dataDir string, sec *secrets, inst string) (importer.Env, error) {
	kr, alog, err := sec.load(dataDir)
	if err != nil {
		return importer.Env{}, err
	}
	env := importer.Env{Actor: "vigil cli (" + osUser() + ")", Audit: alog, Keys: kr, Institution: inst}
	err = d.Read(ctx, db.System, func(tx *db.Tx) error {
		ins, err := access.ListInstitutions(ctx, tx)
		if err != nil {
			return err
		}
		if inst != "" {
			for _, in := range ins {
				if in.ID == inst {
					return nil
				}
			}
			return usagef("no institution %q (vigil institution list shows them)", inst)
		}
		if len(ins) == 1 {
			env.Institution = ins[0].ID
		}
		return nil
	})
	return env, err
}

func kindNames() string {
	var names []string
	for _, k := range importer.Kinds() {
		names = append(names, k.Name)
	}
	if len(names) == 0 {
		return "none in this build"
	}
	return strings.Join(names, ", ")
}
