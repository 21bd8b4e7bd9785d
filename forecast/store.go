package forecast

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"vigil/db"
	"vigil/sensitivity"
)

// StoredRun is one out-of-sample fit kept in the store (table
// forecast_runs): what was fitted, on what, by whom, and which names of the
// file could not be mapped to a country code.
type StoredRun struct {
	ID            string            `json:"id"`
	Model         string            `json:"model"`
	ModelDetail   string            `json:"model_detail"`
	DataFile      string            `json:"data_file"`
	DataSHA256    string            `json:"data_sha256"`
	CV            string            `json:"cv"` // how the cross-validation folds were drawn
	LastTrainYear int               `json:"last_train_year"`
	ScoredYear    int               `json:"scored_year"`
	TrainingRows  int               `json:"training_rows"`
	Demo          bool              `json:"demo"` // invented data for the demonstration
	Note          string            `json:"note"`
	Unmapped      []string          `json:"unmapped"`
	Sensitivity   sensitivity.Level `json:"-"`
	CreatedBy     string            `json:"created_by"`
	CreatedAt     string            `json:"created_at"`
	Countries     int               `json:"countries"` // number of scores (N of "rank out of N")
}

// StoredScore is one country's score in a run.
type StoredScore struct {
	ID      string        `json:"-"`
	RunID   string        `json:"run_id"`
	Name    string        `json:"ewp_name"`
	Country string        `json:"country"` // ISO alpha-3, "" when the name was not mapped
	Risk    float64       `json:"risk"`
	Rank    int           `json:"rank"`
	Shifts  []StoredShift `json:"shifts,omitempty"`
}

// StoredShift is one row of a score's shift analysis.
type StoredShift struct {
	Variable    string  `json:"variable"`
	Description string  `json:"description"`
	From        float64 `json:"from"`
	To          float64 `json:"to"`
	Risk        float64 `json:"risk"`
	Delta       float64 `json:"delta"`
}

// ErrNotFound: no such run or country in the institution's runs.
var ErrNotFound = errors.New("no such forecast")

// SaveRun stores a run with its scores (and their shifts) in one go. A run
// with the same model, data file hash, cross-validation and last training
// year already in the institution's store is left as it is and its id
// returned with outcome "unchanged": a run is a fact about a file, so
// running the same file again changes nothing. Otherwise the outcome is
// "inserted".
func SaveRun(ctx context.Context, q db.Q, inst, by string, run StoredRun, scores []StoredScore) (string, string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM forecast_runs WHERE institution_id = ? AND model = ? AND data_sha256 = ? AND cv = ? AND last_train_year = ?`,
		inst, run.Model, run.DataSHA256, run.CV, run.LastTrainYear).Scan(&id)
	if err == nil {
		return id, "unchanged", nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", "", err
	}
	if run.Sensitivity == 0 {
		run.Sensitivity = sensitivity.Public
	}
	id = db.NewID()
	demo := 0
	if run.Demo {
		demo = 1
	}
	if _, err := q.Exec(ctx, `INSERT INTO forecast_runs (id, institution_id, model, model_detail, data_file, data_sha256, cv, last_train_year,
		scored_year, training_rows, demo, note, unmapped, sensitivity, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, inst, run.Model, run.ModelDetail, run.DataFile, run.DataSHA256, run.CV, run.LastTrainYear, run.ScoredYear, run.TrainingRows,
		demo, run.Note, strings.Join(run.Unmapped, "\n"), int(run.Sensitivity), by, db.Now()); err != nil {
		return "", "", err
	}
	for _, s := range scores {
		sid := db.NewID()
		if _, err := q.Exec(ctx, `INSERT INTO forecast_scores (id, institution_id, run_id, ewp_name, country, risk, risk_rank) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			sid, inst, id, s.Name, s.Country, s.Risk, s.Rank); err != nil {
			return "", "", err
		}
		for i, sh := range s.Shifts {
			if _, err := q.Exec(ctx, `INSERT INTO forecast_shifts (id, institution_id, score_id, position, variable, description, from_value, to_value, risk, delta)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, db.NewID(), inst, sid, i+1, sh.Variable, sh.Description, sh.From, sh.To, sh.Risk, sh.Delta); err != nil {
				return "", "", err
			}
		}
	}
	return id, "inserted", nil
}

const runCols = `r.id, r.model, r.model_detail, r.data_file, r.data_sha256, r.cv, r.last_train_year, r.scored_year, r.training_rows, r.demo,
	r.note, r.unmapped, r.sensitivity, r.created_by, r.created_at,
	(SELECT COUNT(*) FROM forecast_scores s WHERE s.institution_id = r.institution_id AND s.run_id = r.id)`

func scanRun(row interface{ Scan(...any) error }) (StoredRun, error) {
	var r StoredRun
	var demo, lvl int64
	var unmapped string
	err := row.Scan(&r.ID, &r.Model, &r.ModelDetail, &r.DataFile, &r.DataSHA256, &r.CV, &r.LastTrainYear, &r.ScoredYear, &r.TrainingRows, &demo,
		&r.Note, &unmapped, &lvl, &r.CreatedBy, &r.CreatedAt, &r.Countries)
	r.Demo, r.Sensitivity = demo == 1, sensitivity.Level(lvl)
	if unmapped != "" {
		r.Unmapped = strings.Split(unmapped, "\n")
	}
	return r, err
}

// Runs lists the runs a reader cleared up to clearance may see: the latest
// scored year first, then the newest run.
func Runs(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level) ([]StoredRun, error) {
	rows, err := q.Query(ctx, "SELECT "+runCols+` FROM forecast_runs r WHERE r.institution_id = ? AND r.sensitivity <= ?
		ORDER BY r.scored_year DESC, r.created_at DESC, r.id DESC`, inst, int(clearance))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Run loads one run.
func Run(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level) (StoredRun, error) {
	r, err := scanRun(q.QueryRow(ctx, "SELECT "+runCols+" FROM forecast_runs r WHERE r.institution_id = ? AND r.id = ? AND r.sensitivity <= ?",
		inst, id, int(clearance)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// Current picks the run the pages show by default: the one with the latest
// scored year, the newest among those. ErrNotFound when there is none.
func Current(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level) (StoredRun, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM forecast_runs WHERE institution_id = ? AND sensitivity <= ?
		ORDER BY scored_year DESC, created_at DESC, id DESC LIMIT 1`, inst, int(clearance)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return StoredRun{}, ErrNotFound
	} else if err != nil {
		return StoredRun{}, err
	}
	return Run(ctx, q, inst, id, clearance)
}

// Scores lists a run's scores, highest risk first (names not mapped to a
// country are included, with Country "").
func Scores(ctx context.Context, q db.Q, inst, runID string) ([]StoredScore, error) {
	rows, err := q.Query(ctx, `SELECT id, run_id, ewp_name, country, risk, risk_rank FROM forecast_scores
		WHERE institution_id = ? AND run_id = ? ORDER BY risk_rank, ewp_name`, inst, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredScore
	for rows.Next() {
		var s StoredScore
		if err := rows.Scan(&s.ID, &s.RunID, &s.Name, &s.Country, &s.Risk, &s.Rank); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CountryScore loads one country's score in a run with its shift analysis,
// largest change first.
func CountryScore(ctx context.Context, q db.Q, inst, runID, country string) (StoredScore, error) {
	var s StoredScore
	err := q.QueryRow(ctx, `SELECT id, run_id, ewp_name, country, risk, risk_rank FROM forecast_scores
		WHERE institution_id = ? AND run_id = ? AND country = ? ORDER BY ewp_name LIMIT 1`, inst, runID, country).
		Scan(&s.ID, &s.RunID, &s.Name, &s.Country, &s.Risk, &s.Rank)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	} else if err != nil {
		return s, err
	}
	rows, err := q.Query(ctx, `SELECT variable, description, from_value, to_value, risk, delta FROM forecast_shifts
		WHERE institution_id = ? AND score_id = ? ORDER BY position`, inst, s.ID)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var sh StoredShift
		if err := rows.Scan(&sh.Variable, &sh.Description, &sh.From, &sh.To, &sh.Risk, &sh.Delta); err != nil {
			return s, err
		}
		s.Shifts = append(s.Shifts, sh)
	}
	return s, rows.Err()
}

// TrendPoint is a country's score in one run of a series.
type TrendPoint struct {
	RunID         string  `json:"run_id"`
	LastTrainYear int     `json:"last_train_year"`
	ScoredYear    int     `json:"scored_year"`
	Risk          float64 `json:"risk"`
	Rank          int     `json:"rank"`
	Of            int     `json:"of"`
}

// Trend lists a country's scores in every run of the same series as run
// (same model, data file and cross-validation; each run its own
// out-of-sample fit), oldest scored year first.
func Trend(ctx context.Context, q db.Q, inst string, run StoredRun, country string, clearance sensitivity.Level) ([]TrendPoint, error) {
	rows, err := q.Query(ctx, `SELECT r.id, r.last_train_year, r.scored_year, s.risk, s.risk_rank,
		(SELECT COUNT(*) FROM forecast_scores c WHERE c.institution_id = r.institution_id AND c.run_id = r.id)
		FROM forecast_runs r JOIN forecast_scores s ON s.run_id = r.id AND s.institution_id = r.institution_id
		WHERE r.institution_id = ? AND r.model = ? AND r.data_sha256 = ? AND r.cv = ? AND r.sensitivity <= ? AND s.country = ?
		ORDER BY r.scored_year, s.ewp_name`, inst, run.Model, run.DataSHA256, run.CV, int(clearance), country)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TrendPoint
	seen := map[int]bool{}
	for rows.Next() {
		var p TrendPoint
		if err := rows.Scan(&p.RunID, &p.LastTrainYear, &p.ScoredYear, &p.Risk, &p.Rank, &p.Of); err != nil {
			return nil, err
		}
		if seen[p.ScoredYear] { // two names mapped to one code: keep the first
			continue
		}
		seen[p.ScoredYear] = true
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ScoredYear < out[j].ScoredYear })
	return out, rows.Err()
}

// Percent renders the risk as a percentage with two decimals, for pages.
func (s StoredScore) Percent() string { return fmt.Sprintf("%.2f%%", 100*s.Risk) }

// Percent renders the risk as a percentage with two decimals.
func (p TrendPoint) Percent() string { return fmt.Sprintf("%.2f%%", 100*p.Risk) }

// Percent renders the moved risk as a percentage with two decimals.
func (s StoredShift) Percent() string { return fmt.Sprintf("%.2f%%", 100*s.Risk) }

// Points renders the change in percentage points, with its sign.
func (s StoredShift) Points() string { return fmt.Sprintf("%+.2f", 100*s.Delta) }

// Value renders a predictor value compactly (0/1 stay whole numbers).
func Value(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// FromText and ToText render the shift's values.
func (s StoredShift) FromText() string { return Value(s.From) }

// ToText renders the value the variable is moved to.
func (s StoredShift) ToText() string { return Value(s.To) }

// Previous finds the run of the same series (model, data file, folds) that
// scored the year before run, or ErrNotFound.
func Previous(ctx context.Context, q db.Q, inst string, run StoredRun, clearance sensitivity.Level) (StoredRun, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM forecast_runs WHERE institution_id = ? AND model = ? AND data_sha256 = ? AND cv = ? AND scored_year = ?
		AND sensitivity <= ?`, inst, run.Model, run.DataSHA256, run.CV, run.ScoredYear-1, int(clearance)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return StoredRun{}, ErrNotFound
	} else if err != nil {
		return StoredRun{}, err
	}
	return Run(ctx, q, inst, id, clearance)
}
