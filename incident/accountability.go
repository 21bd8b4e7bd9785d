package incident

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"vigil/db"
	"vigil/sensitivity"
)

// Stages a case passes through, in order; a case may skip stages but never
// goes back.
var Stages = []string{"complaint", "preliminary_inquiry", "investigation", "prosecution", "trial", "judgement", "sanction", "reparation"}

// Outcomes end a case ("open" while it runs).
var Outcomes = []string{"open", "dismissed", "acquitted", "convicted", "closed"}

// ReparationForms are the five forms of reparation of the UN Basic
// Principles on the right to a remedy and reparation.
var ReparationForms = []string{"restitution", "compensation", "rehabilitation", "satisfaction", "guarantees_of_non_repetition"}

// ReparationStatus says how far a form of reparation got.
var ReparationStatus = []string{"ordered", "partial", "delivered", "refused"}

// StallDays is how long a case may go without a step before it counts as
// stalled in the impunity picture.
const StallDays = 180

func stageIndex(s string) int {
	for i, x := range Stages {
		if x == s {
			return i
		}
	}
	return -1
}

// Case follows one event, or one act of it, through the justice system.
type Case struct {
	ID, InstitutionID, EventID, ActID string
	// EventTitle is the title of the case's event, or "" with
	// EventWithheld set when the event is above the reader's clearance: a
	// case never carries a field of an event its reader may not see.
	EventTitle                      string
	EventWithheld                   bool
	Title, Authority                string
	Stage, Outcome                  string
	OpenedOn, Deadline, LastStepOn  string
	Sensitivity                     sensitivity.Level
	CreatedBy, CreatedAt, UpdatedAt string
	Steps                           []Step
	Reparations                     []Reparation
	Overdue, Stalled                bool
	// WithdrawnAt is set when the case was withdrawn (kept, marked, out of
	// the figures), with the reason given.
	WithdrawnAt, WithdrawnReason string
}

// Step is one stage reached by a case, on a date, before an authority.
type Step struct {
	ID, CaseID               string
	Stage, OnDate            string
	Authority, Outcome, Note string
	Deadline                 string
	CreatedBy, CreatedAt     string
}

// Reparation is one form of reparation ordered or delivered in a case.
type Reparation struct {
	ID, CaseID           string
	Form, Status, OnDate string
	Note                 string
	CreatedBy, CreatedAt string
}

// OpenCase opens a case on an event (and optionally one of its acts) with
// its first step, the complaint.
func OpenCase(ctx context.Context, q db.Q, inst, by string, c Case) (Case, error) {
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" || len(c.Title) > 300 {
		return Case{}, invalid("a case needs a title of at most 300 characters")
	}
	if err := validDate(c.OpenedOn, "opened on", true); err != nil {
		return Case{}, err
	}
	if err := validDate(c.Deadline, "deadline", false); err != nil {
		return Case{}, err
	}
	if c.Sensitivity == 0 {
		c.Sensitivity = sensitivity.Internal
	}
	if !c.Sensitivity.Valid() {
		return Case{}, invalid("sensitivity %d is not a level", c.Sensitivity)
	}
	if err := exists(ctx, q, "events", inst, c.EventID); err != nil {
		return Case{}, err
	}
	if c.ActID != "" {
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM acts WHERE institution_id = ? AND id = ? AND event_id = ?", inst, c.ActID, c.EventID).Scan(&n); err != nil {
			return Case{}, err
		}
		if n == 0 {
			return Case{}, invalid("the act is not part of the event")
		}
	}
	if err := caseLevelFloor(ctx, q, inst, c.EventID, c.ActID, c.Sensitivity); err != nil {
		return Case{}, err
	}
	c.ID, c.InstitutionID, c.CreatedBy = db.NewID(), inst, by
	c.Stage, c.Outcome, c.LastStepOn = "complaint", "open", c.OpenedOn
	c.CreatedAt = db.Now()
	c.UpdatedAt = c.CreatedAt
	if _, err := q.Exec(ctx, `INSERT INTO cases (id, institution_id, event_id, act_id, title, authority, stage, outcome, opened_on, deadline,
		last_step_on, sensitivity, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, inst, c.EventID, c.ActID, c.Title, c.Authority, c.Stage, c.Outcome, c.OpenedOn, c.Deadline, c.LastStepOn,
		int(c.Sensitivity), by, c.CreatedAt, c.UpdatedAt); err != nil {
		return Case{}, err
	}
	st := Step{ID: db.NewID(), CaseID: c.ID, Stage: "complaint", OnDate: c.OpenedOn, Authority: c.Authority, Deadline: c.Deadline,
		CreatedBy: by, CreatedAt: c.CreatedAt}
	_, err := q.Exec(ctx, `INSERT INTO case_steps (id, institution_id, case_id, stage, on_date, authority, outcome, note, deadline, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, st.ID, inst, c.ID, st.Stage, st.OnDate, st.Authority, "", "", st.Deadline, by, st.CreatedAt)
	c.Steps = []Step{st}
	return c, err
}

// AddStep records that a case reached a stage (or ended with an outcome).
// Stages only move forward; an ended case takes no more steps except a
// sanction after a conviction and reparation, which may come long after.
func AddStep(ctx context.Context, q db.Q, inst, by, caseID string, s Step, clearance sensitivity.Level) (Case, error) {
	c, err := GetCase(ctx, q, inst, caseID, clearance, "")
	if err != nil {
		return Case{}, err
	}
	if c.WithdrawnAt != "" {
		return Case{}, ErrWithdrawn
	}
	if err := oneOf(s.Stage, Stages, "stage"); err != nil {
		return Case{}, err
	}
	if s.Outcome == "" {
		s.Outcome = "open"
	}
	if err := oneOf(s.Outcome, Outcomes, "outcome"); err != nil {
		return Case{}, err
	}
	if err := validDate(s.OnDate, "date", true); err != nil {
		return Case{}, err
	}
	if err := validDate(s.Deadline, "deadline", false); err != nil {
		return Case{}, err
	}
	if stageIndex(s.Stage) < stageIndex(c.Stage) {
		return Case{}, invalid("the case is already at %s; stages do not go back", c.Stage)
	}
	if c.Outcome != "open" && s.Stage != "reparation" && !(c.Outcome == "convicted" && s.Stage == "sanction") {
		return Case{}, invalid("the case ended (%s); only a sanction after a conviction, or reparation, may follow", c.Outcome)
	}
	if s.OnDate < c.OpenedOn {
		return Case{}, invalid("the step is dated before the case was opened")
	}
	outcome := c.Outcome
	if s.Outcome != "open" {
		outcome = s.Outcome
	}
	s.ID, s.CaseID, s.CreatedBy, s.CreatedAt = db.NewID(), caseID, by, db.Now()
	if _, err := q.Exec(ctx, `INSERT INTO case_steps (id, institution_id, case_id, stage, on_date, authority, outcome, note, deadline, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, inst, caseID, s.Stage, s.OnDate, s.Authority, s.Outcome, s.Note, s.Deadline, by, s.CreatedAt); err != nil {
		return Case{}, err
	}
	authority := c.Authority
	if s.Authority != "" {
		authority = s.Authority
	}
	last := c.LastStepOn
	if s.OnDate > last {
		last = s.OnDate
	}
	if _, err := q.Exec(ctx, "UPDATE cases SET stage = ?, outcome = ?, deadline = ?, authority = ?, last_step_on = ?, updated_at = ? WHERE institution_id = ? AND id = ?",
		s.Stage, outcome, s.Deadline, authority, last, s.CreatedAt, inst, caseID); err != nil {
		return Case{}, err
	}
	return GetCase(ctx, q, inst, caseID, clearance, "")
}

// AddReparation records a form of reparation in a case and moves the case
// to the reparation stage.
func AddReparation(ctx context.Context, q db.Q, inst, by, caseID string, r Reparation, clearance sensitivity.Level) (Reparation, error) {
	c, err := GetCase(ctx, q, inst, caseID, clearance, "")
	if err != nil {
		return Reparation{}, err
	}
	if c.WithdrawnAt != "" {
		return Reparation{}, ErrWithdrawn
	}
	if err := oneOf(r.Form, ReparationForms, "form"); err != nil {
		return Reparation{}, err
	}
	if r.Status == "" {
		r.Status = "ordered"
	}
	if err := oneOf(r.Status, ReparationStatus, "status"); err != nil {
		return Reparation{}, err
	}
	if err := validDate(r.OnDate, "date", true); err != nil {
		return Reparation{}, err
	}
	r.ID, r.CaseID, r.CreatedBy, r.CreatedAt = db.NewID(), caseID, by, db.Now()
	if _, err := q.Exec(ctx, `INSERT INTO case_reparations (id, institution_id, case_id, form, status, on_date, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, inst, caseID, r.Form, r.Status, r.OnDate, r.Note, by, r.CreatedAt); err != nil {
		return Reparation{}, err
	}
	last := c.LastStepOn
	if r.OnDate > last {
		last = r.OnDate
	}
	_, err = q.Exec(ctx, "UPDATE cases SET stage = 'reparation', last_step_on = ?, updated_at = ? WHERE institution_id = ? AND id = ?",
		last, r.CreatedAt, inst, caseID)
	return r, err
}

// caseLevelFloor refuses a case level lower than that of its event, or of
// its act when it concerns one: a case less restricted than its incident
// would show readers a case on an incident they may not see. OpenCase and
// UpdateCase apply it.
func caseLevelFloor(ctx context.Context, q db.Q, inst, eventID, actID string, level sensitivity.Level) error {
	var ev int64
	if err := q.QueryRow(ctx, "SELECT sensitivity FROM events WHERE institution_id = ? AND id = ?", inst, eventID).Scan(&ev); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	}
	if level < sensitivity.Level(ev) {
		return invalid("sensitivity: the case may not be %s when its incident is %s; choose %s or narrower", level, sensitivity.Level(ev), sensitivity.Level(ev))
	}
	if actID == "" {
		return nil
	}
	var act int64
	if err := q.QueryRow(ctx, "SELECT sensitivity FROM acts WHERE institution_id = ? AND id = ?", inst, actID).Scan(&act); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	}
	if level < sensitivity.Level(act) {
		return invalid("sensitivity: the case may not be %s when the act it concerns is %s; choose %s or narrower", level, sensitivity.Level(act), sensitivity.Level(act))
	}
	return nil
}

// caseCols reads a case with its event's title; the two placeholders take
// the reader's clearance, so that the title of an event above it never
// leaves the database.
const caseCols = `c.id, c.institution_id, c.event_id, c.act_id,
	CASE WHEN e.sensitivity <= ? THEN e.title ELSE '' END, CASE WHEN e.sensitivity <= ? THEN 0 ELSE 1 END, c.title, c.authority, c.stage, c.outcome, c.opened_on, c.deadline,
	c.last_step_on, c.sensitivity, c.created_by, c.created_at, c.updated_at, c.withdrawn_at, c.withdrawn_reason`

func scanCase(s interface{ Scan(...any) error }, today string) (Case, error) {
	var c Case
	var level, withheld int64
	err := s.Scan(&c.ID, &c.InstitutionID, &c.EventID, &c.ActID, &c.EventTitle, &withheld, &c.Title, &c.Authority, &c.Stage, &c.Outcome,
		&c.OpenedOn, &c.Deadline, &c.LastStepOn, &level, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &c.WithdrawnAt, &c.WithdrawnReason)
	c.Sensitivity = sensitivity.Level(level)
	if withheld != 0 {
		c.EventTitle, c.EventWithheld = "", true
	}
	c.flag(today)
	return c, err
}

// flag sets Overdue and Stalled as of today ("" leaves them false).
func (c *Case) flag(today string) {
	if today == "" || c.Outcome != "open" || c.WithdrawnAt != "" {
		return
	}
	c.Overdue = c.Deadline != "" && c.Deadline < today
	c.Stalled = daysBetween(c.LastStepOn, today) > StallDays
}

func daysBetween(a, b string) int {
	ta, err1 := time.Parse("2006-01-02", a)
	tb, err2 := time.Parse("2006-01-02", b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// GetCase reads a case with its steps and reparations.
func GetCase(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level, today string) (Case, error) {
	c, err := scanCase(q.QueryRow(ctx, "SELECT "+caseCols+` FROM cases c JOIN events e ON e.id = c.event_id
		WHERE c.institution_id = ? AND c.id = ? AND c.sensitivity <= ?`, int(clearance), int(clearance), inst, id, int(clearance)), today)
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, ErrNotFound
	} else if err != nil {
		return Case{}, err
	}
	rows, err := q.Query(ctx, `SELECT id, case_id, stage, on_date, authority, outcome, note, deadline, created_by, created_at
		FROM case_steps WHERE institution_id = ? AND case_id = ? ORDER BY on_date, created_at`, inst, id)
	if err != nil {
		return Case{}, err
	}
	for rows.Next() {
		var s Step
		if err := rows.Scan(&s.ID, &s.CaseID, &s.Stage, &s.OnDate, &s.Authority, &s.Outcome, &s.Note, &s.Deadline, &s.CreatedBy, &s.CreatedAt); err != nil {
			rows.Close()
			return Case{}, err
		}
		c.Steps = append(c.Steps, s)
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT id, case_id, form, status, on_date, note, created_by, created_at
		FROM case_reparations WHERE institution_id = ? AND case_id = ? ORDER BY on_date, created_at`, inst, id)
	if err != nil {
		return Case{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Reparation
		if err := rows.Scan(&r.ID, &r.CaseID, &r.Form, &r.Status, &r.OnDate, &r.Note, &r.CreatedBy, &r.CreatedAt); err != nil {
			return Case{}, err
		}
		c.Reparations = append(c.Reparations, r)
	}
	return c, rows.Err()
}

// ListCases lists the cases a clearance covers; eventID "" lists all.
// Overdue and stalled cases come first, then by deadline.
func ListCases(ctx context.Context, q db.Q, inst, eventID string, clearance sensitivity.Level, today string) ([]Case, error) {
	cond, args := "", []any{int(clearance), int(clearance), inst, int(clearance)}
	if eventID != "" {
		cond, args = " AND c.event_id = ?", append(args, eventID)
	}
	rows, err := q.Query(ctx, "SELECT "+caseCols+` FROM cases c JOIN events e ON e.id = c.event_id
		WHERE c.institution_id = ? AND c.sensitivity <= ?`+cond+" ORDER BY c.opened_on DESC, c.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		c, err := scanCase(rows, today)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ai, aj := out[i].Overdue || out[i].Stalled, out[j].Overdue || out[j].Stalled
		return ai && !aj
	})
	return out, rows.Err()
}

// Figures are the impunity picture of one unit or force: how many incidents
// are attributed to it and what became of them.
type Figures struct {
	Key, Label  string
	Incidents   int // events with an act attributed to it
	Cases       int
	Open        int
	Stalled     int
	Overdue     int
	Convictions int
	Dismissed   int // dismissed or acquitted
	Reparations int // cases with a reparation delivered
	NoCase      int // incidents without any case
	DaysTo      []StageDays
}

// StageDays is the median number of days from complaint to a stage, over
// the cases that reached it.
type StageDays struct {
	Stage  string
	Cases  int
	Median int
}

// Picture is the impunity picture: figures per unit and per force.
type Picture struct {
	Units  []Figures
	Forces []Figures
	Total  Figures
}

// ImpunityFigures counts, for every unit and force, incidents attributed to
// it (as perpetrator, at any degree), the cases opened on them and how far
// they got. A case counts for a unit when it concerns an act the unit is
// involved in, or the whole event of such an act.
func ImpunityFigures(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, today string) (Picture, error) {
	units, err := ListUnits(ctx, q, inst, clearance)
	if err != nil {
		return Picture{}, err
	}
	// unit -> events, unit -> acts
	type link struct{ unit, event, act string }
	rows, err := q.Query(ctx, `SELECT v.unit_id, a.event_id, a.id FROM involvements v JOIN acts a ON a.id = v.act_id
		JOIN events e ON e.id = a.event_id
		WHERE v.institution_id = ? AND v.unit_id <> '' AND v.role = 'perpetrator' AND a.sensitivity <= ? AND e.sensitivity <= ?
		AND a.withdrawn_at = '' AND e.withdrawn_at = ''`,
		inst, int(clearance), int(clearance))
	if err != nil {
		return Picture{}, err
	}
	var links []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.unit, &l.event, &l.act); err != nil {
			rows.Close()
			return Picture{}, err
		}
		links = append(links, l)
	}
	rows.Close()
	all, err := ListCases(ctx, q, inst, "", clearance, today)
	if err != nil {
		return Picture{}, err
	}
	cases := all[:0:0]
	for _, c := range all {
		if c.WithdrawnAt == "" { // withdrawn cases leave the figures
			cases = append(cases, c)
		}
	}
	// First day each case reached each stage, and delivered reparations.
	reached := map[string]map[string]string{}
	rows, err = q.Query(ctx, "SELECT case_id, stage, MIN(on_date) FROM case_steps WHERE institution_id = ? GROUP BY case_id, stage", inst)
	if err != nil {
		return Picture{}, err
	}
	for rows.Next() {
		var cid, st, d string
		if err := rows.Scan(&cid, &st, &d); err != nil {
			rows.Close()
			return Picture{}, err
		}
		if reached[cid] == nil {
			reached[cid] = map[string]string{}
		}
		reached[cid][st] = d
	}
	rows.Close()
	repaired := map[string]bool{}
	rows, err = q.Query(ctx, "SELECT case_id, MIN(on_date) FROM case_reparations WHERE institution_id = ? AND status = 'delivered' GROUP BY case_id", inst)
	if err != nil {
		return Picture{}, err
	}
	for rows.Next() {
		var cid, d string
		if err := rows.Scan(&cid, &d); err != nil {
			rows.Close()
			return Picture{}, err
		}
		repaired[cid] = true
		if reached[cid] == nil {
			reached[cid] = map[string]string{}
		}
		if old, ok := reached[cid]["reparation"]; !ok || d < old {
			reached[cid]["reparation"] = d
		}
	}
	rows.Close()

	force := map[string]string{}
	label := map[string]string{}
	for _, u := range units {
		if u.WithdrawnAt != "" { // withdrawn units leave the figures
			continue
		}
		force[u.ID], label[u.ID] = u.Force, u.Name
	}
	type set struct{ events, acts map[string]bool }
	groups := map[string]*set{} // "u:"+id or "f:"+force
	get := func(k string) *set {
		if groups[k] == nil {
			groups[k] = &set{map[string]bool{}, map[string]bool{}}
		}
		return groups[k]
	}
	for _, l := range links {
		if _, visible := force[l.unit]; !visible {
			continue
		}
		for _, k := range []string{"u:" + l.unit, "f:" + force[l.unit], "all"} {
			g := get(k)
			g.events[l.event], g.acts[l.act] = true, true
		}
	}
	figure := func(key, lab string, g *set) Figures {
		f := Figures{Key: key, Label: lab}
		if g == nil {
			return f
		}
		f.Incidents = len(g.events)
		withCase := map[string]bool{}
		days := map[string][]int{}
		for _, c := range cases {
			if !(g.acts[c.ActID] || (c.ActID == "" && g.events[c.EventID])) {
				continue
			}
			withCase[c.EventID] = true
			f.Cases++
			switch c.Outcome {
			case "open":
				f.Open++
			case "convicted":
				f.Convictions++
			case "dismissed", "acquitted":
				f.Dismissed++
			}
			if c.Stalled {
				f.Stalled++
			}
			if c.Overdue {
				f.Overdue++
			}
			if repaired[c.ID] {
				f.Reparations++
			}
			for st, d := range reached[c.ID] {
				if st != "complaint" {
					days[st] = append(days[st], daysBetween(c.OpenedOn, d))
				}
			}
		}
		for e := range g.events {
			if !withCase[e] {
				f.NoCase++
			}
		}
		for _, st := range Stages[1:] {
			if ds := days[st]; len(ds) > 0 {
				sort.Ints(ds)
				f.DaysTo = append(f.DaysTo, StageDays{Stage: st, Cases: len(ds), Median: ds[len(ds)/2]})
			}
		}
		return f
	}
	var p Picture
	for _, u := range units {
		if u.WithdrawnAt == "" {
			p.Units = append(p.Units, figure(u.ID, u.Name, groups["u:"+u.ID]))
		}
	}
	for _, fo := range Forces {
		if g := groups["f:"+fo]; g != nil {
			p.Forces = append(p.Forces, figure(fo, fo, g))
		}
	}
	p.Total = figure("all", "all units", groups["all"])
	sort.SliceStable(p.Units, func(i, j int) bool { return p.Units[i].Incidents > p.Units[j].Incidents })
	return p, nil
}
