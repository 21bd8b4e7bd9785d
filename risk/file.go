package risk

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/importer"
)

// The framework file is CSV with a header row. Required columns:
// risk_factor (number), risk_factor_name, applies_to, indicator (number such
// as 7.14), paraphrase (the wording); optional: text_check ("official" or
// "checked" when the wording was checked against the official text, anything
// else means unchecked), framework_code, framework_version, framework_title.
// Without the framework columns the code is taken from the file name and the
// version is "1". This is also what ExportCSV writes.
//
// Translations are optional extra columns: risk_factor_name_LANG and
// paraphrase_LANG (LANG a language code such as fr, es, ar), each with an
// optional LANG check column (risk_factor_name_fr_check, paraphrase_fr_check:
// "checked" when someone checked the translation). An empty cell or a
// missing column leaves the stored translation as it is, so importing an
// older file without these columns changes nothing.
var fileColumns = []string{"risk_factor", "risk_factor_name", "applies_to", "indicator", "paraphrase", "text_check", "framework_code", "framework_version", "framework_title"}

var trColumn = regexp.MustCompile(`^(risk_factor_name|paraphrase)_([a-z]{2,3})$`)

func trCheck(t Translation) string {
	if t.Text == "" {
		return ""
	}
	if t.Checked() {
		return "checked"
	}
	return "unchecked"
}

func init() {
	importer.Register(importer.Kind{Name: "framework",
		Summary: "risk-assessment framework: factors and indicators (CSV; into every institution of the store)",
		Run:     runImport})
}

// ExportCSV writes framework f as a file ReadCSV reads back.
func ExportCSV(w io.Writer, f Framework) error {
	cw := csv.NewWriter(w)
	head := slices.Clone(fileColumns)
	for _, l := range TranslationLangs {
		head = append(head, "risk_factor_name_"+l, "risk_factor_name_"+l+"_check", "paraphrase_"+l, "paraphrase_"+l+"_check")
	}
	cw.Write(head)
	for _, fa := range f.Factors {
		for _, in := range fa.Indicators {
			check := "unchecked"
			if in.Checked {
				check = "official"
			}
			rec := []string{strconv.Itoa(fa.Number), fa.Title, fa.AppliesTo, in.Number, in.Wording, check, f.Code, f.Version, f.Title}
			for _, l := range TranslationLangs {
				ft, it := fa.Translations[l], in.Translations[l]
				rec = append(rec, ft.Text, trCheck(ft), it.Text, trCheck(it))
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV parses a framework file. Rows it cannot use are rejected in res,
// one by one, with the spreadsheet row number.
func ReadCSV(r io.Reader, name string) (FrameworkFile, importer.Result, error) {
	var res importer.Result
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return FrameworkFile{}, res, fmt.Errorf("%s: no header row: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, need := range fileColumns[:5] {
		if _, ok := col[need]; !ok {
			res.Problem(0, need, "missing column %s", need)
		}
	}
	if len(res.Errors) > 0 {
		return FrameworkFile{}, res, errors.New("the file lacks required columns")
	}
	type trCol struct {
		name, lang string
		factor     bool
	}
	var trCols []trCol
	for _, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if m := trColumn.FindStringSubmatch(h); m != nil {
			trCols = append(trCols, trCol{name: h, lang: m[2], factor: m[1] == "risk_factor_name"})
		}
	}
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	ff := FrameworkFile{Code: strings.ToUpper(base), Version: "1"}
	get := func(rec []string, c string) string {
		if i, ok := col[c]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	factors := map[int]int{}
	seen := map[string]bool{}
	row := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		row++
		if err != nil {
			res.Reject(row, "", "unreadable CSV: %v", err)
			continue
		}
		if v := get(rec, "framework_code"); v != "" {
			ff.Code = v
		}
		if v := get(rec, "framework_version"); v != "" {
			ff.Version = v
		}
		if v := get(rec, "framework_title"); v != "" {
			ff.Title = v
		}
		n, err := strconv.Atoi(get(rec, "risk_factor"))
		if err != nil || n < 1 {
			res.Reject(row, "risk_factor", "risk factor %q is not a positive number", get(rec, "risk_factor"))
			continue
		}
		applies := get(rec, "applies_to")
		if applies == "" {
			applies = "all"
		}
		if oneOf(applies, AppliesTo, "applies_to") != nil {
			res.Reject(row, "applies_to", "applies_to %q: want one of %s", applies, strings.Join(AppliesTo, ", "))
			continue
		}
		num, wording := get(rec, "indicator"), get(rec, "paraphrase")
		if !strings.HasPrefix(num, strconv.Itoa(n)+".") {
			res.Reject(row, "indicator", "indicator %q should start with its risk factor's number %d", num, n)
			continue
		}
		if wording == "" {
			res.Reject(row, "paraphrase", "empty wording")
			continue
		}
		if seen[num] {
			res.Reject(row, "indicator", "indicator %s appears twice", num)
			continue
		}
		seen[num] = true
		check := strings.ToLower(get(rec, "text_check"))
		i, ok := factors[n]
		if !ok {
			i = len(ff.Factors)
			factors[n] = i
			ff.Factors = append(ff.Factors, FactorFile{Number: n, Title: get(rec, "risk_factor_name"), AppliesTo: applies})
		}
		ind := IndicatorFile{Number: num, Wording: wording, Checked: check == "official" || check == "checked"}
		for _, tc := range trCols {
			text := get(rec, tc.name)
			if text == "" {
				continue
			}
			t := FileTranslation{Text: text, Checked: isChecked(get(rec, tc.name+"_check"))}
			if tc.factor {
				if ff.Factors[i].Translations == nil {
					ff.Factors[i].Translations = map[string]FileTranslation{}
				}
				if _, ok := ff.Factors[i].Translations[tc.lang]; !ok {
					ff.Factors[i].Translations[tc.lang] = t
				}
				continue
			}
			if ind.Translations == nil {
				ind.Translations = map[string]FileTranslation{}
			}
			ind.Translations[tc.lang] = t
		}
		ff.Factors[i].Indicators = append(ff.Factors[i].Indicators, ind)
	}
	for _, fa := range ff.Factors {
		if fa.Title == "" {
			res.Problem(0, "risk_factor_name", "risk factor %d has no name", fa.Number)
			return ff, res, errors.New("a risk factor has no name")
		}
	}
	return ff, res, nil
}

func isChecked(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return v == "checked" || v == "official"
}

// runImport is "vigil import framework FILE...": each file is stored as a
// framework (matched by code and version) in every institution of the store.
func runImport(ctx context.Context, d *db.DB, files []string, p *importer.Progress) (importer.Result, error) {
	var total importer.Result
	p.SetTotal(len(files))
	label := func(name string) string { // row numbers need the file's name only when there are several
		if len(files) > 1 {
			return name
		}
		return ""
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return total, err
		}
		ff, res, err := ReadCSV(f, name)
		f.Close()
		ff.CheckedBy = "vigil import " + filepath.Base(name)
		if err != nil {
			total.Add(label(name), res)
			return total, fmt.Errorf("%s: %w", name, err)
		}
		base := res
		err = d.Write(ctx, db.System, func(tx *db.Tx) error {
			res = base // fn may run twice (db.Write): start from what ReadCSV found
			insts, err := access.ListInstitutions(ctx, tx)
			if err != nil {
				return err
			}
			if len(insts) == 0 {
				return errors.New("the store holds no institution yet: create one first (vigil institution add)")
			}
			log := &audit.Log{}
			for _, in := range insts {
				id, sr, err := Save(ctx, tx, in.ID, ff)
				if err != nil {
					return err
				}
				res.Inserted += sr.Inserted
				res.Updated += sr.Updated
				res.Unchanged += sr.Unchanged
				if sr.Inserted+sr.Updated > 0 {
					if err := log.Append(ctx, tx, audit.Entry{Institution: in.ID, ActorName: "vigil import", Action: "risk.framework.import",
						ObjectType: "risk_framework", ObjectID: id, Detail: fmt.Sprintf("%s %s: %d inserted, %d updated", ff.Code, ff.Version, sr.Inserted, sr.Updated)}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		total.Add(label(name), res)
		if err != nil {
			return total, err
		}
		p.Add(1)
	}
	return total, nil
}
