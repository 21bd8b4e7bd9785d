package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/forecast"
	"vigil/risk"
	"vigil/sensitivity"
)

// fixtureCountry is the country each fixture institution's run scores: a
// different one per institution, so that opening the other's is a 404.
var fixtureCountry = [2]string{"XVA", "XVB"}

func init() {
	fixtureRecords = append(fixtureRecords, func(ctx context.Context, tx *db.Tx, f *fixture, inst int) ([]string, string, error) {
		code := fixtureCountry[inst]
		_, _, err := forecast.SaveRun(ctx, tx, f.inst[inst].ID, "test", forecast.StoredRun{Model: "ewp", DataFile: "f.csv", DataSHA256: "f",
			LastTrainYear: 2022, ScoredYear: 2024, Sensitivity: sensitivity.Partners},
			[]forecast.StoredScore{{Name: "Test " + code, Country: code, Risk: 0.05, Rank: 1,
				Shifts: []forecast.StoredShift{{Variable: "coup.try.5yr", Description: "coup", From: 1, To: 0, Risk: 0.03, Delta: -0.02}}}})
		return []string{"/forecast/", "/api/v1/forecast/"}, code, err
	})
}

// seedForecastPage stores, for institution 0, a two-run series for Vangoria
// with a shift analysis in which battle deaths drive the score, and an
// assessment of Vangoria at the given sensitivity that rates every
// indicator low: rule 1 (forecast high, analysts low) and rule 3 (battle
// deaths drive it, factor 1 rated low) must both fire.
func seedForecastPage(t *testing.T, f *fixture, level sensitivity.Level) {
	t.Helper()
	ctx := context.Background()
	inst := f.inst[0].ID
	an := f.users[0][access.Analyst]
	err := f.d.Write(ctx, inst, func(tx *db.Tx) error {
		for _, L := range []int{2021, 2022} {
			r := forecast.StoredRun{Model: "ensemble3", DataFile: "ewp.csv", DataSHA256: "h", CV: "folds", LastTrainYear: L, ScoredYear: L + 2}
			scores := []forecast.StoredScore{{Name: "Vangoria", Country: "XVQ", Risk: 0.02 + 0.06*float64(L-2021), Rank: 2},
				{Name: "Ostland", Country: "XOS", Risk: 0.2, Rank: 1}}
			if L == 2022 {
				scores[0].Shifts = []forecast.StoredShift{
					{Variable: "battledeaths.log2", Description: forecast.Describe("battledeaths.log2"), From: 10, To: 0, Risk: 0.02, Delta: -0.06},
					{Variable: "popsize.log2", Description: forecast.Describe("popsize.log2"), From: 24, To: 23, Risk: 0.07, Delta: -0.01}}
			}
			if _, _, err := forecast.SaveRun(ctx, tx, inst, "tester", r, scores); err != nil {
				return err
			}
		}
		fw, _, err := risk.EnsureDefault(ctx, tx, inst)
		if err != nil {
			return err
		}
		a, err := risk.Create(ctx, tx, inst, an.ID, risk.NewAssessment{FrameworkID: fw, Country: "XVQ", Period: "2026", Title: "Vangoria 2026", Sensitivity: level})
		if err != nil {
			return err
		}
		full, err := risk.Get(ctx, tx, inst, a.ID, sensitivity.Confidential)
		if err != nil {
			return err
		}
		for _, r := range full.Ratings {
			if _, _, err := risk.Rate(ctx, tx, inst, a.ID, an.ID, sensitivity.Confidential, risk.RatingEdit{Number: r.Number, Rating: risk.Low,
				Direction: "same", Confidence: "medium", Rationale: "secret rationale " + r.Number, Sensitivity: level}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestForecastCountryPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		seedForecastPage(t, f, sensitivity.Internal)
		tok, _ := f.session(f.users[0][access.Viewer])
		resp := f.do("GET", "/forecast/XVQ", tok, nil, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		for _, want := range []string{"8.00%", "Rank", "2 of 2", "Rule 1:", "Rule 3:", `class="forecast-flag"`, "battle deaths in armed conflict",
			"internal checking only", "United States Holocaust Memorial Museum", "<svg", "2023", "2024", forecast.DisagreementRule[:40], "Vangoria 2026"} {
			if !strings.Contains(body, want) {
				t.Errorf("country page lacks %q", want)
			}
		}
		if strings.Contains(body, "secret rationale") {
			t.Error("the page shows a rationale")
		}
		if strings.Contains(body, "Fictional run") {
			t.Error("a real run is labelled as a demonstration")
		}
		// The list ranks both countries and links the mapped ones.
		resp = f.do("GET", "/forecast", tok, nil, nil)
		body = readBody(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(body, `href="/forecast/XVQ"`) || !strings.Contains(body, "ensemble3") || !strings.Contains(body, "SHA-256 h") ||
			!strings.Contains(body, "Rank since 2023") || !strings.Contains(body, "<td>same</td>") {
			t.Errorf("list page: %d\n%s", resp.StatusCode, body)
		}
		// The API carries the same figures and flags.
		resp = f.do("GET", "/api/v1/forecast/XVQ", tok, nil, nil)
		var js struct {
			Risk          float64 `json:"risk"`
			Rank, Of      int
			Trend         []forecast.TrendPoint   `json:"trend"`
			Disagreements []forecast.Disagreement `json:"disagreements"`
			Assessment    struct {
				Crimes map[string]string `json:"crimes"`
			} `json:"assessment"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&js); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if js.Risk != 0.08 || js.Rank != 2 || js.Of != 2 || len(js.Trend) != 2 || len(js.Disagreements) != 2 || js.Assessment.Crimes["genocide"] != "low" {
			t.Errorf("api: %+v", js)
		}
		// An unknown country is a 404.
		resp = f.do("GET", "/forecast/XXX", tok, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown country: %d", resp.StatusCode)
		}
	})
}

// TestForecastConfidentialAssessmentAudited: the levels of a confidential
// assessment appear on the forecast page only for cleared staff, and the
// read is audited; a viewer sees the forecast without the assessment.
func TestForecastConfidentialAssessmentAudited(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	seedForecastPage(t, f, sensitivity.Confidential)
	tok, _ := f.session(f.users[0][access.Viewer])
	body := readBody(t, f.do("GET", "/forecast/XVQ", tok, nil, nil))
	if strings.Contains(body, "Vangoria 2026") || !strings.Contains(body, "no assessment of this country that you may see") {
		t.Error("a viewer sees the confidential assessment")
	}
	tok, _ = f.session(f.users[0][access.Analyst])
	body = readBody(t, f.do("GET", "/forecast/XVQ", tok, nil, nil))
	if !strings.Contains(body, "Vangoria 2026") || !strings.Contains(body, "Rule 1:") {
		t.Error("an analyst does not see the assessment beside the forecast")
	}
	var reads []audit.Row
	f.d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
		reads, _ = audit.List(context.Background(), tx, f.inst[0].ID, audit.Filter{Action: "risk.assessment.read"})
		return nil
	})
	if len(reads) != 1 {
		t.Fatalf("%d audited reads, want 1", len(reads))
	}
}

// TestForecastEmpty: with no run stored the list says how to make one.
func TestForecastEmpty(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if err := f.d.Write(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
		for _, q := range []string{"DELETE FROM forecast_shifts", "DELETE FROM forecast_scores", "DELETE FROM forecast_runs"} {
			if _, err := tx.Exec(context.Background(), q+" WHERE institution_id = ?", f.inst[0].ID); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tok, _ := f.session(f.users[0][access.Viewer])
	resp := f.do("GET", "/forecast", tok, nil, nil)
	body := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "No forecast has been stored yet") {
		t.Errorf("empty list: %d", resp.StatusCode)
	}
}

// syntheticEWP is a small country-year table in the EWP layout where
// onsets follow the first predictor.
func syntheticEWP() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := append([]string{"ewp_name", "year"}, forecast.EWPVariables...)
	w.Write(append(header, "mk_onset_1or2", "mk_onset", "mk_onset_1", "mk_onset_2"))
	rng := rand.New(rand.NewPCG(9, 3))
	for c := 0; c < 30; c++ {
		for y := 1980; y <= 2000; y++ {
			rec := []string{fmt.Sprintf("Country %02d", c), fmt.Sprint(y)}
			first := 0.0
			for j, v := range forecast.EWPVariables {
				x := rng.NormFloat64()
				switch v {
				case "year":
					x = float64(y)
				case "year_sq":
					x = float64(y * y)
				}
				if j == 0 {
					first = x
				}
				rec = append(rec, fmt.Sprint(x))
			}
			on := "0"
			if rng.Float64() < 1/(1+math.Exp(2-1.5*first)) {
				on = "1"
			}
			w.Write(append(rec, on, on, "0", "0"))
		}
	}
	w.Flush()
	return b.Bytes()
}

func postRun(t *testing.T, f *fixture, tok, csrf string, data []byte, fields map[string]string) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("data", "synthetic.csv")
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+"/forecast/run", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "vigil_session", Value: tok})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestForecastRunFromBrowser: an analyst uploads a file and starts a run;
// the fits run in the background, the runs are stored and audited under
// the analyst's name, the list reports the job, and the same upload again
// stores nothing new. Bad input is refused with the form.
func TestForecastRunFromBrowser(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	tok, csrf := f.session(f.users[0][access.Analyst])
	data := syntheticEWP()
	fields := map[string]string{"model": "ewp", "years": "2", "last_train_year": "1996"}
	for _, bad := range []struct {
		data   []byte
		fields map[string]string
	}{{nil, fields}, {[]byte("a,b\n1,2\n"), fields}, {data, map[string]string{"model": "nope", "years": "2"}},
		{data, map[string]string{"model": "ewp", "years": "0"}}, {data, map[string]string{"model": "ewp", "years": "2", "last_train_year": "1700"}}} {
		resp := postRun(t, f, tok, csrf, bad.data, bad.fields)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("bad upload %v: status %d, want 400", bad.fields, resp.StatusCode)
		}
	}
	resp := postRun(t, f, tok, csrf, data, fields)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	forecastJobs.wg.Wait()
	body := readBody(t, f.do("GET", "/forecast", tok, nil, nil))
	if !strings.Contains(body, "done: 2 runs stored, 0 already stored") || !strings.Contains(body, "synthetic.csv") {
		t.Fatalf("list does not report the job: %s", body)
	}
	resp = postRun(t, f, tok, csrf, data, fields)
	resp.Body.Close()
	forecastJobs.wg.Wait()
	body = readBody(t, f.do("GET", "/forecast", tok, nil, nil))
	if !strings.Contains(body, "done: 0 runs stored, 2 already stored") {
		t.Fatalf("the same upload again: %s", body)
	}
	var runs []forecast.StoredRun
	var entries []audit.Row
	f.d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
		runs, _ = forecast.Runs(context.Background(), tx, f.inst[0].ID, sensitivity.Confidential)
		entries, _ = audit.List(context.Background(), tx, f.inst[0].ID, audit.Filter{Action: "forecast.run"})
		return nil
	})
	mine := 0
	for _, r := range runs {
		if r.DataFile == "synthetic.csv" {
			mine++
			if r.CreatedBy != f.users[0][access.Analyst].Username || r.Model != "ewp" || r.Countries != 30 {
				t.Errorf("run %+v", r)
			}
		}
	}
	if mine != 2 || len(entries) != 2 {
		t.Fatalf("%d runs, %d audit entries; want 2 and 2", mine, len(entries))
	}
}
