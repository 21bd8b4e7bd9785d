package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/report"
	"vigil/risk"
	"vigil/sensitivity"
)

func init() {
	register(command{"report", "write a report: annual, briefing (atrocity-crime risks) or activities (to the UN Special Adviser's office)", reportCmd})
}

const reportSynopsis = `report activities --from DATE --to DATE --format html|pdf|json -o FILE  (vigil report activities --help)
       vigil report annual|briefing --country ISO3 --year YYYY [--format html|pdf] [--edition public|confidential]
       [--lang en|fr|es|ar] [--institution ID] -o FILE   [--db URL] [--data DIR]
  The assessment used is the published version for that country and year if there is one, else the latest.
  The public edition holds nothing above public sensitivity; the confidential edition is watermarked and
  its writing is recorded in the audit trail. PDF needs Chromium (VIGIL_CHROMIUM or chromium on PATH).`

func reportCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags("report", reportSynopsis)
		if err := parse(fs, args); err != nil {
			return err
		}
		return usagef("which report? annual, briefing or activities")
	}
	kind, args := args[0], args[1:]
	if kind == "activities" {
		return runActivitiesReport(ctx, args)
	}
	if kind != "annual" && kind != "briefing" {
		return usagef("unknown report %q: want annual, briefing or activities", kind)
	}
	fs := newFlags("report "+kind, reportSynopsis)
	sf := addStoreFlags(fs)
	sec := addSecretFlags(fs)
	country := fs.String("country", "", "country, ISO 3166-1 alpha-3 (e.g. XVG)")
	year := fs.String("year", "", "period of the assessment, usually a year")
	format := fs.String("format", "html", "html or pdf")
	edition := fs.String("edition", "public", "public or confidential")
	lang := fs.String("lang", "en", "language: en, fr, es or ar")
	instID := fs.String("institution", "", "institution id, when several institutions have assessed the country")
	out := fs.String("o", "", "output file (- for standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	*country = strings.ToUpper(strings.TrimSpace(*country))
	switch {
	case *country == "" || *year == "":
		return usagef("report %s needs --country and --year", kind)
	case *out == "":
		return usagef("report %s needs -o FILE", kind)
	case *format != "html" && *format != "pdf":
		return usagef("--format %q: want html or pdf", *format)
	}
	if _, ok := report.Languages[*lang]; !ok {
		return usagef("--lang %q: want en, fr, es or ar", *lang)
	}
	if _, err := report.Level(*edition); err != nil {
		return usagef("--edition: %v", err)
	}
	if *format == "pdf" {
		if _, err := report.ChromiumPath(); err != nil {
			return err
		}
	}
	d, _, alog, err := openWithSecrets(ctx, sf, sec)
	if err != nil {
		return err
	}
	defer d.Close()
	var data report.Data
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		inst := *instID
		if inst == "" {
			rows, err := tx.Query(ctx, "SELECT DISTINCT institution_id FROM risk_assessments WHERE country = ? AND period = ?", *country, *year)
			if err != nil {
				return err
			}
			var ids []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			switch len(ids) {
			case 0:
				return fmt.Errorf("no assessment of %s for %s in this store", *country, *year)
			case 1:
				inst = ids[0]
			default:
				return usagef("several institutions assessed %s for %s: choose one with --institution (%s)", *country, *year, strings.Join(ids, ", "))
			}
		}
		in, err := access.GetInstitution(ctx, tx, inst)
		if err != nil {
			return usagef("institution %q: %v", inst, err)
		}
		a, err := risk.Find(ctx, tx, inst, *country, *year, sensitivity.Confidential)
		if errors.Is(err, risk.ErrNotFound) {
			return fmt.Errorf("no assessment of %s for %s in institution %s", *country, *year, inst)
		} else if err != nil {
			return err
		}
		hist, err := risk.History(ctx, tx, inst, a.Country, a.Period, sensitivity.Confidential)
		if err != nil {
			return err
		}
		var prev *risk.Assessment
		if p, err := risk.Previous(ctx, tx, inst, a, sensitivity.Confidential); err == nil {
			prev = &p
		} else if !errors.Is(err, risk.ErrNotFound) {
			return err
		}
		lvl, err := report.Level(*edition)
		if err != nil {
			return usagef("%v", err)
		}
		links, err := risk.LoadLinks(ctx, tx, inst, a, lvl)
		if err != nil {
			return err
		}
		if data, err = report.Build(a, hist, prev, report.Options{Edition: *edition, Lang: *lang, Institution: in.Name, Links: links}); err != nil {
			return err
		}
		if *edition == report.Confidential {
			return alog.Append(ctx, tx, audit.Entry{Institution: inst, ActorName: "vigil cli (" + osUser() + ")", Action: "risk.report.confidential",
				ObjectType: "risk_assessment", ObjectID: a.ID, Detail: kind + " " + *format + " " + *lang})
		}
		return nil
	})
	if err != nil {
		return err
	}
	body, err := report.HTML(kind, data)
	if err != nil {
		return err
	}
	if *format == "pdf" {
		if body, err = report.PDF(ctx, body); err != nil {
			return err
		}
	}
	if *out == "-" {
		_, err = os.Stdout.Write(body)
		return err
	}
	if err := os.WriteFile(*out, body, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%s %s, %s edition, %s, assessment version %d, %d bytes)\n", *out, kind, *format, *edition, *lang, data.A.Version, len(body))
	return nil
}
