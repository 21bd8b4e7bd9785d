package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"vigil/db"
	"vigil/sensitivity"
	"vigil/treaty"
)

func init() {
	register(command{"treaty", "treaty ratification monitor: status of a State, summary of an instrument", treatyCmd})
}

const treatySynopsis = `treaty status --state XXX [--institution ID] [--json]
       vigil treaty instrument ID [--json]
  (both also take --db URL --data DIR; load the data with 'vigil import untc DIR')`

func treatyCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags("treaty", treatySynopsis)
		if err := parse(fs, args); err != nil {
			return err
		}
		return usagef("missing subcommand: status or instrument")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("treaty "+sub, treatySynopsis)
	sf := addStoreFlags(fs)
	state := fs.String("state", "", "ISO 3166-1 alpha-3 code of the State (status)")
	inst := fs.String("institution", "", "institution whose checklist and confirmations count (status; default: reference data only)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	// The instrument id may come before the flags.
	var id string
	if sub == "instrument" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	switch sub {
	case "status":
		*state = strings.ToUpper(*state)
		if !treaty.ValidState(*state) {
			return usagef("--state takes an ISO 3166-1 alpha-3 code such as XVG")
		}
	case "instrument":
		if id == "" && fs.NArg() > 0 {
			id = fs.Arg(0)
		}
		if id == "" {
			return usagef("which instrument? e.g. vigil treaty instrument cat")
		}
	default:
		return usagef("unknown subcommand %q: want status or instrument", sub)
	}
	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if *inst == "" && sub == "status" {
		// With one institution in the store, its checklist is the one meant.
		err := d.Read(ctx, db.System, func(tx *db.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM institutions").Scan(&n); err != nil || n != 1 {
				return err
			}
			return tx.QueryRow(ctx, "SELECT id FROM institutions").Scan(inst)
		})
		if err != nil {
			return err
		}
	}
	scope := db.System
	if *inst != "" {
		scope = *inst
	}
	return d.Read(ctx, scope, func(tx *db.Tx) error {
		if sub == "instrument" {
			s, err := treaty.Summarise(ctx, tx, id)
			if err == treaty.ErrNotFound {
				return fmt.Errorf("no instrument %q (the catalogue's ids are like cat, cerd, iccpr; see /treaties)", id)
			} else if err != nil {
				return err
			}
			if *asJSON {
				return treatyJSON(s)
			}
			fmt.Printf("%s (%s, UNTC %s)\nparties %d, signatories %d, withdrawn %d, as of %s\n", s.Title, s.ID, s.UNTCID, s.Parties, s.Signatories, s.Withdrawn, s.AsOf)
			return nil
		}
		p, err := treaty.BuildProfile(ctx, tx, *state, *inst, sensitivity.Confidential)
		if err != nil {
			return err
		}
		if *asJSON {
			return treatyJSON(statusJSON{State: p.State, Name: p.Name, Instruments: p.Instruments, Procedures: p.Procedures, Gaps: p.Gaps})
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintf(w, "%s (%s)\nINSTRUMENT\tSTATUS\tDATE\n", p.Name, p.State)
		for _, in := range p.Instruments {
			fmt.Fprintf(w, "%s\t%s\t%s\n", in.ID, in.Status, in.Date)
		}
		fmt.Fprintf(w, "\n%d gaps\n", len(p.Gaps))
		for _, g := range p.Gaps {
			fmt.Fprintf(w, "%s\t%s\tindicators %s\n", g.Kind, g.Label, strings.Join(g.Indicators, ", "))
		}
		return w.Flush()
	})
}

type statusJSON struct {
	State       string                   `json:"state"`
	Name        string                   `json:"name"`
	Instruments []treaty.StateInstrument `json:"instruments"`
	Procedures  []treaty.ProcedureStatus `json:"procedures"`
	Gaps        []treaty.Gap             `json:"gaps"`
}

func treatyJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
