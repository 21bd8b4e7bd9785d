package recommend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/importer"
)

func init() {
	importer.Register(importer.Kind{Name: "uhri",
		Summary: "OHCHR Universal Human Rights Index JSON export (AnnotationId, Symbol, Text, Countries, Themes, Body...); needs the country list",
		Run:     ImportUHRI})
}

// uhriRecord is one annotation of the UHRI export. Field names follow the
// public export; UprPosition is read when present.
type uhriRecord struct {
	AnnotationID    string   `json:"AnnotationId"`
	Symbol          string   `json:"Symbol"`
	Text            string   `json:"Text"`
	DocumentID      string   `json:"DocumentId"`
	PublicationDate string   `json:"PublicationDate"`
	AnnotationType  string   `json:"AnnotationType"`
	Countries       []string `json:"Countries"`
	AffectedPersons []string `json:"AffectedPersons"`
	Themes          []string `json:"Themes"`
	Sdgs            []string `json:"Sdgs"`
	Body            string   `json:"Body"`
	Paragraph       string   `json:"Paragraph"`
	UprPosition     string   `json:"UprPosition"`
}

// readUHRI accepts a JSON array of records, an object holding the array
// under "records" (or "data", "value"), or one record per line.
func readUHRI(b []byte) ([]uhriRecord, error) {
	b = bytes.TrimPrefix(bytes.TrimSpace(b), []byte("\xef\xbb\xbf"))
	var list []uhriRecord
	switch {
	case len(b) > 0 && b[0] == '[':
		return list, json.Unmarshal(b, &list)
	case len(b) > 0 && b[0] == '{':
		var wrap map[string]json.RawMessage
		if err := json.Unmarshal(b, &wrap); err == nil {
			for _, k := range []string{"records", "data", "value", "Records"} {
				if raw, ok := wrap[k]; ok {
					return list, json.Unmarshal(raw, &list)
				}
			}
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		for dec.More() {
			var r uhriRecord
			if err := dec.Decode(&r); err != nil {
				return nil, err
			}
			list = append(list, r)
		}
		return list, nil
	}
	return nil, errors.New("not a UHRI JSON export (expected an array of records)")
}

// UHRIMechanism tells the mechanism from UHRI's body name: special
// procedures are written "- SR …", "- IE …", "- WG …".
func UHRIMechanism(body, annotationType string) string {
	b := strings.TrimSpace(body)
	switch {
	case strings.HasPrefix(b, "- "), strings.Contains(annotationType, "Special"):
		return "special_procedure"
	case strings.Contains(b, "UPR"), strings.Contains(b, "Universal Periodic Review"), strings.Contains(annotationType, "UPR"):
		return "upr"
	}
	return "treaty_body"
}

// ImportUHRI reads UHRI JSON exports into the shared recommendations. A
// record addressed to several States becomes one recommendation per State.
// Records match earlier imports by annotation id and State.
func ImportUHRI(ctx context.Context, d *db.DB, files []string, p *importer.Progress) (importer.Result, error) {
	total := importer.Result{Errors: []importer.RowError{}}
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		total = importer.Result{Errors: []importer.RowError{}} // fn may run twice (db.Write): start from nothing
		p.Restart()
		cr, err := importResolver(ctx, tx)
		if err != nil {
			return err
		}
		// Rows are matched against what the store holds in one read, new
		// ones written by the loader in large statements at the end, and
		// the search's facet index told of the whole import as one change
		// (one delta instead of one per row).
		existing, num, before, err := startImport(ctx, tx, "uhri")
		if err != nil {
			return err
		}
		var written []deltaRow
		ld := &loader{q: tx}
		fresh := map[string]*Recommendation{} // new in this import, not yet written
		now := db.Now()
		for _, f := range files {
			var one importer.Result
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			recs, err := readUHRI(b)
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			p.SetLabel("uhri " + filepath.Base(f))
			p.SetTotal(len(recs))
			for i, u := range recs {
				p.Add(1)
				row := i + 1
				switch {
				case strings.TrimSpace(u.AnnotationID) == "":
					one.Reject(row, "AnnotationId", "missing")
					continue
				case strings.TrimSpace(u.Text) == "":
					one.Reject(row, "Text", "empty")
					continue
				case len(u.Countries) == 0:
					one.Reject(row, "Countries", "no State named")
					continue
				}
				var codes []string
				bad := false
				for _, name := range u.Countries {
					code, ok := cr.Resolve(name)
					if !ok {
						if !bad {
							one.Reject(row, "Countries", "%q is not in the country list or its aliases", name)
						} else {
							one.Problem(row, "Countries", "%q is not in the country list or its aliases", name)
						}
						bad = true
						continue
					}
					codes = append(codes, code)
				}
				if bad {
					continue
				}
				resp := "pending"
				switch strings.ToLower(strings.TrimSpace(u.UprPosition)) {
				case "supported", "accepted":
					resp = "supported"
				case "supported in part", "partially supported":
					resp = "supported_in_part"
				case "noted", "not supported":
					resp = "noted"
				}
				issued := ""
				if len(u.PublicationDate) >= 10 && validDate(u.PublicationDate[:10]) {
					issued = u.PublicationDate[:10]
				}
				for _, code := range codes {
					r := Recommendation{Source: "uhri", SourceKey: u.AnnotationID + "/" + code, Mechanism: UHRIMechanism(u.Body, u.AnnotationType),
						Body: strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(u.Body), "- ")), StateUnderReview: code, DocumentSymbol: u.Symbol,
						Paragraph: u.Paragraph, IssuedOn: issued, Text: strings.TrimSpace(u.Text), Themes: u.Themes,
						AffectedPersons: normThemes(u.AffectedPersons), SDGTargets: normThemes(u.Sdgs), Response: resp}
					r.Themes = normThemes(r.Themes)
					if err := r.validate(); err != nil {
						one.Reject(row, "", "%v", err)
						break
					}
					if old, ok := fresh[r.SourceKey]; ok {
						// The same annotation twice in one import: the later
						// one wins, as a second save would have made it.
						r.Num, r.CreatedAt, r.UpdatedAt, r.folded, r.foldedOf = old.Num, old.CreatedAt, old.UpdatedAt, "", ""
						if sameContent(old, &r) {
							one.Unchanged++
						} else {
							*old = r
							one.Updated++
						}
						continue
					}
					if old, ok := existing[r.SourceKey]; ok {
						r.ID, r.Num, r.CreatedAt, r.UpdatedAt = old.ID, old.Num, old.CreatedAt, old.UpdatedAt
						if sameContent(old, &r) {
							one.Unchanged++
							continue
						}
						r.UpdatedAt = now
						if err := update(ctx, tx, &r); err != nil {
							return fmt.Errorf("%s, record %d: %w", filepath.Base(f), row, err)
						}
						*old = r
						written = append(written, rowOf(&r))
						one.Updated++
						continue
					}
					x := r
					x.Num, x.CreatedAt, x.UpdatedAt = num, now, now
					num++
					fresh[x.SourceKey] = &x
					ld.add(&x)
					one.Inserted++
				}
			}
			name := ""
			if len(files) > 1 {
				name = filepath.Base(f)
			}
			total.Add(name, one)
		}
		// All new rows are written at the end (never before): a record
		// repeated later in the export is still only in memory then.
		if err := ld.finish(ctx); err != nil {
			return err
		}
		noteWrite(ctx, tx, before, append(written, ld.rows...))
		env := importer.EnvFrom(ctx)
		return env.Audit.Append(ctx, tx, audit.Entry{Institution: access.SystemChain, ActorName: env.Actor, Action: "recommendations.import",
			ObjectType: "recommendations", Detail: fmt.Sprintf("source=uhri files=%d inserted=%d updated=%d unchanged=%d rejected=%d",
				len(files), total.Inserted, total.Updated, total.Unchanged, total.Rejected)})
	})
	if err != nil {
		return importer.Result{Errors: total.Errors}, err
	}
	return total, nil
}
