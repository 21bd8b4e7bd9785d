package forecast

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// EWPVariables are the 39 predictors of the Early Warning Project model in
// the order of its R script (the column order of the design matrix, which
// also fixes the order in which coordinate descent visits them).
var EWPVariables = []string{
	"widetargeting", "narrowtargeting", "v2csgender_binary", "v2mecenefm_binary",
	"partyban.new.0", "partyban.new.1", "partyban.new.2", "minorityrule",
	"judicialreform", "religiousfreedom", "pol_killing_approved", "freediscussion",
	"social_inequality", "even_civilrights", "repress_civilsoc", "social_power_dist",
	"ses_power_dist", "popsize.log2", "gdppcgrowth", "un_imr_sqrt", "efindex",
	"discrimpop", "reg.na", "reg.eap", "reg.sca", "reg.mna", "reg.eur", "ios.iccpr1",
	"battledeaths.log2", "coup.try.5yr", "mk_ongoing_count_log2",
	"mean_mk_onset_interaction", "mk_onset_prev_year", "newcountry", "mk_ever",
	"year_sq", "year", "countryage.new.log2", "includesnonstate",
}

// Row is one country-year of the table. Missing values ("NA") are NaN.
type Row struct {
	Name  string
	CCode string
	Year  int
	X     []float64 // predictors, in the order of Dataset.Vars
	// Target is mk_onset_1or2: an onset in the next year or the one after.
	Target float64
	// Onset is mk_onset: an onset in this year. Onset1 and Onset2 are the
	// next year's and the year after's.
	Onset, Onset1, Onset2 float64
}

// Dataset is a country-year table in the file's row order.
type Dataset struct {
	Vars []string
	Rows []Row
}

// LoadFile reads a country-year CSV in the EWP layout (see Load).
func LoadFile(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Load(f)
}

// Load reads a country-year CSV with a header naming at least ewp_name,
// year, the 39 EWP predictors and the outcome columns mk_onset_1or2,
// mk_onset, mk_onset_1 and mk_onset_2 (ccode is optional). "NA" or an empty
// cell means missing.
func Load(r io.Reader) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("forecast: reading header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	need := append([]string{"ewp_name", "year", "mk_onset_1or2", "mk_onset", "mk_onset_1", "mk_onset_2"}, EWPVariables...)
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("forecast: column %q missing from the header", n)
		}
	}
	ds := &Dataset{Vars: append([]string(nil), EWPVariables...)}
	line := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("forecast: line %d: %w", line, err)
		}
		year, err := strconv.Atoi(strings.TrimSpace(rec[col["year"]]))
		if err != nil {
			return nil, fmt.Errorf("forecast: line %d: year %q is not a whole number", line, rec[col["year"]])
		}
		row := Row{Name: rec[col["ewp_name"]], Year: year, X: make([]float64, len(ds.Vars))}
		if c, ok := col["ccode"]; ok {
			row.CCode = rec[c]
		}
		for j, v := range ds.Vars {
			if row.X[j], err = cell(rec[col[v]]); err != nil {
				return nil, fmt.Errorf("forecast: line %d, column %s: %w", line, v, err)
			}
		}
		for _, o := range []struct {
			name string
			dst  *float64
		}{{"mk_onset_1or2", &row.Target}, {"mk_onset", &row.Onset}, {"mk_onset_1", &row.Onset1}, {"mk_onset_2", &row.Onset2}} {
			if *o.dst, err = cell(rec[col[o.name]]); err != nil {
				return nil, fmt.Errorf("forecast: line %d, column %s: %w", line, o.name, err)
			}
		}
		ds.Rows = append(ds.Rows, row)
	}
	return ds, nil
}

func cell(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "NA" {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// complete reports whether every predictor of the row is present.
func (r *Row) complete() bool {
	for _, v := range r.X {
		if math.IsNaN(v) {
			return false
		}
	}
	return true
}

// TrainingRows returns the indices of the rows the EWP trains on for last
// training year L: year <= L, complete on every predictor and on all four
// outcome columns, in file order.
func (d *Dataset) TrainingRows(L int) []int {
	var idx []int
	for i := range d.Rows {
		r := &d.Rows[i]
		if r.Year > L || !r.complete() {
			continue
		}
		if math.IsNaN(r.Target) || math.IsNaN(r.Onset) || math.IsNaN(r.Onset1) || math.IsNaN(r.Onset2) {
			continue
		}
		idx = append(idx, i)
	}
	return idx
}

// ScoringRows returns the indices of the rows of one year that can be
// scored: complete on every predictor.
func (d *Dataset) ScoringRows(year int) []int {
	var idx []int
	for i := range d.Rows {
		if d.Rows[i].Year == year && d.Rows[i].complete() {
			idx = append(idx, i)
		}
	}
	return idx
}

// Folds maps a last training year to the fold id of each training row, in
// the training rows' order (the layout of derived_foldids.csv).
type Folds map[int][]foldRow

type foldRow struct {
	name string
	year int
	fold int
}

// LoadFoldsFile reads a CSV with columns lasttrainyear, ewp_name, year,
// foldid (others are ignored).
func LoadFoldsFile(path string) (Folds, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadFolds(f)
}

// LoadFolds reads a folds CSV (see LoadFoldsFile) from r.
func LoadFolds(f io.Reader) (Folds, error) {
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("forecast: folds header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, n := range []string{"lasttrainyear", "ewp_name", "year", "foldid"} {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("forecast: folds file lacks column %q", n)
		}
	}
	out := Folds{}
	line := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("forecast: folds line %d: %w", line, err)
		}
		L, err1 := strconv.Atoi(rec[col["lasttrainyear"]])
		y, err2 := strconv.Atoi(rec[col["year"]])
		k, err3 := strconv.Atoi(rec[col["foldid"]])
		if err1 != nil || err2 != nil || err3 != nil || k < 1 {
			return nil, fmt.Errorf("forecast: folds line %d: bad number", line)
		}
		out[L] = append(out[L], foldRow{rec[col["ewp_name"]], y, k})
	}
	return out, nil
}

// forYear returns the fold ids for the training rows of year L, checking
// that the folds file lists exactly those rows in the same order.
func (f Folds) forYear(d *Dataset, L int, rows []int) ([]int, error) {
	fr, ok := f[L]
	if !ok {
		return nil, fmt.Errorf("forecast: the folds file has no rows for last training year %d", L)
	}
	if len(fr) != len(rows) {
		return nil, fmt.Errorf("forecast: last training year %d: folds file lists %d rows, the data gives %d training rows", L, len(fr), len(rows))
	}
	ids := make([]int, len(rows))
	for i, ri := range rows {
		r := &d.Rows[ri]
		if fr[i].name != r.Name || fr[i].year != r.Year {
			return nil, fmt.Errorf("forecast: last training year %d: folds row %d is %s %d, the data's is %s %d", L, i+1, fr[i].name, fr[i].year, r.Name, r.Year)
		}
		ids[i] = fr[i].fold
	}
	return ids, nil
}
