package risk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"vigil/db"
)

// Framework is a versioned set of risk factors and indicators.
type Framework struct {
	ID, InstitutionID    string
	Code, Version, Title string
	Note                 string
	CreatedAt, UpdatedAt string
	Factors              []Factor
}

// Label names the framework and its version, as assessments record it.
func (f Framework) Label() string { return f.Code + " " + f.Version }

// Unchecked counts indicators whose wording is not checked against the official text.
func (f Framework) Unchecked() int {
	n := 0
	for _, fa := range f.Factors {
		for _, i := range fa.Indicators {
			if !i.Checked {
				n++
			}
		}
	}
	return n
}

// Factor is one risk factor.
type Factor struct {
	ID           string
	Number       int
	Title        string
	AppliesTo    string
	Translations Translations // of the title
	Indicators   []Indicator
}

// Indicator is one indicator of a risk factor.
type Indicator struct {
	ID           string
	FactorNumber int
	Number       string // e.g. "7.14"
	Position     int
	Wording      string
	Checked      bool // wording checked against the official text
	CheckedBy    string
	CheckedAt    string
	Translations Translations // of the wording
}

// FrameworkFile is a framework as data, before it is stored: the built-in
// default, or what an import reads.
type FrameworkFile struct {
	Code, Version, Title, Note string
	Factors                    []FactorFile
	// CheckedBy is recorded as the checker of translations the file marks
	// checked (default "framework file").
	CheckedBy string
}

// FactorFile is one factor of a FrameworkFile. Wording lists its indicators
// in order, numbered Number.1, Number.2...; Indicators, when set, carries
// explicit numbers and checked flags instead.
type FactorFile struct {
	Number     int
	Title      string
	AppliesTo  string
	Wording    []string
	Indicators []IndicatorFile
	// Translations of the title by language; languages left out keep what
	// is stored.
	Translations map[string]FileTranslation
}

// IndicatorFile is one indicator with an explicit number.
type IndicatorFile struct {
	Number       string
	Wording      string
	Checked      bool
	Translations map[string]FileTranslation // as FactorFile.Translations
}

func (ff FactorFile) indicators() []IndicatorFile {
	if len(ff.Indicators) > 0 {
		return ff.Indicators
	}
	out := make([]IndicatorFile, len(ff.Wording))
	for i, w := range ff.Wording {
		out[i] = IndicatorFile{Number: fmt.Sprintf("%d.%d", ff.Number, i+1), Wording: w}
	}
	return out
}

// Default returns the built-in framework: Vigil's own short wording of the
// UN Framework of Analysis, every indicator marked unchecked.
func Default() FrameworkFile { return defaultFramework }

// SaveResult counts what Save did to indicators.
type SaveResult struct{ Inserted, Updated, Unchanged int }

// Save creates or updates framework file ff in institution inst, matching
// the framework by code and version, factors by number and indicators by
// number. Indicators missing from ff are kept (a file never deletes). It
// changes no assessment: assessments hold their own copy of the wording.
func Save(ctx context.Context, q db.Q, inst string, ff FrameworkFile) (string, SaveResult, error) {
	var res SaveResult
	if strings.TrimSpace(ff.Code) == "" || strings.TrimSpace(ff.Version) == "" {
		return "", res, inputf("a framework needs a code and a version")
	}
	if ff.Title == "" {
		ff.Title = ff.Code + " " + ff.Version
	}
	if ff.CheckedBy == "" {
		ff.CheckedBy = "framework file"
	}
	now := db.Now()
	var id string
	err := q.QueryRow(ctx, "SELECT id FROM risk_frameworks WHERE institution_id = ? AND code = ? AND version = ?", inst, ff.Code, ff.Version).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id = db.NewID()
		if _, err := q.Exec(ctx, `INSERT INTO risk_frameworks (id, institution_id, code, version, title, note, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, inst, ff.Code, ff.Version, ff.Title, ff.Note, now, now); err != nil {
			return "", res, err
		}
	case err != nil:
		return "", res, err
	default:
		if _, err := q.Exec(ctx, "UPDATE risk_frameworks SET title = ?, note = ?, updated_at = ? WHERE institution_id = ? AND id = ? AND (title <> ? OR note <> ?)",
			ff.Title, ff.Note, now, inst, id, ff.Title, ff.Note); err != nil {
			return "", res, err
		}
	}
	pos := 0
	for _, fa := range ff.Factors {
		if fa.Number < 1 || strings.TrimSpace(fa.Title) == "" {
			return "", res, inputf("risk factor %d needs a positive number and a title", fa.Number)
		}
		if fa.AppliesTo == "" {
			fa.AppliesTo = "all"
		}
		if err := oneOf(fa.AppliesTo, AppliesTo, "applies to"); err != nil {
			return "", res, err
		}
		if _, err := q.Exec(ctx, `INSERT INTO risk_factors (id, institution_id, framework_id, number, title, applies_to) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (framework_id, number) DO UPDATE SET title = excluded.title, applies_to = excluded.applies_to`,
			db.NewID(), inst, id, fa.Number, fa.Title, fa.AppliesTo); err != nil {
			return "", res, err
		}
		if len(fa.Translations) > 0 {
			var raw string
			if err := q.QueryRow(ctx, "SELECT translations FROM risk_factors WHERE institution_id = ? AND framework_id = ? AND number = ?", inst, id, fa.Number).Scan(&raw); err != nil {
				return "", res, err
			}
			if tr, changed := mergeTranslations(parseTranslations(raw), fa.Translations, ff.CheckedBy, now); changed {
				if _, err := q.Exec(ctx, "UPDATE risk_factors SET translations = ? WHERE institution_id = ? AND framework_id = ? AND number = ?", tr.encode(), inst, id, fa.Number); err != nil {
					return "", res, err
				}
			}
		}
		for _, in := range fa.indicators() {
			pos++
			r, err := saveIndicator(ctx, q, inst, id, fa.Number, pos, in, ff.CheckedBy, now)
			if err != nil {
				return "", res, err
			}
			switch r {
			case "inserted":
				res.Inserted++
			case "updated":
				res.Updated++
			default:
				res.Unchanged++
			}
		}
	}
	return id, res, nil
}

func saveIndicator(ctx context.Context, q db.Q, inst, fw string, factor, pos int, in IndicatorFile, by, now string) (string, error) {
	in.Number, in.Wording = strings.TrimSpace(in.Number), strings.TrimSpace(in.Wording)
	if in.Number == "" || in.Wording == "" {
		return "", inputf("indicator of factor %d needs a number and a wording", factor)
	}
	var id, wording, rawTr string
	var checked, oldFactor, oldPos int64
	err := q.QueryRow(ctx, "SELECT id, wording, checked, factor_number, position, translations FROM risk_indicators WHERE institution_id = ? AND framework_id = ? AND number = ?",
		inst, fw, in.Number).Scan(&id, &wording, &checked, &oldFactor, &oldPos, &rawTr)
	if errors.Is(err, sql.ErrNoRows) {
		tr, _ := mergeTranslations(nil, in.Translations, by, now)
		_, err = q.Exec(ctx, `INSERT INTO risk_indicators (id, institution_id, framework_id, factor_number, number, position, wording, checked, translations)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, db.NewID(), inst, fw, factor, in.Number, pos, in.Wording, b2i(in.Checked), tr.encode())
		return "inserted", err
	}
	if err != nil {
		return "", err
	}
	tr, trChanged := mergeTranslations(parseTranslations(rawTr), in.Translations, by, now)
	if wording == in.Wording && (checked == 1) == in.Checked && int(oldFactor) == factor && int(oldPos) == pos && !trChanged {
		return "unchanged", nil
	}
	_, err = q.Exec(ctx, "UPDATE risk_indicators SET wording = ?, checked = ?, factor_number = ?, position = ?, translations = ? WHERE institution_id = ? AND id = ?",
		in.Wording, b2i(in.Checked), factor, pos, tr.encode(), inst, id)
	return "updated", err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// EnsureDefault stores the built-in framework in inst unless a framework
// with its code and version is already there, and returns its id.
func EnsureDefault(ctx context.Context, q db.Q, inst string) (string, bool, error) {
	var id string
	err := q.QueryRow(ctx, "SELECT id FROM risk_frameworks WHERE institution_id = ? AND code = ? AND version = ?",
		inst, defaultFramework.Code, defaultFramework.Version).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, err
	}
	id, _, err = Save(ctx, q, inst, defaultFramework)
	return id, true, err
}

// Frameworks lists the institution's frameworks without their factors.
func Frameworks(ctx context.Context, q db.Q, inst string) ([]Framework, error) {
	rows, err := q.Query(ctx, `SELECT id, institution_id, code, version, title, note, created_at, updated_at FROM risk_frameworks
		WHERE institution_id = ? ORDER BY code, version`, inst)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Framework
	for rows.Next() {
		var f Framework
		if err := rows.Scan(&f.ID, &f.InstitutionID, &f.Code, &f.Version, &f.Title, &f.Note, &f.CreatedAt, &f.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// GetFramework loads one framework with its factors and indicators.
func GetFramework(ctx context.Context, q db.Q, inst, id string) (Framework, error) {
	var f Framework
	err := q.QueryRow(ctx, `SELECT id, institution_id, code, version, title, note, created_at, updated_at FROM risk_frameworks
		WHERE institution_id = ? AND id = ?`, inst, id).Scan(&f.ID, &f.InstitutionID, &f.Code, &f.Version, &f.Title, &f.Note, &f.CreatedAt, &f.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	if err != nil {
		return f, err
	}
	rows, err := q.Query(ctx, "SELECT id, number, title, applies_to, translations FROM risk_factors WHERE institution_id = ? AND framework_id = ? ORDER BY number", inst, id)
	if err != nil {
		return f, err
	}
	idx := map[int]int{}
	for rows.Next() {
		var fa Factor
		var tr string
		if err := rows.Scan(&fa.ID, &fa.Number, &fa.Title, &fa.AppliesTo, &tr); err != nil {
			rows.Close()
			return f, err
		}
		fa.Translations = parseTranslations(tr)
		idx[fa.Number] = len(f.Factors)
		f.Factors = append(f.Factors, fa)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	rows, err = q.Query(ctx, `SELECT id, factor_number, number, position, wording, checked, checked_by, checked_at, translations FROM risk_indicators
		WHERE institution_id = ? AND framework_id = ? ORDER BY position, number`, inst, id)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var in Indicator
		var checked int64
		var tr string
		if err := rows.Scan(&in.ID, &in.FactorNumber, &in.Number, &in.Position, &in.Wording, &checked, &in.CheckedBy, &in.CheckedAt, &tr); err != nil {
			return f, err
		}
		in.Translations = parseTranslations(tr)
		in.Checked = checked == 1
		if i, ok := idx[in.FactorNumber]; ok {
			f.Factors[i].Indicators = append(f.Factors[i].Indicators, in)
		}
	}
	return f, rows.Err()
}

// IndicatorEdit is an administrator's change to one indicator.
type IndicatorEdit struct {
	ID      string // empty to add a new indicator
	Factor  int
	Number  string
	Wording string
	Checked bool
}

// EditIndicator changes (or adds) one indicator of framework fw, by user by.
// Marking the wording checked records who and when. It returns a short,
// non-confidential description of the change for the audit trail.
func EditIndicator(ctx context.Context, q db.Q, inst, fw, by string, e IndicatorEdit) (string, string, error) {
	e.Number, e.Wording = strings.TrimSpace(e.Number), strings.TrimSpace(e.Wording)
	if e.Number == "" || e.Wording == "" {
		return "", "", inputf("an indicator needs a number and a wording")
	}
	if len(e.Wording) > 1000 {
		return "", "", inputf("the wording is longer than 1000 characters")
	}
	if _, err := strconv.Atoi(strings.SplitN(e.Number, ".", 2)[0]); err != nil {
		return "", "", inputf("indicator number %q should start with its risk factor's number, e.g. 7.3", e.Number)
	}
	if _, err := GetFramework(ctx, q, inst, fw); err != nil {
		return "", "", err
	}
	now := db.Now()
	checkedBy, checkedAt := "", ""
	if e.Checked {
		checkedBy, checkedAt = by, now
	}
	if e.ID == "" {
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM risk_factors WHERE institution_id = ? AND framework_id = ? AND number = ?", inst, fw, e.Factor).Scan(&n); err != nil {
			return "", "", err
		}
		if n == 0 {
			return "", "", inputf("risk factor %d is not in this framework", e.Factor)
		}
		var pos int
		if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM risk_indicators WHERE institution_id = ? AND framework_id = ?", inst, fw).Scan(&pos); err != nil {
			return "", "", err
		}
		id := db.NewID()
		_, err := q.Exec(ctx, `INSERT INTO risk_indicators (id, institution_id, framework_id, factor_number, number, position, wording, checked, checked_by, checked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, inst, fw, e.Factor, e.Number, pos, e.Wording, b2i(e.Checked), checkedBy, checkedAt)
		if err != nil {
			return "", "", inputf("indicator %s could not be added (is the number taken?)", e.Number)
		}
		return id, "added " + e.Number, nil
	}
	var old Indicator
	var checked int64
	err := q.QueryRow(ctx, "SELECT number, wording, checked FROM risk_indicators WHERE institution_id = ? AND framework_id = ? AND id = ?", inst, fw, e.ID).
		Scan(&old.Number, &old.Wording, &checked)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	} else if err != nil {
		return "", "", err
	}
	var what []string
	if old.Number != e.Number {
		what = append(what, "number "+old.Number+" -> "+e.Number)
	}
	if old.Wording != e.Wording {
		what = append(what, "wording of "+e.Number)
	}
	if (checked == 1) != e.Checked {
		what = append(what, fmt.Sprintf("checked=%v", e.Checked))
	}
	if len(what) == 0 {
		return e.ID, "", nil
	}
	if _, err := q.Exec(ctx, `UPDATE risk_indicators SET number = ?, wording = ?, checked = ?, checked_by = ?, checked_at = ?
		WHERE institution_id = ? AND id = ?`, e.Number, e.Wording, b2i(e.Checked), checkedBy, checkedAt, inst, e.ID); err != nil {
		return "", "", inputf("indicator %s could not be saved (is the number taken?)", e.Number)
	}
	q.Exec(ctx, "UPDATE risk_frameworks SET updated_at = ? WHERE institution_id = ? AND id = ?", now, inst, fw)
	return e.ID, strings.Join(what, "; "), nil
}
