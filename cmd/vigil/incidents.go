package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"vigil/incident"
)

// vigil evidence verify FILE.zip: checks an evidence export (from an
// incident's "Export the evidence" link) against its manifest, offline, the
// way a court or investigator receiving it would.

func init() {
	register(command{"evidence", "check an evidence export against its manifest: evidence verify FILE.zip", evidenceCmd})
}

const evidenceSynopsis = "evidence verify [--json] FILE.zip"

func evidenceCmd(ctx context.Context, args []string) error {
	fs := newFlags("evidence", evidenceSynopsis)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if len(args) == 0 || args[0] != "verify" {
		if err := parse(fs, args); err != nil {
			return err
		}
		return usagef("missing subcommand: verify")
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("evidence verify: give one export file")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return usagef("%v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	m, problems, err := incident.VerifyExport(f, st.Size())
	if err != nil {
		return err
	}
	if *asJSON {
		if problems == nil {
			problems = []string{}
		}
		json.NewEncoder(os.Stdout).Encode(map[string]any{"event_id": m.EventID, "files": len(m.Files), "exported_at": m.ExportedAt,
			"intact": len(problems) == 0, "problems": problems})
	} else {
		fmt.Printf("export of event %s (%s), %d file(s), made %s by %s\n", m.EventID, m.EventTitle, len(m.Files), m.ExportedAt, m.ExportedBy)
		for _, p := range problems {
			fmt.Println("  PROBLEM:", p)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s): the export is not intact", len(problems))
	}
	if !*asJSON {
		fmt.Println("every file matches its SHA-256 in the manifest")
	}
	return nil
}
