package demo

import (
	"context"
	"fmt"
	"strings"

	"vigil/access"
	"vigil/audit"
	"vigil/blob"
	"vigil/db"
	"vigil/incident"
	"vigil/sensitivity"
)

// Invented incidents in Vangoria, the security-force units said to be
// involved and the cases that followed: everything here is made up. The
// monthly pattern gives the timeline a steady history in most regions and a
// sharp rise in Oravia in the last month, so that the alert has something
// to show; the cases cover each fate a case can meet (reparation, stalled,
// overdue, dismissed).
func init() {
	Register(Seeder{Name: "incidents", Order: 25, Seed: seedIncidents})
}

func seedIncidents(ctx context.Context, tx *db.Tx, env Env) error {
	inst := env.Institution.ID
	by := env.Users[access.Documenter]
	log := func(action, typ, id, detail string) error {
		return env.Audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: by.ID, ActorName: "vigil demo", Action: action,
			ObjectType: typ, ObjectID: id, Detail: detail})
	}
	// Units and their chain of command.
	type unitSpec struct{ key, name, force, kind, parent, from string }
	specs := []unitSpec{
		{"moi", "Ministry of Public Order", "other", "ministry", "", ""},
		{"police", "National Police of Vangoria", "police", "command", "moi", "2015-01-01"},
		{"rapid3", "3rd Rapid Intervention Company", "police", "unit", "police", "2019-06-01"},
		{"army", "Vangorian Land Forces", "army", "command", "", ""},
		{"mtn41", "41st Mountain Battalion", "army", "unit", "army", "2018-03-01"},
		{"guard", "Presidential Guard Brigade", "army", "unit", "", ""},
		{"vfo", "Volunteers for Order (militia)", "militia", "armed_group", "", ""},
		{"prisons", "Directorate of Detention", "prison_service", "unit", "moi", "2016-01-01"},
	}
	units := map[string]string{}
	for _, u := range specs {
		created, err := incident.CreateUnit(ctx, tx, inst, by.ID, incident.Unit{Name: u.name, Force: u.force, Kind: u.kind, Sensitivity: sensitivity.Internal})
		if err != nil {
			return err
		}
		units[u.key] = created.ID
		if err := log("unit.create", "unit", created.ID, "force="+u.force); err != nil {
			return err
		}
		if u.parent != "" {
			if _, err := incident.LinkUnit(ctx, tx, inst, created.ID, units[u.parent], u.from, ""); err != nil {
				return err
			}
		}
	}
	// The guard answered to the army until 2024, then directly to the ministry.
	if _, err := incident.LinkUnit(ctx, tx, inst, units["guard"], units["army"], "2012-01-01", "2023-12-31"); err != nil {
		return err
	}
	if _, err := incident.LinkUnit(ctx, tx, inst, units["guard"], units["moi"], "2024-01-01", ""); err != nil {
		return err
	}
	persons := map[string]string{}
	rows, err := tx.Query(ctx, "SELECT id, pseudonym FROM persons WHERE institution_id = ?", inst)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, p string
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return err
		}
		persons[p] = id
	}
	rows.Close()
	commanders := []incident.Commander{
		{UnitID: units["rapid3"], Title: "Major (first commander)", From: "2019-06-01", To: "2024-02-28"},
		{UnitID: units["rapid3"], PersonID: persons["P-001"], Title: "Lieutenant-Colonel", From: "2024-03-01"},
		{UnitID: units["mtn41"], Title: "Colonel", From: "2021-09-01"},
	}
	for _, c := range commanders {
		if c.PersonID == "" && strings.Contains(c.Title, "Lieutenant") {
			continue
		}
		if _, err := incident.AddCommander(ctx, tx, inst, c); err != nil {
			return err
		}
	}

	// Events: a steady history per region, then a rise in Oravia.
	type evSpec struct {
		title, region, place, date, violence, act, unit, degree string
		deaths, civ, victims                                    int
		level                                                   sensitivity.Level
	}
	var evs []evSpec
	regions := []struct{ name, place, unit string }{
		{"Oravia", "Hill road camp", "mtn41"}, {"Kelvast", "Market square", "rapid3"},
		{"Brennet", "Lower Brennet district", "vfo"}, {"Tarsk Highlands", "Tarsk pass checkpoint", "mtn41"},
	}
	months := []string{}
	for y := 2025; y <= 2026; y++ {
		for m := 1; m <= 12; m++ {
			if y == 2026 && m > 10 {
				break
			}
			months = append(months, fmt.Sprintf("%04d-%02d", y, m))
		}
	}
	acts := []string{"killing", "arbitrary_detention", "ill_treatment", "destruction_of_property", "forced_displacement"}
	for i, m := range months {
		for j, r := range regions {
			n := (i + j) % 3 // 0..2 a month
			if r.name == "Oravia" && m == months[len(months)-1] {
				n = 9
			}
			for k := 0; k < n; k++ {
				day := 3 + (k*7+j*2)%25
				act := acts[(i+j+k)%len(acts)]
				evs = append(evs, evSpec{title: fmt.Sprintf("%s: %s", r.place, strings.ReplaceAll(act, "_", " ")), region: r.name, place: r.place,
					date: fmt.Sprintf("%s-%02d", m, day), violence: "one_sided", act: act, unit: r.unit, degree: "carried_out",
					deaths: boolN(act == "killing", 1+k%3), civ: boolN(act == "killing", 1+k%3), victims: 1 + (k+i)%4, level: sensitivity.Partners})
			}
		}
	}
	// Named incidents the cases follow.
	named := []evSpec{
		{"Arrests after the March market protest", "Kelvast", "Market square", "2025-03-14", "repression_of_protest", "arbitrary_detention", "rapid3", "carried_out", 0, 0, 31, sensitivity.Internal},
		{"Clearance of the hill road camp", "Oravia", "Hill road camp", "2025-05-02", "one_sided", "forced_displacement", "mtn41", "ordered", 2, 2, 140, sensitivity.Internal},
		{"Deaths in custody at Tarsk detention centre", "Tarsk Highlands", "Tarsk detention centre", "2025-08-20", "one_sided", "torture", "prisons", "failed_to_prevent", 2, 2, 2, sensitivity.Confidential},
		{"Broadcasts calling for the expulsion of hill families", "Oravia", "Oravia Community Radio", "2025-04-12", "other", "incitement", "vfo", "carried_out", 0, 0, 0, sensitivity.Internal},
	}
	evs = append(evs, named...)
	eventIDs := map[string]string{}
	eventLevels := map[string]sensitivity.Level{}
	actIDs := map[string]string{}
	for _, s := range evs {
		e, err := incident.CreateEvent(ctx, tx, inst, by.ID, incident.Event{Title: s.title, Description: "Fictional demonstration record.",
			Violence: s.violence, Country: Country, CountryName: "Vangoria", Region: s.region, Admin1: s.region, Place: s.place, PlacePrecision: 2,
			DateStart: s.date, DatePrecision: 1, Fatalities: s.deaths, CivilianDeaths: s.civ, Sensitivity: s.level, Status: "monitoring"})
		if err != nil {
			return fmt.Errorf("event %s: %w", s.title, err)
		}
		var inds []string
		switch s.act {
		// Codes of the default framework (risk/foa.go): 2.1 serious
		// violations, 11.2 a pattern of violence against civilians, 7.14
		// rising hate speech, 10.1 statements inciting destruction of a group,
		// 11.1 attacks on civilians growing in number or spread.
		case "killing", "torture":
			inds = []string{"RF2.1", "RF11.2"}
		case "incitement":
			inds = []string{"RF7.14", "RF10.1"}
		case "forced_displacement":
			inds = []string{"RF2.1", "RF11.1"}
		}
		a, err := incident.AddAct(ctx, tx, inst, incident.Act{EventID: e.ID, Type: s.act, Victims: s.victims, ViolationStatus: "likely",
			Indicators: inds, Sensitivity: s.level})
		if err != nil {
			return err
		}
		if _, err := incident.Involve(ctx, tx, inst, incident.Involvement{ActID: a.ID, UnitID: units[s.unit], Role: "perpetrator", Degree: s.degree}); err != nil {
			return err
		}
		eventIDs[s.title], actIDs[s.title] = e.ID, a.ID
		eventLevels[s.title] = s.level
		if err := log("event.create", "event", e.ID, "sensitivity="+s.level.String()); err != nil {
			return err
		}
	}
	// Persons in the named incidents, sources, and evidence.
	for _, link := range []struct{ event, person, role string }{
		{"Arrests after the March market protest", "V-001", "victim"},
		{"Arrests after the March market protest", "W-001", "witness"},
		{"Clearance of the hill road camp", "V-002", "victim"},
	} {
		if _, err := incident.Involve(ctx, tx, inst, incident.Involvement{ActID: actIDs[link.event], PersonID: persons[link.person], Role: link.role}); err != nil {
			return err
		}
	}
	if _, err := incident.AddSource(ctx, tx, inst, incident.Source{EventID: eventIDs["Broadcasts calling for the expulsion of hill families"],
		PersonID: persons["S-001"], Title: "Recordings of the 12 April broadcasts", Kind: "media", Reliability: "reliable", ReceivedOn: "2025-04-20"}); err != nil {
		return err
	}
	if _, err := incident.AddSource(ctx, tx, inst, incident.Source{EventID: eventIDs["Arrests after the March market protest"],
		Title: "Interviews by the Kelvast field office", Kind: "victim", Reliability: "highly_reliable", ReceivedOn: "2025-03-20", Sensitivity: sensitivity.Confidential}); err != nil {
		return err
	}
	store := &blob.Store{} // inline: the demo store may not know its folder
	actor := incident.Actor{ID: by.ID, Name: by.Username}
	orig, err := incident.AddEvidence(ctx, tx, store, inst, actor, incident.Evidence{EventID: eventIDs["Clearance of the hill road camp"],
		Filename: "camp-after-clearance.txt", MediaType: "text/plain", Description: "Field notes on the cleared camp (fictional).",
		CapturedOn: "2025-05-03", CapturedBy: "Oravia field office"}, strings.NewReader("Fictional field notes: 38 shelters burnt; families moved to the river school.\n"))
	if err != nil {
		return err
	}
	if _, err := incident.AddEvidence(ctx, tx, store, inst, actor, incident.Evidence{EventID: eventIDs["Clearance of the hill road camp"],
		Filename: "camp-after-clearance-redacted.txt", MediaType: "text/plain", WorkingCopyOf: orig.ID, Sensitivity: sensitivity.Internal},
		strings.NewReader("Fictional field notes: [numbers withheld]; families moved to the river school.\n")); err != nil {
		return err
	}
	if err := log("evidence.create", "evidence", orig.ID, "sha256="+orig.SHA256); err != nil {
		return err
	}

	// Cases: to reparation; overdue; stalled; dismissed.
	type stepSpec struct{ stage, date, outcome string }
	for _, cs := range []struct {
		event, title, authority, opened, deadline string
		steps                                     []stepSpec
		reps                                      []incident.Reparation
	}{
		{"Arrests after the March market protest", "Complaint of the detained protesters", "Kelvast public prosecutor", "2025-03-20", "",
			[]stepSpec{{"preliminary_inquiry", "2025-04-15", ""}, {"investigation", "2025-06-01", ""}, {"prosecution", "2025-09-10", ""},
				{"trial", "2026-01-12", ""}, {"judgement", "2026-04-02", "convicted"}, {"sanction", "2026-05-15", ""}},
			[]incident.Reparation{{Form: "compensation", Status: "delivered", OnDate: "2026-07-01"}, {Form: "satisfaction", Status: "ordered", OnDate: "2026-04-02", Note: "Public apology ordered by the court."},
				{Form: "guarantees_of_non_repetition", Status: "partial", OnDate: "2026-08-15", Note: "Crowd-control training; code of conduct not yet adopted."}}},
		{"Clearance of the hill road camp", "Petition of the displaced families", "Oravia provincial governor", "2025-05-10", "2025-07-10",
			[]stepSpec{{"preliminary_inquiry", "2025-06-30", ""}}, nil},
		{"Deaths in custody at Tarsk detention centre", "Inquiry into the deaths in custody", "Military prosecutor", "2025-08-25", "2026-12-31",
			[]stepSpec{{"investigation", "2025-10-01", ""}}, nil},
		{"Broadcasts calling for the expulsion of hill families", "Complaint against the broadcasts", "Media regulator", "2025-04-20", "",
			[]stepSpec{{"preliminary_inquiry", "2025-06-01", "dismissed"}}, nil},
	} {
		level := max(sensitivity.Internal, eventLevels[cs.event]) // never below its incident and act
		c, err := incident.OpenCase(ctx, tx, inst, by.ID, incident.Case{EventID: eventIDs[cs.event], ActID: actIDs[cs.event], Title: cs.title,
			Authority: cs.authority, OpenedOn: cs.opened, Deadline: cs.deadline, Sensitivity: level})
		if err != nil {
			return err
		}
		for _, st := range cs.steps {
			dl := ""
			if st.stage == "preliminary_inquiry" && cs.deadline != "" {
				dl = cs.deadline
			}
			if _, err := incident.AddStep(ctx, tx, inst, by.ID, c.ID, incident.Step{Stage: st.stage, OnDate: st.date, Outcome: st.outcome,
				Deadline: dl}, sensitivity.Confidential); err != nil {
				return fmt.Errorf("case %s step %s: %w", cs.title, st.stage, err)
			}
		}
		for _, r := range cs.reps {
			if _, err := incident.AddReparation(ctx, tx, inst, by.ID, c.ID, r, sensitivity.Confidential); err != nil {
				return err
			}
		}
		if err := log("case.create", "case", c.ID, "event="+eventIDs[cs.event]); err != nil {
			return err
		}
	}
	return nil
}

func boolN(b bool, n int) int {
	if b {
		return n
	}
	return 0
}
