package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"vigil/access"
	"vigil/db"
	"vigil/engage"
	"vigil/report"
	"vigil/sensitivity"
)

// The activity report belongs under 'vigil report activities'; it is its
// own command until the report command takes subcommands.
func init() {
}

const activitiesSynopsis = `report activities --from YYYY-MM-DD --to YYYY-MM-DD [--format html|pdf|json] [--edition public|partners|internal] -o FILE
       [--institution ID] [--db URL] [--data DIR]
  The edition is the widest sensitivity the report may hold (default partners, the level meant for the Special Adviser's office).`

func runActivitiesReport(ctx context.Context, args []string) error {
	fs := newFlags("report activities", activitiesSynopsis)
	sf := addStoreFlags(fs)
	from := fs.String("from", "", "first day of the period (YYYY-MM-DD)")
	to := fs.String("to", "", "last day of the period (YYYY-MM-DD)")
	format := fs.String("format", "html", "html, pdf or json")
	edition := fs.String("edition", "partners", "widest sensitivity in the report: public, partners or internal")
	out := fs.String("o", "", "output file (- for standard output; not for pdf)")
	inst := fs.String("institution", "", "institution id (may be left out when the store holds one institution)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *from == "" || *to == "" || *out == "" {
		return usagef("--from, --to and -o are required")
	}
	for _, d := range []struct{ v, n string }{{*from, "--from"}, {*to, "--to"}} {
		if err := engage.ValidDate(d.v, d.n); err != nil {
			return usagef("%v", err)
		}
	}
	level, err := sensitivity.Parse(*edition)
	if err != nil {
		return usagef("--edition: %v", err)
	}
	if level == sensitivity.Confidential {
		return usagef("--edition confidential is not offered: a report that leaves the institution holds at most internal records")
	}
	switch *format {
	case "html", "json":
	case "pdf":
		if *out == "-" {
			return usagef("a PDF needs a file: give -o FILE")
		}
		if _, err := report.ChromiumPath(); err != nil {
			return err
		}
	default:
		return usagef("--format %q: want html, pdf or json", *format)
	}
	if *out != "-" {
		if err := checkOutput(*out); err != nil {
			return err
		}
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
	var rep engage.Report
	err = d.Read(ctx, in.ID, func(tx *db.Tx) error {
		var err error
		rep, err = engage.BuildReport(ctx, tx, in.ID, in.Name, *from, *to, level)
		return err
	})
	if err != nil {
		return err
	}
	write := func(w io.Writer) error {
		switch *format {
		case "json":
			return rep.WriteJSON(w)
		case "pdf":
			pdf, err := rep.PDF(ctx)
			if err != nil {
				return err
			}
			_, err = w.Write(pdf)
			return err
		}
		return rep.WriteHTML(w)
	}
	if *out == "-" {
		return write(os.Stdout)
	}
	if err := replaceFile(*out, write); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "vigil report activities: %d activities from %s to %s (%s edition) written to %s\n", rep.Total, *from, *to, level, *out)
	return nil
}

// pickInstitution is the institution named by --institution, or the only
// one in the store.
func pickInstitution(ctx context.Context, d *db.DB, id string) (access.Institution, error) {
	var in access.Institution
	err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		if id != "" {
			var err error
			if in, err = access.GetInstitution(ctx, tx, id); err != nil {
				return usagef("institution %q: %v", id, err)
			}
			return nil
		}
		all, err := access.ListInstitutions(ctx, tx)
		if err != nil {
			return err
		}
		switch len(all) {
		case 0:
			return errors.New("the store holds no institution (vigil institution add, or vigil demo)")
		case 1:
			in = all[0]
			return nil
		}
		var ids []string
		for _, i := range all {
			ids = append(ids, i.ID+" ("+i.Name+")")
		}
		return usagef("the store holds several institutions: choose one with --institution: %s", strings.Join(ids, ", "))
	})
	return in, err
}
