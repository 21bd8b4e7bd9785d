package treaty

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Table is a State profile flattened for spreadsheets: one row per
// instrument, then one per gap.
func (p Profile) Table() [][]string {
	rows := [][]string{{"section", "id", "name", "status", "date", "detail", "indicators", "source", "as_of"}}
	for _, in := range p.Instruments {
		detail := ""
		if in.Reserved {
			detail = "reservations or declarations on record"
		}
		rows = append(rows, []string{"instrument", in.ID, in.ShortName, in.Status, in.Date, detail, "", in.Source, in.AsOf})
	}
	for _, pr := range p.Procedures {
		rows = append(rows, []string{"procedure", pr.Code, pr.Label, pr.Status, "", pr.Suggested, strings.Join(pr.Indicators, " "), "", ""})
	}
	for _, g := range p.Gaps {
		rows = append(rows, []string{"gap", g.Subject, g.Label, g.Kind, "", g.Detail, strings.Join(g.Indicators, " "), "", ""})
	}
	return rows
}

// Neutralise keeps a spreadsheet from reading a cell as a formula: text
// that starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP's advice on CSV injection).
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteCSV writes rows as CSV with every cell neutralised.
func WriteCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	for _, r := range rows {
		out := make([]string, len(r))
		for i, c := range r {
			out[i] = Neutralise(c)
		}
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes rows as one worksheet. Cells are stored as text, never
// as formulas, and are neutralised as in CSV so that a copy-paste stays safe.
func WriteXLSX(w io.Writer, sheet string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for i, r := range rows {
		for j, c := range r {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, cell, Neutralise(c)); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}
