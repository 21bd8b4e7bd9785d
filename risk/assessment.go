package risk

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"vigil/access"
	"vigil/db"
	"vigil/sensitivity"
)

// Assessment is one country's assessment for one period, in one version.
type Assessment struct {
	ID, InstitutionID string
	FrameworkID       string
	FrameworkLabel    string
	Country, Period   string
	Version           int
	Supersedes        string
	CorrectionNote    string
	Status            string
	Title, Summary    string
	Sensitivity       sensitivity.Level
	CreatedBy         string
	CreatedAt         string
	UpdatedAt         string
	SubmittedAt       string
	ApprovedBy        string
	ApprovedAt        string
	PublishedAt       string

	Ratings   []Rating
	Items     []Item
	Overrides []Override
	// SummaryWithheld is set by Redact when the summary is above the audience's level.
	SummaryWithheld bool
}

// Rating is one indicator's rating in an assessment. Its sensitivity covers
// the rationale; the rating itself is part of the assessment's findings.
type Rating struct {
	ID           string
	FactorNumber int
	FactorTitle  string
	AppliesTo    string
	Number       string
	Position     int
	Wording      string
	Checked      bool
	Rating       string
	Direction    string
	Confidence   string
	Rationale    string
	Sensitivity  sensitivity.Level
	UpdatedBy    string
	UpdatedAt    string
	Evidence     []Evidence
	Withheld     bool // rationale above the audience's level

	// Translations copied from the framework when the assessment was opened.
	FactorTr, WordingTr Translations
	// Set by Localize: "en" when the English wording stands in for a missing
	// translation; Unchecked when the translation shown is not checked.
	FactorLang, WordingLang           string
	FactorUnchecked, WordingUnchecked bool
}

// Evidence is a source behind a rating.
type Evidence struct {
	ID, RatingID string
	Title, URL   string
	SourceDate   string
	Sensitivity  sensitivity.Level
	CreatedAt    string
}

// Item is an inhibitor, a trigger to watch or a recommendation.
type Item struct {
	ID          string
	Kind        string
	Position    int
	Title       string
	Detail      string
	Date        string // triggers: when to watch
	Addressee   string // recommendations: the authority addressed
	Strength    string // inhibitors: weak, moderate, strong
	Sensitivity sensitivity.Level
}

// Override replaces a computed level with the analyst's, for a reason shown
// to every reader of the level.
type Override struct {
	ID, Scope, Level, Reason string
	CreatedBy, CreatedAt     string
}

// Editable reports whether the assessment may still be changed.
func (a Assessment) Editable() bool { return a.Status == Draft }

var (
	countryRe = regexp.MustCompile(`^[A-Z]{3}$`)
	periodRe  = regexp.MustCompile(`^[0-9]{4}(-[A-Za-z0-9]{1,8})?$`)
	dateRe    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// NewAssessment is what opening an assessment needs.
type NewAssessment struct {
	FrameworkID string
	Country     string // ISO 3166-1 alpha-3
	Period      string // usually a year, "2026"
	Title       string
	Sensitivity sensitivity.Level
}

// Create opens a draft assessment and copies every indicator of the
// framework into it (not assessed), so that later edits of the framework
// leave it as it was.
func Create(ctx context.Context, q db.Q, inst, by string, n NewAssessment) (Assessment, error) {
	n.Country = strings.ToUpper(strings.TrimSpace(n.Country))
	n.Period = strings.TrimSpace(n.Period)
	if !countryRe.MatchString(n.Country) {
		return Assessment{}, inputf("country %q: give the ISO 3166-1 alpha-3 code, e.g. XVG", n.Country)
	}
	if !periodRe.MatchString(n.Period) {
		return Assessment{}, inputf("period %q: give a year such as 2026 (optionally with a suffix, 2026-H1)", n.Period)
	}
	lvl, err := validLevel(n.Sensitivity, sensitivity.Internal)
	if err != nil {
		return Assessment{}, err
	}
	fw, err := GetFramework(ctx, q, inst, n.FrameworkID)
	if err != nil {
		return Assessment{}, inputf("choose a framework")
	}
	var exists int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM risk_assessments WHERE institution_id = ? AND country = ? AND period = ?", inst, n.Country, n.Period).Scan(&exists); err != nil {
		return Assessment{}, err
	}
	if exists > 0 {
		return Assessment{}, inputf("there is already an assessment of %s for %s; open it, or correct it with a new version", n.Country, n.Period)
	}
	if strings.TrimSpace(n.Title) == "" {
		n.Title = "Atrocity-risk assessment " + n.Country + " " + n.Period
	}
	now := db.Now()
	a := Assessment{ID: db.NewID(), InstitutionID: inst, FrameworkID: fw.ID, FrameworkLabel: fw.Label(), Country: n.Country, Period: n.Period,
		Version: 1, Status: Draft, Title: strings.TrimSpace(n.Title), Sensitivity: lvl, CreatedBy: by, CreatedAt: now, UpdatedAt: now}
	if err := insertAssessment(ctx, q, a); err != nil {
		return a, err
	}
	for _, fa := range fw.Factors {
		for _, in := range fa.Indicators {
			if _, err := q.Exec(ctx, `INSERT INTO risk_ratings (id, institution_id, assessment_id, factor_number, factor_title, applies_to, number, position,
				wording, checked, sensitivity, updated_at, factor_translations, wording_translations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				db.NewID(), inst, a.ID, fa.Number, fa.Title, fa.AppliesTo, in.Number, in.Position, in.Wording, b2i(in.Checked), int(lvl), now,
				fa.Translations.encode(), in.Translations.encode()); err != nil {
				return a, err
			}
		}
	}
	return a, nil
}

func insertAssessment(ctx context.Context, q db.Q, a Assessment) error {
	_, err := q.Exec(ctx, `INSERT INTO risk_assessments (id, institution_id, framework_id, framework_label, country, period, version, supersedes,
		correction_note, status, title, summary, sensitivity, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.InstitutionID, a.FrameworkID, a.FrameworkLabel, a.Country, a.Period, a.Version, a.Supersedes, a.CorrectionNote, a.Status, a.Title,
		a.Summary, int(a.Sensitivity), a.CreatedBy, a.CreatedAt, a.UpdatedAt)
	return err
}

const assessmentCols = `id, institution_id, framework_id, framework_label, country, period, version, supersedes, correction_note, status, title,
	summary, sensitivity, created_by, created_at, updated_at, submitted_at, approved_by, approved_at, published_at`

func scanAssessment(s interface{ Scan(...any) error }) (Assessment, error) {
	var a Assessment
	var lvl int64
	err := s.Scan(&a.ID, &a.InstitutionID, &a.FrameworkID, &a.FrameworkLabel, &a.Country, &a.Period, &a.Version, &a.Supersedes, &a.CorrectionNote,
		&a.Status, &a.Title, &a.Summary, &lvl, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt, &a.SubmittedAt, &a.ApprovedBy, &a.ApprovedAt, &a.PublishedAt)
	a.Sensitivity = sensitivity.Level(lvl)
	return a, err
}

// List lists the assessments a reader cleared up to clearance may see,
// newest period first. country filters when not empty.
func List(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, country string) ([]Assessment, error) {
	query := "SELECT " + assessmentCols + " FROM risk_assessments WHERE institution_id = ? AND sensitivity <= ?"
	args := []any{inst, int(clearance)}
	if country != "" {
		query += " AND country = ?"
		args = append(args, country)
	}
	rows, err := q.Query(ctx, query+" ORDER BY country, period DESC, version DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Head loads an assessment without its parts, if the reader may see it.
func Head(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level) (Assessment, error) {
	a, err := scanAssessment(q.QueryRow(ctx, "SELECT "+assessmentCols+" FROM risk_assessments WHERE institution_id = ? AND id = ?", inst, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sensitivity.Allows(clearance, a.Sensitivity)) {
		return Assessment{}, ErrNotFound
	}
	return a, err
}

// Get loads an assessment with its ratings, evidence, items and overrides,
// as seen by a reader cleared up to clearance: an assessment above it is not
// found, and parts above it are left out (see Redact).
func Get(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level) (Assessment, error) {
	a, err := Head(ctx, q, inst, id, clearance)
	if err != nil {
		return a, err
	}
	rows, err := q.Query(ctx, `SELECT id, factor_number, factor_title, applies_to, number, position, wording, checked, rating, direction, confidence,
		rationale, sensitivity, updated_by, updated_at, factor_translations, wording_translations FROM risk_ratings
		WHERE institution_id = ? AND assessment_id = ? ORDER BY position, number`, inst, id)
	if err != nil {
		return a, err
	}
	idx := map[string]int{}
	for rows.Next() {
		var r Rating
		var checked, lvl int64
		var ftr, wtr string
		if err := rows.Scan(&r.ID, &r.FactorNumber, &r.FactorTitle, &r.AppliesTo, &r.Number, &r.Position, &r.Wording, &checked, &r.Rating,
			&r.Direction, &r.Confidence, &r.Rationale, &lvl, &r.UpdatedBy, &r.UpdatedAt, &ftr, &wtr); err != nil {
			rows.Close()
			return a, err
		}
		r.FactorTr, r.WordingTr = parseTranslations(ftr), parseTranslations(wtr)
		r.Checked, r.Sensitivity = checked == 1, sensitivity.Level(lvl)
		idx[r.ID] = len(a.Ratings)
		a.Ratings = append(a.Ratings, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	rows, err = q.Query(ctx, `SELECT id, rating_id, title, url, source_date, sensitivity, created_at FROM risk_evidence
		WHERE institution_id = ? AND assessment_id = ? ORDER BY source_date, created_at, id`, inst, id)
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var e Evidence
		var lvl int64
		if err := rows.Scan(&e.ID, &e.RatingID, &e.Title, &e.URL, &e.SourceDate, &lvl, &e.CreatedAt); err != nil {
			rows.Close()
			return a, err
		}
		e.Sensitivity = sensitivity.Level(lvl)
		if i, ok := idx[e.RatingID]; ok {
			a.Ratings[i].Evidence = append(a.Ratings[i].Evidence, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	rows, err = q.Query(ctx, `SELECT id, kind, position, title, detail, item_date, addressee, strength, sensitivity FROM risk_items
		WHERE institution_id = ? AND assessment_id = ? ORDER BY kind, position, id`, inst, id)
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var it Item
		var lvl int64
		if err := rows.Scan(&it.ID, &it.Kind, &it.Position, &it.Title, &it.Detail, &it.Date, &it.Addressee, &it.Strength, &lvl); err != nil {
			rows.Close()
			return a, err
		}
		it.Sensitivity = sensitivity.Level(lvl)
		a.Items = append(a.Items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	rows, err = q.Query(ctx, `SELECT id, scope, level, reason, created_by, created_at FROM risk_overrides
		WHERE institution_id = ? AND assessment_id = ? ORDER BY scope`, inst, id)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var o Override
		if err := rows.Scan(&o.ID, &o.Scope, &o.Level, &o.Reason, &o.CreatedBy, &o.CreatedAt); err != nil {
			return a, err
		}
		a.Overrides = append(a.Overrides, o)
	}
	if err := rows.Err(); err != nil {
		return a, err
	}
	return a.Redact(clearance), nil
}

// Redact returns a copy of a holding only what an audience cleared up to
// level may see: rationales above it are emptied (Withheld), evidence and
// items above it are left out, and the summary is withheld when the
// assessment itself is above it. Ratings, roll-ups and overrides are the
// assessment's findings and stay. The public edition of the report is
// Redact(sensitivity.Public).
func (a Assessment) Redact(level sensitivity.Level) Assessment {
	out := a
	if !sensitivity.Allows(level, a.Sensitivity) {
		out.Summary, out.SummaryWithheld = "", true
		out.CorrectionNote = ""
	}
	out.Ratings = make([]Rating, len(a.Ratings))
	for i, r := range a.Ratings {
		if !sensitivity.Allows(level, r.Sensitivity) {
			r.Rationale, r.Withheld = "", true
		}
		r.Evidence = sensitivity.Filter(level, r.Evidence, func(e Evidence) sensitivity.Level { return e.Sensitivity })
		out.Ratings[i] = r
	}
	out.Items = sensitivity.Filter(level, a.Items, func(it Item) sensitivity.Level { return it.Sensitivity })
	return out
}

// ItemsOf lists the items of one kind.
func (a Assessment) ItemsOf(kind string) []Item {
	var out []Item
	for _, it := range a.Items {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

// editable loads the head of an assessment for a change and refuses one
// that is not a draft.
func editable(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level) (Assessment, error) {
	a, err := Head(ctx, q, inst, id, clearance)
	if err != nil {
		return a, err
	}
	if !a.Editable() {
		return a, ErrFrozen
	}
	return a, nil
}

func touch(ctx context.Context, q db.Q, inst, id string) error {
	_, err := q.Exec(ctx, "UPDATE risk_assessments SET updated_at = ? WHERE institution_id = ? AND id = ?", db.Now(), inst, id)
	return err
}

// RatingEdit is a change to one indicator's rating.
type RatingEdit struct {
	Number      string // indicator number, e.g. "7.14"
	Rating      string
	Direction   string
	Confidence  string
	Rationale   string
	Sensitivity sensitivity.Level
}

// Rate sets the rating of one indicator of a draft assessment and returns
// the rating id and a non-confidential description for the audit trail.
func Rate(ctx context.Context, q db.Q, inst, id, by string, clearance sensitivity.Level, e RatingEdit) (string, string, error) {
	if _, err := editable(ctx, q, inst, id, clearance); err != nil {
		return "", "", err
	}
	if e.Direction == "" {
		e.Direction = "unknown"
	}
	if e.Confidence == "" {
		e.Confidence = "medium"
	}
	if err := oneOf(e.Rating, RatingValues, "rating"); err != nil {
		return "", "", err
	}
	if err := oneOf(e.Direction, Directions, "direction"); err != nil {
		return "", "", err
	}
	if err := oneOf(e.Confidence, Confidences, "confidence"); err != nil {
		return "", "", err
	}
	if len(e.Rationale) > 8000 {
		return "", "", inputf("the rationale is longer than 8000 characters")
	}
	lvl, err := validLevel(e.Sensitivity, sensitivity.Internal)
	if err != nil {
		return "", "", err
	}
	var rid string
	err = q.QueryRow(ctx, "SELECT id FROM risk_ratings WHERE institution_id = ? AND assessment_id = ? AND number = ?", inst, id, e.Number).Scan(&rid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", inputf("indicator %q is not part of this assessment", e.Number)
	} else if err != nil {
		return "", "", err
	}
	if _, err := q.Exec(ctx, `UPDATE risk_ratings SET rating = ?, direction = ?, confidence = ?, rationale = ?, sensitivity = ?, updated_by = ?, updated_at = ?
		WHERE institution_id = ? AND id = ?`, e.Rating, e.Direction, e.Confidence, strings.TrimSpace(e.Rationale), int(lvl), by, db.Now(), inst, rid); err != nil {
		return "", "", err
	}
	return rid, "indicator " + e.Number + " rating=" + e.Rating + " direction=" + e.Direction + " confidence=" + e.Confidence + " sensitivity=" + lvl.String(), touch(ctx, q, inst, id)
}

// AddEvidence attaches a source to the rating of indicator number.
func AddEvidence(ctx context.Context, q db.Q, inst, id, by string, clearance sensitivity.Level, number string, e Evidence) (string, error) {
	if _, err := editable(ctx, q, inst, id, clearance); err != nil {
		return "", err
	}
	e.Title, e.URL, e.SourceDate = strings.TrimSpace(e.Title), strings.TrimSpace(e.URL), strings.TrimSpace(e.SourceDate)
	if e.Title == "" {
		return "", inputf("evidence needs a title: what the source is")
	}
	if e.URL != "" && !strings.HasPrefix(e.URL, "https://") && !strings.HasPrefix(e.URL, "http://") {
		return "", inputf("the link should start with https:// or http://")
	}
	if e.SourceDate != "" && !dateRe.MatchString(e.SourceDate) {
		return "", inputf("the source date should be YYYY-MM-DD")
	}
	lvl, err := validLevel(e.Sensitivity, sensitivity.Internal)
	if err != nil {
		return "", err
	}
	var rid string
	err = q.QueryRow(ctx, "SELECT id FROM risk_ratings WHERE institution_id = ? AND assessment_id = ? AND number = ?", inst, id, number).Scan(&rid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", inputf("indicator %q is not part of this assessment", number)
	} else if err != nil {
		return "", err
	}
	eid := db.NewID()
	if _, err := q.Exec(ctx, `INSERT INTO risk_evidence (id, institution_id, assessment_id, rating_id, title, url, source_date, sensitivity, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, eid, inst, id, rid, e.Title, e.URL, e.SourceDate, int(lvl), by, db.Now()); err != nil {
		return "", err
	}
	return eid, touch(ctx, q, inst, id)
}

// AddItem adds an inhibitor, a trigger or a recommendation.
func AddItem(ctx context.Context, q db.Q, inst, id, by string, clearance sensitivity.Level, it Item) (string, error) {
	if _, err := editable(ctx, q, inst, id, clearance); err != nil {
		return "", err
	}
	if err := oneOf(it.Kind, ItemKinds, "kind"); err != nil {
		return "", err
	}
	it.Title, it.Detail, it.Date, it.Addressee = strings.TrimSpace(it.Title), strings.TrimSpace(it.Detail), strings.TrimSpace(it.Date), strings.TrimSpace(it.Addressee)
	if it.Title == "" {
		return "", inputf("a %s needs a title", it.Kind)
	}
	if it.Date != "" && !dateRe.MatchString(it.Date) {
		return "", inputf("the date should be YYYY-MM-DD")
	}
	if it.Kind == "trigger" && it.Date == "" {
		return "", inputf("a trigger to watch needs a date")
	}
	if it.Kind == "recommendation" && it.Addressee == "" {
		return "", inputf("a recommendation is addressed to an authority: say which")
	}
	if it.Kind == "inhibitor" {
		if it.Strength == "" {
			it.Strength = "moderate"
		}
		if err := oneOf(it.Strength, Strengths, "strength"); err != nil {
			return "", err
		}
	} else {
		it.Strength = ""
	}
	lvl, err := validLevel(it.Sensitivity, sensitivity.Internal)
	if err != nil {
		return "", err
	}
	var pos int
	if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM risk_items WHERE institution_id = ? AND assessment_id = ? AND kind = ?", inst, id, it.Kind).Scan(&pos); err != nil {
		return "", err
	}
	iid := db.NewID()
	if _, err := q.Exec(ctx, `INSERT INTO risk_items (id, institution_id, assessment_id, kind, position, title, detail, item_date, addressee, strength,
		sensitivity, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		iid, inst, id, it.Kind, pos, it.Title, it.Detail, it.Date, it.Addressee, it.Strength, int(lvl), by, db.Now()); err != nil {
		return "", err
	}
	return iid, touch(ctx, q, inst, id)
}

// SetOverride replaces the computed level of scope ("factor:7",
// "crime:genocide") with level, for reason; an empty level removes it.
func SetOverride(ctx context.Context, q db.Q, inst, id, by string, clearance sensitivity.Level, scope, level, reason string) error {
	if _, err := editable(ctx, q, inst, id, clearance); err != nil {
		return err
	}
	if !validScope(scope) {
		return inputf("override of %q: say which risk factor or crime", scope)
	}
	if level == "" {
		_, err := q.Exec(ctx, "DELETE FROM risk_overrides WHERE institution_id = ? AND assessment_id = ? AND scope = ?", inst, id, scope)
		return err
	}
	if err := oneOf(level, LevelValues, "level"); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return inputf("an override needs a written reason: readers see it beside the level")
	}
	_, err := q.Exec(ctx, `INSERT INTO risk_overrides (id, institution_id, assessment_id, scope, level, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (assessment_id, scope) DO UPDATE SET level = excluded.level, reason = excluded.reason, created_by = excluded.created_by, created_at = excluded.created_at`,
		db.NewID(), inst, id, scope, level, strings.TrimSpace(reason), by, db.Now())
	if err != nil {
		return err
	}
	return touch(ctx, q, inst, id)
}

func validScope(s string) bool {
	if n, ok := strings.CutPrefix(s, "factor:"); ok {
		return n != "" && strings.Trim(n, "0123456789") == ""
	}
	if c, ok := strings.CutPrefix(s, "crime:"); ok {
		for _, cr := range Crimes {
			if cr.Key == c {
				return true
			}
		}
	}
	return false
}

// SetSummary changes the title, summary and sensitivity of a draft.
func SetSummary(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level, title, summary string, lvl sensitivity.Level) error {
	if _, err := editable(ctx, q, inst, id, clearance); err != nil {
		return err
	}
	if strings.TrimSpace(title) == "" {
		return inputf("the assessment needs a title")
	}
	lvl, err := validLevel(lvl, sensitivity.Internal)
	if err != nil {
		return err
	}
	if len(summary) > 20000 {
		return inputf("the summary is longer than 20000 characters")
	}
	_, err = q.Exec(ctx, "UPDATE risk_assessments SET title = ?, summary = ?, sensitivity = ?, updated_at = ? WHERE institution_id = ? AND id = ?",
		strings.TrimSpace(title), strings.TrimSpace(summary), int(lvl), db.Now(), inst, id)
	return err
}

// Step moves an assessment along the workflow: "submit" (draft to in
// review), "return" (in review back to draft), "approve" (in review to
// approved; reviewers only), "publish" (approved to published, which freezes
// it; reviewers only). It returns the new status.
func Step(ctx context.Context, q db.Q, inst, id string, u access.User, step string) (string, error) {
	a, err := Head(ctx, q, inst, id, u.Role.Clearance())
	if err != nil {
		return "", err
	}
	now := db.Now()
	var from, to, set string
	var args []any
	switch step {
	case "submit":
		from, to, set, args = Draft, InReview, ", submitted_at = ?", []any{now}
	case "return":
		from, to = InReview, Draft
	case "approve":
		if u.Role != access.Reviewer {
			return "", ErrForbidden
		}
		from, to, set, args = InReview, Approved, ", approved_by = ?, approved_at = ?", []any{u.ID, now}
	case "publish":
		if u.Role != access.Reviewer {
			return "", ErrForbidden
		}
		from, to, set, args = Approved, Published, ", published_at = ?", []any{now}
	default:
		return "", inputf("unknown step %q", step)
	}
	if a.Status != from {
		return "", ErrState
	}
	args = append([]any{to, now}, args...)
	args = append(args, inst, id, from)
	if _, err := q.Exec(ctx, "UPDATE risk_assessments SET status = ?, updated_at = ?"+set+" WHERE institution_id = ? AND id = ? AND status = ?", args...); err != nil {
		return "", err
	}
	if to == Published && a.Supersedes != "" {
		if _, err := q.Exec(ctx, "UPDATE risk_assessments SET status = ? WHERE institution_id = ? AND id = ? AND status = ?", Superseded, inst, a.Supersedes, Published); err != nil {
			return "", err
		}
	}
	return to, nil
}

// Correct opens a new draft version of a published assessment, copying all
// its parts, with a note saying what the correction changes. The published
// version stays as it was until the correction is itself published.
func Correct(ctx context.Context, q db.Q, inst, id, by string, clearance sensitivity.Level, note string) (Assessment, error) {
	old, err := Get(ctx, q, inst, id, sensitivity.Confidential)
	if errors.Is(err, ErrNotFound) || (err == nil && !sensitivity.Allows(clearance, old.Sensitivity)) {
		return Assessment{}, ErrNotFound
	} else if err != nil {
		return Assessment{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return Assessment{}, inputf("say what the correction changes: the note is printed with the new version")
	}
	if old.Status != Published {
		return Assessment{}, ErrState
	}
	var open int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM risk_assessments WHERE institution_id = ? AND supersedes = ?", inst, id).Scan(&open); err != nil {
		return Assessment{}, err
	}
	if open > 0 {
		return Assessment{}, inputf("a correction of this version is already open")
	}
	var version int
	if err := q.QueryRow(ctx, "SELECT MAX(version) FROM risk_assessments WHERE institution_id = ? AND country = ? AND period = ?", inst, old.Country, old.Period).Scan(&version); err != nil {
		return Assessment{}, err
	}
	now := db.Now()
	a := old
	a.ID, a.Version, a.Supersedes, a.CorrectionNote, a.Status = db.NewID(), version+1, old.ID, note, Draft
	a.CreatedBy, a.CreatedAt, a.UpdatedAt = by, now, now
	if err := insertAssessment(ctx, q, a); err != nil {
		return a, err
	}
	for _, r := range old.Ratings {
		rid := db.NewID()
		if _, err := q.Exec(ctx, `INSERT INTO risk_ratings (id, institution_id, assessment_id, factor_number, factor_title, applies_to, number, position,
			wording, checked, rating, direction, confidence, rationale, sensitivity, updated_by, updated_at, factor_translations, wording_translations)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rid, inst, a.ID, r.FactorNumber, r.FactorTitle, r.AppliesTo, r.Number, r.Position, r.Wording, b2i(r.Checked), r.Rating, r.Direction,
			r.Confidence, r.Rationale, int(r.Sensitivity), r.UpdatedBy, r.UpdatedAt, r.FactorTr.encode(), r.WordingTr.encode()); err != nil {
			return a, err
		}
		for _, e := range r.Evidence {
			if _, err := q.Exec(ctx, `INSERT INTO risk_evidence (id, institution_id, assessment_id, rating_id, title, url, source_date, sensitivity, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, db.NewID(), inst, a.ID, rid, e.Title, e.URL, e.SourceDate, int(e.Sensitivity), by, now); err != nil {
				return a, err
			}
		}
	}
	for _, it := range old.Items {
		if _, err := q.Exec(ctx, `INSERT INTO risk_items (id, institution_id, assessment_id, kind, position, title, detail, item_date, addressee, strength,
			sensitivity, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			db.NewID(), inst, a.ID, it.Kind, it.Position, it.Title, it.Detail, it.Date, it.Addressee, it.Strength, int(it.Sensitivity), by, now); err != nil {
			return a, err
		}
	}
	for _, o := range old.Overrides {
		if _, err := q.Exec(ctx, `INSERT INTO risk_overrides (id, institution_id, assessment_id, scope, level, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			db.NewID(), inst, a.ID, o.Scope, o.Level, o.Reason, o.CreatedBy, o.CreatedAt); err != nil {
			return a, err
		}
	}
	return a, nil
}

// Previous finds the assessment of the same country for the latest earlier
// period (its published version if there is one, else its latest version)
// that the reader may see, or ErrNotFound.
func Previous(ctx context.Context, q db.Q, inst string, a Assessment, clearance sensitivity.Level) (Assessment, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM risk_assessments WHERE institution_id = ? AND country = ? AND period < ? AND sensitivity <= ?
		ORDER BY period DESC, CASE WHEN status = 'published' THEN 0 ELSE 1 END, version DESC LIMIT 1`, inst, a.Country, a.Period, int(clearance)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Assessment{}, ErrNotFound
	} else if err != nil {
		return Assessment{}, err
	}
	return Get(ctx, q, inst, id, clearance)
}

// Find picks the assessment of country for period that a report should
// use: the published version if there is one, else the latest version.
func Find(ctx context.Context, q db.Q, inst, country, period string, clearance sensitivity.Level) (Assessment, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM risk_assessments WHERE institution_id = ? AND country = ? AND period = ? AND sensitivity <= ?
		ORDER BY CASE WHEN status = 'published' THEN 0 ELSE 1 END, version DESC LIMIT 1`, inst, country, period, int(clearance)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Assessment{}, ErrNotFound
	} else if err != nil {
		return Assessment{}, err
	}
	return Get(ctx, q, inst, id, clearance)
}

// History lists, for each period of country up to and including period, the
// version a report uses (published if there is one, else the latest), oldest
// first, as a reader cleared up to clearance sees them.
func History(ctx context.Context, q db.Q, inst, country, period string, clearance sensitivity.Level) ([]Assessment, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT period FROM risk_assessments WHERE institution_id = ? AND country = ? AND period <= ? AND sensitivity <= ?
		ORDER BY period`, inst, country, period, int(clearance))
	if err != nil {
		return nil, err
	}
	var periods []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, err
		}
		periods = append(periods, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Assessment
	for _, p := range periods {
		a, err := Find(ctx, q, inst, country, p, clearance)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
