package forecast

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"vigil/country"
	"vigil/db"
	"vigil/importer"
)

// Job is one `forecast run`: a data file, a model, how folds are drawn and
// the last training years to fit. The command line and the web page both
// run it through RunAndStore.
type Job struct {
	Institution string
	By          string // who runs it, as stored in created_by
	Data        *Dataset
	DataFile    string // base name of the file
	DataSHA256  string
	Model       Model
	Options     FitOptions
	CV          string // how folds are drawn, e.g. "folds F sha256 H" or "random folds, seed N"
	LastL       int    // last training year of the latest run (0: the current forecast)
	Years       int    // number of runs ending at LastL
}

// SHA256 names file contents as lower-case hex.
func SHA256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// RunOutcome is what happened to one last training year.
type RunOutcome struct {
	ID            string   `json:"id"`
	LastTrainYear int      `json:"last_train_year"`
	ScoredYear    int      `json:"scored_year"`
	Countries     int      `json:"countries"`
	Outcome       string   `json:"outcome"` // inserted or unchanged
	Unmapped      []string `json:"unmapped"`
}

// Audit writes the audit entry of a stored run inside its transaction.
type Audit func(ctx context.Context, tx *db.Tx, run StoredRun, id string, countries int) error

// Resolver maps a name of the file to an ISO alpha-3 code with the
// store's country list, then with EWPSpellings (only to codes the list
// has). empty is true when the store has no country list at all.
func Resolver(ctx context.Context, q db.Q) (resolve func(string) (string, bool), empty bool, err error) {
	r, err := country.LoadResolver(ctx, q)
	if err != nil {
		return nil, false, err
	}
	return func(name string) (string, bool) {
		if c, ok := r.Resolve(name); ok {
			return c, true
		}
		if c, ok := EWPSpellings[name]; ok {
			if _, known := r.Get(c); known {
				return c, true
			}
		}
		return "", false
	}, r.Empty(), nil
}

// Base is the part of a stored run that the job fixes.
func (j Job) Base() StoredRun {
	return StoredRun{Model: j.Model.Name, ModelDetail: j.Model.Description, DataFile: j.DataFile, DataSHA256: j.DataSHA256, CV: j.CV}
}

// Years returns the last training years of the job, oldest first, after
// filling LastL with the current forecast's when it is 0.
func (j *Job) years() []int {
	if j.LastL == 0 {
		j.LastL = j.Data.LatestScoredYear() - 2
	}
	var out []int
	for L := j.LastL - j.Years + 1; L <= j.LastL; L++ {
		out = append(out, L)
	}
	return out
}

// Pending reports how many fits the job still needs (runs already stored
// are not fitted again).
func (j *Job) Pending(ctx context.Context, d *db.DB) (int, error) {
	existing, err := j.existing(ctx, d)
	if err != nil {
		return 0, err
	}
	return len(j.years()) - len(existing), nil
}

func (j *Job) existing(ctx context.Context, d *db.DB) (map[int]string, error) {
	out := map[int]string{}
	base := j.Base()
	err := d.Read(ctx, j.Institution, func(tx *db.Tx) error {
		for _, L := range j.years() {
			var id string
			err := tx.QueryRow(ctx, `SELECT id FROM forecast_runs WHERE institution_id = ? AND model = ? AND data_sha256 = ? AND cv = ? AND last_train_year = ?`,
				j.Institution, base.Model, base.DataSHA256, base.CV, L).Scan(&id)
			if err == nil {
				out[L] = id
			}
		}
		return nil
	})
	return out, err
}

// RunAndStore fits each last training year of the job that is not stored
// yet, strictly out of sample (each on its own rows only), and stores it
// with its scores, mapped country codes and, for the latest year, the
// shift analysis, one transaction per run with its audit entry. Years
// already stored are reported unchanged and not fitted again. fitted, when
// not nil, is called after each fit.
func RunAndStore(ctx context.Context, d *db.DB, j Job, audit Audit, fitted func()) ([]RunOutcome, error) {
	if j.Years < 1 {
		return nil, fmt.Errorf("forecast: years must be at least 1")
	}
	existing, err := j.existing(ctx, d)
	if err != nil {
		return nil, err
	}
	var resolve func(string) (string, bool)
	if err := d.Read(ctx, j.Institution, func(tx *db.Tx) error {
		resolve, _, err = Resolver(ctx, tx)
		return err
	}); err != nil {
		return nil, err
	}
	var out []RunOutcome
	for _, L := range j.years() {
		if id, ok := existing[L]; ok {
			out = append(out, RunOutcome{ID: id, LastTrainYear: L, ScoredYear: L + 2, Outcome: importer.Unchanged, Unmapped: []string{}})
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		series, err := RunSeries(j.Data, j.Model, j.Options, L, 1, nil)
		if err != nil {
			return out, err
		}
		sr := series[0]
		if L != j.LastL {
			sr.Shifts = nil
		}
		scores, unmapped := sr.ToStored(resolve)
		r := j.Base()
		r.LastTrainYear, r.ScoredYear, r.TrainingRows, r.Unmapped = sr.LastTrainYear, sr.ScoredYear, sr.TrainingRows, unmapped
		var id, outcome string
		err = d.Write(ctx, j.Institution, func(tx *db.Tx) error {
			var err error
			id, outcome, err = SaveRun(ctx, tx, j.Institution, j.By, r, scores)
			if err != nil || outcome != importer.Inserted || audit == nil {
				return err
			}
			return audit(ctx, tx, r, id, len(scores))
		})
		if err != nil {
			return out, err
		}
		if unmapped == nil {
			unmapped = []string{}
		}
		out = append(out, RunOutcome{ID: id, LastTrainYear: L, ScoredYear: L + 2, Countries: len(scores), Outcome: outcome, Unmapped: unmapped})
		if fitted != nil {
			fitted()
		}
	}
	return out, nil
}

// AuditDetail is the audit detail of a stored run: no value of any row.
func AuditDetail(r StoredRun, countries int) string {
	return fmt.Sprintf("model=%s data_sha256=%s last_train_year=%d scored_year=%d countries=%d unmapped=%d",
		r.Model, r.DataSHA256, r.LastTrainYear, r.ScoredYear, countries, len(r.Unmapped))
}
