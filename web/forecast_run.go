package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/forecast"
)

// Analysts and administrators can start a forecast run from the browser:
// they upload a country-year file in the Early Warning Project layout
// (and, if they have it, a folds file), pick a model and the years, and the
// server fits and stores the runs in the background, exactly as `vigil
// forecast run` does (forecast.RunAndStore). A fit takes from seconds (ewp)
// to minutes (ensemble3), longer than a request should wait, so the page
// returns at once and the list shows the job's progress. Jobs are held in
// memory: a restart forgets a job in progress, and nothing of it is stored
// (each run is written in one transaction when its fit is done).
func init() {
	runners := []access.Role{access.Administrator, access.Analyst}
	registerPart(part{name: "forecast-run", order: 62,
		routes: []route{
			{method: "GET", path: "/forecast/run", roles: runners, handle: (*Server).forecastRunForm},
			{method: "POST", path: "/forecast/run", roles: runners, upload: true, handle: (*Server).forecastRunStart},
		},
	})
}

// forecastJob is one run started from the browser.
type forecastJob struct {
	ID, Model, File, By string
	Started             time.Time
	Total, Done         int
	State               string // running, done, failed
	Err                 string
	Inserted, Unchanged int
}

// StartedText is the start time for the page.
func (j forecastJob) StartedText() string { return j.Started.UTC().Format("2006-01-02 15:04 UTC") }

var forecastJobs = struct {
	sync.Mutex
	m map[string][]*forecastJob // by institution, newest first, at most 5
	// wg lets tests wait for jobs to end.
	wg sync.WaitGroup
}{m: map[string][]*forecastJob{}}

// jobsOf copies an institution's jobs for a page.
func jobsOf(inst string) []forecastJob {
	forecastJobs.Lock()
	defer forecastJobs.Unlock()
	var out []forecastJob
	for _, j := range forecastJobs.m[inst] {
		out = append(out, *j)
	}
	return out
}

type forecastRunView struct {
	Models             []forecast.Model
	Model, Last, Years string
	Licence            string
	MaxYears           int
}

func (s *Server) forecastRunForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "forecast_run", pageData{Title: "Run the statistical forecast", Data: forecastRunView{Models: forecast.Models(),
		Model: "ewp", Years: "5", Licence: forecastLicence, MaxYears: 10}})
}

func (s *Server) forecastRunStart(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := forecastRunView{Models: forecast.Models(), Model: r.PostFormValue("model"), Last: r.PostFormValue("last_train_year"),
		Years: r.PostFormValue("years"), Licence: forecastLicence, MaxYears: 10}
	bad := func(msg string) {
		s.renderStatus(w, r, http.StatusBadRequest, "forecast_run", pageData{Title: "Run the statistical forecast", Error: msg, Data: v})
	}
	m, ok := forecast.ModelByName(v.Model)
	if !ok {
		bad("Choose one of the models listed.")
		return
	}
	years, err := strconv.Atoi(strings.TrimSpace(v.Years))
	if err != nil || years < 1 || years > v.MaxYears {
		bad(fmt.Sprintf("The number of runs must be a whole number from 1 to %d.", v.MaxYears))
		return
	}
	last := 0
	if t := strings.TrimSpace(v.Last); t != "" {
		if last, err = strconv.Atoi(t); err != nil || last < 1900 || last > 2200 {
			bad("The last training year must be a year, such as 2022, or left empty.")
			return
		}
	}
	f, hdr, err := r.FormFile("data")
	if err != nil {
		bad("Choose the country-year data file (CSV in the Early Warning Project layout).")
		return
	}
	raw, err := readUpload(f)
	f.Close()
	if err != nil {
		bad("The data file could not be read: " + err.Error())
		return
	}
	data, err := forecast.Load(bytes.NewReader(raw))
	if err != nil {
		bad("The data file is not in the expected layout: " + err.Error())
		return
	}
	job := forecast.Job{Institution: c.User.InstitutionID, By: c.User.Username, Data: data, DataFile: uploadName(hdr.Filename), DataSHA256: forecast.SHA256(raw),
		Model: m, Options: forecast.FitOptions{Seed: 90035, Workers: 1}, CV: "random folds, seed 90035", LastL: last, Years: years}
	if ff, fh, err := r.FormFile("folds"); err == nil {
		fb, err := readUpload(ff)
		ff.Close()
		if err != nil {
			bad("The folds file could not be read: " + err.Error())
			return
		}
		if len(fb) > 0 {
			folds, err := forecast.LoadFolds(bytes.NewReader(fb))
			if err != nil {
				bad("The folds file is not in the expected layout: " + err.Error())
				return
			}
			job.Options.Folds = folds
			job.CV = "folds " + uploadName(fh.Filename) + " sha256 " + forecast.SHA256(fb)
		}
	}
	if job.LastL == 0 {
		job.LastL = data.LatestScoredYear() - 2
	}
	if len(data.TrainingRows(job.LastL-years+1)) == 0 {
		bad(fmt.Sprintf("The file has no complete training rows up to %d.", job.LastL-years+1))
		return
	}
	pending, err := job.Pending(r.Context(), s.db)
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The forecast could not be started.", err)
		return
	}
	// One run at a time in the whole process: the fits take all of a core
	// for minutes, and the server must keep answering everyone else.
	forecastJobs.Lock()
	for inst, jobs := range forecastJobs.m {
		for _, j := range jobs {
			if j.State == "running" {
				forecastJobs.Unlock()
				if inst == job.Institution {
					bad("A forecast run of this institution is already in progress; wait for it to end.")
				} else {
					bad("Another forecast run is in progress on this server; try again when it has ended.")
				}
				return
			}
		}
	}
	fj := &forecastJob{ID: db.NewID(), Model: m.Name, File: job.DataFile, By: c.User.Username, Started: time.Now(), Total: pending, State: "running"}
	list := append([]*forecastJob{fj}, forecastJobs.m[job.Institution]...)
	if len(list) > 5 {
		list = list[:5]
	}
	forecastJobs.m[job.Institution] = list
	forecastJobs.wg.Add(1)
	forecastJobs.Unlock()

	user, ip := c.User, clientIP(r)
	go func() {
		defer forecastJobs.wg.Done()
		ctx := context.Background()
		outs, err := forecast.RunAndStore(ctx, s.db, job, func(ctx context.Context, tx *db.Tx, run forecast.StoredRun, id string, n int) error {
			return s.audit.Append(ctx, tx, audit.Entry{Institution: user.InstitutionID, ActorID: user.ID, ActorName: user.Username, IP: ip,
				Action: "forecast.run", ObjectType: "forecast_run", ObjectID: id, Detail: forecast.AuditDetail(run, n)})
		}, func() {
			forecastJobs.Lock()
			fj.Done++
			forecastJobs.Unlock()
		})
		forecastJobs.Lock()
		defer forecastJobs.Unlock()
		for _, o := range outs {
			if o.Outcome == "inserted" {
				fj.Inserted++
			} else {
				fj.Unchanged++
			}
		}
		fj.State = "done"
		if err != nil {
			fj.State, fj.Err = "failed", err.Error()
			s.log.Error("forecast run", "err", err)
		}
	}()
	http.Redirect(w, r, "/forecast", http.StatusSeeOther)
}

// uploadName keeps the base name of an uploaded file, at most 200 bytes.
func uploadName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if len(name) > 200 {
		name = strings.ToValidUTF8(name[:200], "")
	}
	if name == "." || name == "/" || name == "" {
		name = "upload.csv"
	}
	return name
}

// maxForecastUpload bounds each uploaded file: the Early Warning Project's
// country-year file is under 2 MB and its fold assignments about 5 MB.
const maxForecastUpload = 32 << 20

// readUpload reads an uploaded file whole, refusing one over the bound
// rather than holding an arbitrary amount in memory.
func readUpload(f io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(f, maxForecastUpload+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxForecastUpload {
		return nil, fmt.Errorf("it is larger than %d MB", maxForecastUpload>>20)
	}
	return b, nil
}
