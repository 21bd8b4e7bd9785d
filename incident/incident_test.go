package incident

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/fieldcrypt"
	"vigil/importer"
	"vigil/sensitivity"
)

func newInst(t *testing.T, d *db.DB, names ...string) []string {
	t.Helper()
	var ids []string
	err := d.Write(context.Background(), db.System, func(tx *db.Tx) error {
		for _, n := range names {
			in, err := access.CreateInstitution(context.Background(), tx, n, "XVG")
			if err != nil {
				return err
			}
			ids = append(ids, in.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestModel records an event with an act, a victim, a unit as perpetrator
// and a case followed to reparation, and checks what each clearance sees.
func TestModel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		kr := fieldcrypt.Ephemeral()
		ids := newInst(t, d, "A", "B")
		a, b := ids[0], ids[1]
		var ev Event
		var c Case
		var unit Unit
		err := d.Write(ctx, a, func(tx *db.Tx) error {
			var err error
			ev, err = CreateEvent(ctx, tx, a, "u1", Event{Title: "Market square arrests", DateStart: "2026-03-04", Region: "Kelvast", Violence: "repression_of_protest"})
			if err != nil {
				return err
			}
			act, err := AddAct(ctx, tx, a, Act{EventID: ev.ID, Type: "arbitrary_detention", Victims: 12, Indicators: []string{"RF9.3", "RF2.1"}})
			if err != nil {
				return err
			}
			victim, err := CreatePerson(ctx, tx, kr, a, "u1", Person{Kind: "victim", Pseudonym: "V-9", Name: "Secret Name"})
			if err != nil {
				return err
			}
			if _, err := Involve(ctx, tx, a, Involvement{ActID: act.ID, PersonID: victim.ID, Role: "victim"}); err != nil {
				return err
			}
			parent, err := CreateUnit(ctx, tx, a, "u1", Unit{Name: "Police Command", Force: "police", Kind: "command"})
			if err != nil {
				return err
			}
			unit, err = CreateUnit(ctx, tx, a, "u1", Unit{Name: "3rd Company", Force: "police"})
			if err != nil {
				return err
			}
			if _, err := LinkUnit(ctx, tx, a, unit.ID, parent.ID, "2020-01-01", ""); err != nil {
				return err
			}
			if _, err := LinkUnit(ctx, tx, a, parent.ID, unit.ID, "", ""); err == nil {
				t.Error("a loop in the hierarchy was accepted")
			}
			if _, err := Involve(ctx, tx, a, Involvement{ActID: act.ID, UnitID: unit.ID, Role: "perpetrator", Degree: "carried_out"}); err != nil {
				return err
			}
			if _, err := Involve(ctx, tx, a, Involvement{ActID: act.ID, UnitID: unit.ID, Role: "perpetrator", Degree: "shouted"}); err == nil {
				t.Error("an unknown degree was accepted")
			}
			c, err = OpenCase(ctx, tx, a, "u1", Case{EventID: ev.ID, ActID: act.ID, Title: "Complaint of V-9", Authority: "Kelvast prosecutor",
				OpenedOn: "2026-03-10", Deadline: "2026-04-10"})
			if err != nil {
				return err
			}
			if _, err := AddStep(ctx, tx, a, "u1", c.ID, Step{Stage: "investigation", OnDate: "2026-05-01"}, sensitivity.Confidential); err != nil {
				return err
			}
			if _, err := AddStep(ctx, tx, a, "u1", c.ID, Step{Stage: "complaint", OnDate: "2026-05-02"}, sensitivity.Confidential); err == nil {
				t.Error("a stage going back was accepted")
			}
			if _, err := AddStep(ctx, tx, a, "u1", c.ID, Step{Stage: "judgement", OnDate: "2026-09-01", Outcome: "convicted"}, sensitivity.Confidential); err != nil {
				return err
			}
			_, err = AddReparation(ctx, tx, a, "u1", c.ID, Reparation{Form: "compensation", Status: "delivered", OnDate: "2026-10-01"}, sensitivity.Confidential)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		d.Read(ctx, a, func(tx *db.Tx) error {
			acts, err := ListActs(ctx, tx, a, ev.ID, sensitivity.Confidential)
			if err != nil || len(acts) != 1 || len(acts[0].Involvements) != 2 || strings.Join(acts[0].Indicators, ",") != "RF2.1,RF9.3" {
				t.Errorf("acts as confidential reader: %+v %v", acts, err)
			}
			acts, _ = ListActs(ctx, tx, a, ev.ID, sensitivity.Internal)
			for _, v := range acts[0].Involvements {
				if v.PersonID != "" {
					t.Errorf("an internal reader sees a confidential person: %+v", v)
				}
			}
			got, err := GetCase(ctx, tx, a, c.ID, sensitivity.Internal, "2026-11-01")
			if err != nil || got.Stage != "reparation" || got.Outcome != "convicted" || len(got.Steps) != 3 || len(got.Reparations) != 1 {
				t.Errorf("case: %+v %v", got, err)
			}
			p, err := ImpunityFigures(ctx, tx, a, sensitivity.Internal, "2026-11-01")
			if err != nil || p.Total.Incidents != 1 || p.Total.Convictions != 1 || p.Total.Reparations != 1 || len(p.Forces) != 1 {
				t.Errorf("figures: %+v %v", p.Total, err)
			}
			if _, err := GetEvent(ctx, tx, a, ev.ID, sensitivity.Partners); !errors.Is(err, ErrNotFound) {
				t.Errorf("partner reads an internal event: %v", err)
			}
			return nil
		})
		// The other institution sees nothing of it and cannot attach to it.
		d.Write(ctx, b, func(tx *db.Tx) error {
			if _, err := GetEvent(ctx, tx, b, ev.ID, sensitivity.Confidential); !errors.Is(err, ErrNotFound) {
				t.Errorf("other institution reads the event: %v", err)
			}
			if _, err := AddAct(ctx, tx, b, Act{EventID: ev.ID, Type: "killing"}); !errors.Is(err, ErrNotFound) {
				t.Errorf("other institution adds an act to the event: %v", err)
			}
			if _, err := GetUnitRecord(ctx, tx, b, unit.ID, sensitivity.Confidential, ""); !errors.Is(err, ErrNotFound) {
				t.Errorf("other institution reads the unit: %v", err)
			}
			return nil
		})
	})
}

const gedSample = "../../shared/data/events/ucdp_ged_sample_v23_1.csv"

func runImport(t *testing.T, d *db.DB, inst, kind string, files ...string) importer.Result {
	t.Helper()
	k, ok := importer.Lookup(kind)
	if !ok {
		t.Fatalf("kind %s not registered", kind)
	}
	ctx := importer.WithEnv(context.Background(), importer.Env{Institution: inst, Actor: "test"})
	res, err := k.Run(ctx, d, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func countEvents(t *testing.T, d *db.DB, inst string) int {
	var n int
	d.Read(context.Background(), inst, func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM events WHERE institution_id = ?", inst).Scan(&n)
	})
	return n
}

// TestImportGED imports the real UCDP GED sample, then again: the second
// run changes nothing.
func TestImportGED(t *testing.T) {
	if _, err := os.Stat(gedSample); err != nil {
		t.Skipf("UCDP GED sample not found at %s (../shared/data beside the checkout): %v", gedSample, err)
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		inst := newInst(t, d, "A")[0]
		res := runImport(t, d, inst, "ucdp-ged", gedSample)
		if res.Inserted != 1000 || res.Rejected != 0 {
			t.Fatalf("first import: %+v", res)
		}
		res = runImport(t, d, inst, "ucdp-ged", gedSample)
		if res.Inserted != 0 || res.Updated != 0 || res.Unchanged != 1000 {
			t.Fatalf("second import: %+v", res)
		}
		if n := countEvents(t, d, inst); n != 1000 {
			t.Fatalf("%d events after two imports", n)
		}
		var oneSided int
		d.Read(context.Background(), inst, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM events WHERE institution_id = ? AND violence = 'one_sided'", inst).Scan(&oneSided)
		})
		if oneSided != 160 {
			t.Errorf("one-sided events: %d, want 160 (README)", oneSided)
		}
	})
}

// TestImportRejectsAndResumes: bad rows are named by row and field; a file
// cut short (as if the import were killed) leaves whole batches, and the
// full file then completes the store.
func TestImportRejectsAndResumes(t *testing.T) {
	dir := t.TempDir()
	header := "id,type_of_violence,country,adm_1,date_start,date_end,date_prec,where_prec,latitude,longitude,best,deaths_civilians,dyad_name\n"
	var b strings.Builder
	b.WriteString(header)
	for i := 0; i < BatchSize+10; i++ {
		b.WriteString(strings.Join([]string{itoa(i + 1), "3", "Vangoria", "North", "2025-01-02", "2025-01-02", "1", "1", "1.5", "2.5", "3", "3", "Army - Civilians"}, ",") + "\n")
	}
	full := filepath.Join(dir, "full.csv")
	os.WriteFile(full, []byte(b.String()), 0o600)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(header+"x1,7,Vangoria,North,2025-01-02,2025-01-02,1,1,1,1,1,1,a\nx2,3,Vangoria,North,2025-13-02,2025-01-02,1,1,1,1,1,1,a\nx3,3,V,N,2025-01-02,2025-01-02,1,1,north,1,1,1,a\nx4,3,V,N,2025-01-02,2025-01-02,1,1,1,1,1,1,a\n"), 0o600)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		inst := newInst(t, d, "A")[0]
		res := runImport(t, d, inst, "ucdp-ged", bad)
		if res.Inserted != 1 || res.Rejected != 3 {
			t.Fatalf("bad file: %+v", res)
		}
		want := map[int]string{2: "type_of_violence", 3: "date_start", 4: "latitude"}
		for _, e := range res.Errors {
			if want[e.Row] != e.Field {
				t.Errorf("error %v: want field %q for row %d", e, want[e.Row], e.Row)
			}
		}
		// An interrupted run: the first batch committed, the rest not.
		ctx := importer.WithEnv(context.Background(), importer.Env{Institution: inst, Actor: "test"})
		k, _ := importer.Lookup("ucdp-ged")
		batch := make([]parsed, 0, BatchSize)
		for i := 0; i < BatchSize; i++ {
			e := Event{OriginID: itoa(i + 1), Title: "Army - Civilians — ", DateStart: "2025-01-02", DateEnd: "2025-01-02", DatePrecision: 1,
				PlacePrecision: 1, Violence: "one_sided", CountryName: "Vangoria", Admin1: "North", Region: "North", Status: "monitoring",
				Fatalities: 3, CivilianDeaths: 3, Sensitivity: importedLevel}
			lat, lon := 1.5, 2.5
			e.Latitude, e.Longitude = &lat, &lon
			batch = append(batch, parsed{row: i + 2, ev: e})
		}
		if _, err := writeBatch(ctx, d, importer.EnvFrom(ctx), "ucdp-ged", batch, false); err != nil {
			t.Fatal(err)
		}
		if n := countEvents(t, d, inst); n != BatchSize+1 {
			t.Fatalf("after one batch: %d events", n)
		}
		res, err := k.Run(ctx, d, []string{full}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 10 || res.Unchanged+res.Updated != BatchSize {
			t.Errorf("resumed import: %+v", res)
		}
		if n := countEvents(t, d, inst); n != BatchSize+11 {
			t.Errorf("after the resumed import: %d events", n)
		}
	})
}

func itoa(i int) string   { return fmtInt(i) }
func fmtInt(i int) string { return strconv.Itoa(i) }

// TestImportACLED reads made-up rows with the real ACLED header.
func TestImportACLED(t *testing.T) {
	header := "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n"
	rows := `XVG1,28 December 2022,2022,1,Political violence,Violence against civilians,Attack,Police Forces of Vangoria (2019-),NA,1,Civilians (Vangoria),NA,7,17,Civilian targeting,999,Made-up,Vangoria,Oravia,Hill,NA,Hill road camp,10.5,20.25,1,Invented Radio,Local,Made-up row for a test.,2,NA,1672300000
XVG2,3 January 2023,2023,2,Demonstrations,Protests,Excessive force against protesters,Protesters (Vangoria),NA,6,Police Forces of Vangoria (2019-),NA,1,16,NA,999,Made-up,Vangoria,Kelvast,NA,NA,Kelvast,11,21,2,Invented Paper,National,Made-up.,0,NA,1672800000
XVG3,31 February 2023,2023,1,Political violence,Battles,Armed clash,A,NA,1,B,NA,2,12,NA,999,Made-up,Vangoria,Kelvast,NA,NA,Kelvast,11,21,2,Invented Paper,National,Made-up.,0,NA,1672800000
XVG4,4 January 2023,2023,1,Political violence,Battles,Armed clash,A,NA,1,B,NA,2,12,NA,999,Made-up,Vangoria,Kelvast,NA,NA,Kelvast,NA,NA,2,Invented Paper,National,Made-up.,many,NA,1672800000
`
	f := filepath.Join(t.TempDir(), "acled.csv")
	os.WriteFile(f, []byte(header+rows), 0o600)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		inst := newInst(t, d, "A")[0]
		res := runImport(t, d, inst, "acled", f)
		if res.Inserted != 2 || res.Rejected != 2 {
			t.Fatalf("%+v", res)
		}
		if res.Errors[0].Row != 4 || res.Errors[0].Field != "event_date" || res.Errors[1].Row != 5 || res.Errors[1].Field != "fatalities" {
			t.Errorf("errors: %+v", res.Errors)
		}
		var v1, v2 string
		d.Read(context.Background(), inst, func(tx *db.Tx) error {
			evs, _, err := ListEvents(context.Background(), tx, inst, sensitivity.Public, EventFilter{Origin: "acled"})
			for _, e := range evs {
				if e.OriginID == "XVG1" {
					v1 = e.Violence
				} else {
					v2 = e.Violence
				}
			}
			return err
		})
		if v1 != "one_sided" || v2 != "repression_of_protest" {
			t.Errorf("violence: %q %q", v1, v2)
		}
		if res := runImport(t, d, inst, "acled", f); res.Inserted != 0 || res.Unchanged != 2 {
			t.Errorf("re-import: %+v", res)
		}
		// --country without a country list to resolve names is refused, not silently empty.
		k, _ := importer.Lookup("acled")
		ctx := importer.WithEnv(context.Background(), importer.Env{Institution: inst, Actor: "test", Country: "XVG"})
		if _, err := k.Run(ctx, d, []string{f}, nil); err == nil || !strings.Contains(err.Error(), "country list") {
			t.Errorf("--country without a country list: %v", err)
		}
	})
}
