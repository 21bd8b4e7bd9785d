package incident

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"vigil/db"
	"vigil/sensitivity"
)

// Editing and withdrawal. Every change is made by a reader whose clearance
// covers the record (others get ErrNotFound, as if it did not exist), may
// not raise a record above the editor's own clearance (they would lose
// sight of it), and returns the names of the fields it changed for the
// audit entry, never their values. A withdrawn record is never deleted: it
// keeps its row, is marked with when and why, drops out of the counts
// (timeline, alert, impunity figures) and can no longer be edited.

// ErrWithdrawn is returned for a change to a withdrawn record.
var ErrWithdrawn = invalid("the record was withdrawn and can no longer be changed")

// UpdateEvent replaces an own (manual) event's fields with those of in and
// returns the names of the fields that changed. Imported events follow
// their dataset (a re-import would undo an edit): they can be withdrawn but
// not edited.
func UpdateEvent(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, id string, in Event) ([]string, error) {
	old, err := GetEvent(ctx, q, inst, id, clearance)
	if err != nil {
		return nil, err
	}
	if old.WithdrawnAt != "" {
		return nil, ErrWithdrawn
	}
	if old.Origin != "manual" {
		return nil, invalid("an imported event follows its dataset (%s) and cannot be edited; withdraw it instead", old.Origin)
	}
	in.Origin = "manual"
	if in.Status == "" {
		in.Status = old.Status
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.Sensitivity > clearance {
		return nil, invalid("you may not raise the record above your own clearance (%s)", clearance)
	}
	var changed []string
	diff := func(name string, same bool) {
		if !same {
			changed = append(changed, name)
		}
	}
	diff("title", in.Title == old.Title)
	diff("description", in.Description == old.Description)
	diff("violence", in.Violence == old.Violence)
	diff("country", in.Country == old.Country)
	diff("region", in.Region == old.Region && in.Admin1 == old.Admin1)
	diff("district", in.Admin2 == old.Admin2)
	diff("place", in.Place == old.Place && in.PlacePrecision == old.PlacePrecision)
	diff("coordinates", sameFloat(in.Latitude, old.Latitude) && sameFloat(in.Longitude, old.Longitude))
	diff("dates", in.DateStart == old.DateStart && in.DateEnd == old.DateEnd && in.DatePrecision == old.DatePrecision)
	diff("deaths", in.Fatalities == old.Fatalities && in.CivilianDeaths == old.CivilianDeaths)
	diff("status", in.Status == old.Status)
	diff("sensitivity", in.Sensitivity == old.Sensitivity)
	if len(changed) == 0 {
		return nil, nil
	}
	_, err = q.Exec(ctx, `UPDATE events SET title = ?, description = ?, violence = ?, country = ?, region = ?, admin1 = ?, admin2 = ?,
		place = ?, latitude = ?, longitude = ?, place_precision = ?, date_start = ?, date_end = ?, date_precision = ?, fatalities = ?,
		civilian_deaths = ?, status = ?, sensitivity = ?, updated_at = ? WHERE institution_id = ? AND id = ?`,
		in.Title, in.Description, in.Violence, in.Country, in.Region, in.Admin1, in.Admin2, in.Place, nullFloat(in.Latitude),
		nullFloat(in.Longitude), in.PlacePrecision, in.DateStart, in.DateEnd, in.DatePrecision, in.Fatalities, in.CivilianDeaths,
		in.Status, int(in.Sensitivity), db.Now(), inst, id)
	if err != nil {
		return nil, err
	}
	return changed, indexEventText(ctx, q, inst, id)
}

func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func withdrawReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", invalid("say why the record is withdrawn")
	}
	if len(reason) > 2000 {
		return "", invalid("the reason is longer than 2000 characters")
	}
	return reason, nil
}

// markWithdrawn stamps a row of table (events, units or cases: a constant,
// never input) withdrawn now, with the reason.
func markWithdrawn(ctx context.Context, q db.Q, table, inst, id, reason string) error {
	now := db.Now()
	_, err := q.Exec(ctx, "UPDATE "+table+" SET withdrawn_at = ?, withdrawn_reason = ?, updated_at = ? WHERE institution_id = ? AND id = ?",
		now, reason, now, inst, id)
	return err
}

// WithdrawEvent marks an event withdrawn, with the reason; its row, acts,
// evidence and cases stay.
func WithdrawEvent(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, id, reason string) error {
	reason, err := withdrawReason(reason)
	if err != nil {
		return err
	}
	old, err := GetEvent(ctx, q, inst, id, clearance)
	if err != nil {
		return err
	}
	if old.WithdrawnAt != "" {
		return ErrWithdrawn
	}
	return markWithdrawn(ctx, q, "events", inst, id, reason)
}

// WithdrawAct marks one act of an event withdrawn.
func WithdrawAct(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, eventID, actID, reason string) error {
	reason, err := withdrawReason(reason)
	if err != nil {
		return err
	}
	if _, err := GetEvent(ctx, q, inst, eventID, clearance); err != nil {
		return err
	}
	var withdrawn string
	err = q.QueryRow(ctx, "SELECT withdrawn_at FROM acts WHERE institution_id = ? AND id = ? AND event_id = ? AND sensitivity <= ?",
		inst, actID, eventID, int(clearance)).Scan(&withdrawn)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if withdrawn != "" {
		return ErrWithdrawn
	}
	_, err = q.Exec(ctx, "UPDATE acts SET withdrawn_at = ?, withdrawn_reason = ? WHERE institution_id = ? AND id = ?", db.Now(), reason, inst, actID)
	return err
}

// UpdateUnit replaces a unit's name, force, kind, notes and sensitivity and
// returns the names of the fields that changed.
func UpdateUnit(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, id string, in Unit) ([]string, error) {
	old, err := GetUnit(ctx, q, inst, id, clearance)
	if err != nil {
		return nil, err
	}
	if old.WithdrawnAt != "" {
		return nil, ErrWithdrawn
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 300 {
		return nil, invalid("a unit needs a name of at most 300 characters")
	}
	if err := oneOf(in.Force, Forces, "force"); err != nil {
		return nil, err
	}
	if err := oneOf(in.Kind, UnitKinds, "kind"); err != nil {
		return nil, err
	}
	if !in.Sensitivity.Valid() {
		return nil, invalid("sensitivity %d is not a level", in.Sensitivity)
	}
	if in.Sensitivity > clearance {
		return nil, invalid("you may not raise the record above your own clearance (%s)", clearance)
	}
	var changed []string
	for _, f := range []struct {
		name string
		same bool
	}{{"name", in.Name == old.Name}, {"force", in.Force == old.Force}, {"kind", in.Kind == old.Kind}, {"notes", in.Notes == old.Notes},
		{"sensitivity", in.Sensitivity == old.Sensitivity}} {
		if !f.same {
			changed = append(changed, f.name)
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	_, err = q.Exec(ctx, "UPDATE units SET name = ?, force = ?, kind = ?, notes = ?, sensitivity = ?, updated_at = ? WHERE institution_id = ? AND id = ?",
		in.Name, in.Force, in.Kind, in.Notes, int(in.Sensitivity), db.Now(), inst, id)
	return changed, err
}

// WithdrawUnit marks a unit withdrawn; its links and involvements stay.
func WithdrawUnit(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, id, reason string) error {
	reason, err := withdrawReason(reason)
	if err != nil {
		return err
	}
	old, err := GetUnit(ctx, q, inst, id, clearance)
	if err != nil {
		return err
	}
	if old.WithdrawnAt != "" {
		return ErrWithdrawn
	}
	return markWithdrawn(ctx, q, "units", inst, id, reason)
}

// UpdateCase corrects a case's title, responsible authority, current
// deadline and sensitivity, and returns the names of the fields that
// changed. The sensitivity may not be lower than that of the case's event,
// nor of its act when it concerns one. Its stage, outcome and history of
// steps move only forward through AddStep.
func UpdateCase(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, id string, in Case) ([]string, error) {
	old, err := GetCase(ctx, q, inst, id, clearance, "")
	if err != nil {
		return nil, err
	}
	if old.WithdrawnAt != "" {
		return nil, ErrWithdrawn
	}
	in.Title, in.Authority = strings.TrimSpace(in.Title), strings.TrimSpace(in.Authority)
	if in.Title == "" || len(in.Title) > 300 {
		return nil, invalid("a case needs a title of at most 300 characters")
	}
	if len(in.Authority) > 300 {
		return nil, invalid("the authority is longer than 300 characters")
	}
	if err := validDate(in.Deadline, "deadline", false); err != nil {
		return nil, err
	}
	if !in.Sensitivity.Valid() {
		return nil, invalid("sensitivity %d is not a level", in.Sensitivity)
	}
	if in.Sensitivity > clearance {
		return nil, invalid("you may not raise the record above your own clearance (%s)", clearance)
	}
	if err := caseLevelFloor(ctx, q, inst, old.EventID, old.ActID, in.Sensitivity); err != nil {
		return nil, err
	}
	var changed []string
	for _, f := range []struct {
		name string
		same bool
	}{{"title", in.Title == old.Title}, {"authority", in.Authority == old.Authority}, {"deadline", in.Deadline == old.Deadline},
		{"sensitivity", in.Sensitivity == old.Sensitivity}} {
		if !f.same {
			changed = append(changed, f.name)
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	_, err = q.Exec(ctx, "UPDATE cases SET title = ?, authority = ?, deadline = ?, sensitivity = ?, updated_at = ? WHERE institution_id = ? AND id = ?",
		in.Title, in.Authority, in.Deadline, int(in.Sensitivity), db.Now(), inst, id)
	return changed, err
}

// UpdateAct corrects an act's type, number of victims, violation status,
// description and sensitivity, and returns the names of the fields that
// changed. Its indicators and involvements are added on their own.
func UpdateAct(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, eventID, actID string, in Act) ([]string, error) {
	ev, err := GetEvent(ctx, q, inst, eventID, clearance)
	if err != nil {
		return nil, err
	}
	if ev.WithdrawnAt != "" {
		return nil, ErrWithdrawn
	}
	var old Act
	var level int64
	err = q.QueryRow(ctx, `SELECT act_type, victims, violation_status, description, sensitivity, withdrawn_at FROM acts
		WHERE institution_id = ? AND id = ? AND event_id = ? AND sensitivity <= ?`, inst, actID, eventID, int(clearance)).
		Scan(&old.Type, &old.Victims, &old.ViolationStatus, &old.Description, &level, &old.WithdrawnAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	old.Sensitivity = sensitivity.Level(level)
	if old.WithdrawnAt != "" {
		return nil, ErrWithdrawn
	}
	if err := oneOf(in.Type, ActTypes, "act type"); err != nil {
		return nil, err
	}
	if err := oneOf(in.ViolationStatus, ViolationStatus, "violation status"); err != nil {
		return nil, err
	}
	if in.Victims < 0 {
		return nil, invalid("victims cannot be negative")
	}
	if len(in.Description) > 20000 {
		return nil, invalid("description is longer than 20000 characters")
	}
	if !in.Sensitivity.Valid() {
		return nil, invalid("sensitivity %d is not a level", in.Sensitivity)
	}
	if in.Sensitivity > clearance {
		return nil, invalid("you may not raise the record above your own clearance (%s)", clearance)
	}
	var changed []string
	for _, f := range []struct {
		name string
		same bool
	}{{"type", in.Type == old.Type}, {"victims", in.Victims == old.Victims}, {"violation_status", in.ViolationStatus == old.ViolationStatus},
		{"description", in.Description == old.Description}, {"sensitivity", in.Sensitivity == old.Sensitivity}} {
		if !f.same {
			changed = append(changed, f.name)
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	_, err = q.Exec(ctx, "UPDATE acts SET act_type = ?, victims = ?, violation_status = ?, description = ?, sensitivity = ? WHERE institution_id = ? AND id = ?",
		in.Type, in.Victims, in.ViolationStatus, in.Description, int(in.Sensitivity), inst, actID)
	return changed, err
}

// WithdrawCase marks a case withdrawn (opened in error, or a duplicate):
// its steps and reparations stay, it leaves the impunity figures and the
// overdue and stalled lists, and it takes no more steps.
func WithdrawCase(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, id, reason string) error {
	reason, err := withdrawReason(reason)
	if err != nil {
		return err
	}
	old, err := GetCase(ctx, q, inst, id, clearance, "")
	if err != nil {
		return err
	}
	if old.WithdrawnAt != "" {
		return ErrWithdrawn
	}
	return markWithdrawn(ctx, q, "cases", inst, id, reason)
}
