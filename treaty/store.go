package treaty

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"vigil/db"
	"vigil/sensitivity"
)

// ErrNotFound is returned for a record that does not exist or that the
// caller's institution or clearance may not see: the two look the same.
var ErrNotFound = errors.New("treaty: not found")

const instrumentCols = `id, short_name, title, category, untc_id, other_ref, depositary, adopted, entry_into_force,
	monitoring_body, optional_acceptances, source, added_by`

func scanInstrument(sc interface{ Scan(...any) error }) (Instrument, error) {
	var in Instrument
	err := sc.Scan(&in.ID, &in.ShortName, &in.Title, &in.Category, &in.UNTCID, &in.OtherRef, &in.Depositary, &in.Adopted,
		&in.EntryIntoForce, &in.MonitoringBody, &in.OptionalAcceptances, &in.Source, &in.AddedBy)
	return in, err
}

// Instruments lists the catalogue, by category order then id.
func Instruments(ctx context.Context, q db.Q) ([]Instrument, error) {
	rows, err := q.Query(ctx, "SELECT "+instrumentCols+" FROM treaty_instruments ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Instrument
	for rows.Next() {
		in, err := scanInstrument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortInstruments(out)
	return out, nil
}

func categoryRank(c string) int {
	for i, x := range Categories {
		if x == c {
			return i
		}
	}
	return len(Categories)
}

func sortInstruments(in []Instrument) {
	// Insertion sort keeps this dependency-free and the list is short.
	for i := 1; i < len(in); i++ {
		for j := i; j > 0; j-- {
			a, b := in[j-1], in[j]
			if categoryRank(a.Category) > categoryRank(b.Category) || (categoryRank(a.Category) == categoryRank(b.Category) && a.ID > b.ID) {
				in[j-1], in[j] = b, a
			} else {
				break
			}
		}
	}
}

// GetInstrument reads one instrument.
func GetInstrument(ctx context.Context, q db.Q, id string) (Instrument, error) {
	in, err := scanInstrument(q.QueryRow(ctx, "SELECT "+instrumentCols+" FROM treaty_instruments WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, ErrNotFound
	}
	return in, err
}

// UpsertInstrument adds or updates an instrument and says whether anything
// changed ("inserted", "updated", "unchanged"). An instrument a person added
// keeps its AddedBy; an import never overwrites a person's instrument with
// an empty field.
func UpsertInstrument(ctx context.Context, q db.Q, in Instrument) (string, error) {
	old, err := GetInstrument(ctx, q, in.ID)
	now := db.Now()
	switch {
	case errors.Is(err, ErrNotFound):
		_, err = q.Exec(ctx, `INSERT INTO treaty_instruments (`+instrumentCols+`, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.ID, in.ShortName, in.Title, in.Category, in.UNTCID, in.OtherRef, in.Depositary, in.Adopted, in.EntryIntoForce,
			in.MonitoringBody, in.OptionalAcceptances, in.Source, in.AddedBy, now, now)
		return "inserted", err
	case err != nil:
		return "", err
	}
	if in.AddedBy == "" {
		in.AddedBy = old.AddedBy
	}
	if in == old {
		return "unchanged", nil
	}
	_, err = q.Exec(ctx, `UPDATE treaty_instruments SET short_name = ?, title = ?, category = ?, untc_id = ?, other_ref = ?,
		depositary = ?, adopted = ?, entry_into_force = ?, monitoring_body = ?, optional_acceptances = ?, source = ?, added_by = ?,
		updated_at = ? WHERE id = ?`,
		in.ShortName, in.Title, in.Category, in.UNTCID, in.OtherRef, in.Depositary, in.Adopted, in.EntryIntoForce,
		in.MonitoringBody, in.OptionalAcceptances, in.Source, in.AddedBy, now, in.ID)
	return "updated", err
}

// Participation is one State's standing under one instrument.
type Participation struct {
	State          string `json:"state"`
	Instrument     string `json:"instrument"`
	SignatureDate  string `json:"signature_date,omitempty"`
	ConsentDate    string `json:"consent_date,omitempty"`
	ConsentType    string `json:"consent_type,omitempty"` // ratification, accession, succession, acceptance, approval, consent, declaration
	WithdrawalDate string `json:"withdrawal_date,omitempty"`
	Source         string `json:"source"`
	AsOf           string `json:"as_of"`
}

// Party reports whether the State was bound on date (YYYY-MM-DD; "" for
// the latest data).
func (p Participation) Party(date string) bool {
	if p.ConsentType == "" && p.ConsentDate == "" {
		return false
	}
	if date != "" && p.ConsentDate != "" && p.ConsentDate > date {
		return false
	}
	return p.WithdrawalDate == "" || (date != "" && p.WithdrawalDate > date)
}

// Signatory reports whether the State had signed but was not bound on date.
func (p Participation) Signatory(date string) bool {
	return p.SignatureDate != "" && (date == "" || p.SignatureDate <= date) && !p.Party(date) && p.WithdrawalDate == ""
}

// Status is "party", "signatory", "withdrawn" or "none" in the latest data.
func (p Participation) Status() string {
	switch {
	case p.Party(""):
		return "party"
	case p.WithdrawalDate != "":
		return "withdrawn"
	case p.Signatory(""):
		return "signatory"
	}
	return "none"
}

const partCols = "state, instrument_id, signature_date, consent_date, consent_type, withdrawal_date, source, as_of"

func scanPart(sc interface{ Scan(...any) error }) (Participation, error) {
	var p Participation
	err := sc.Scan(&p.State, &p.Instrument, &p.SignatureDate, &p.ConsentDate, &p.ConsentType, &p.WithdrawalDate, &p.Source, &p.AsOf)
	return p, err
}

func queryParts(ctx context.Context, q db.Q, where string, args ...any) ([]Participation, error) {
	rows, err := q.Query(ctx, "SELECT "+partCols+" FROM treaty_participation "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Participation
	for rows.Next() {
		p, err := scanPart(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// StateParticipation lists a State's participation, by instrument.
func StateParticipation(ctx context.Context, q db.Q, state string) ([]Participation, error) {
	return queryParts(ctx, q, "WHERE state = ? ORDER BY instrument_id", state)
}

// InstrumentParticipation lists every State's participation in an instrument.
func InstrumentParticipation(ctx context.Context, q db.Q, instrument string) ([]Participation, error) {
	return queryParts(ctx, q, "WHERE instrument_id = ? ORDER BY state", instrument)
}

// AllParticipation lists everything, for comparisons and exports.
func AllParticipation(ctx context.Context, q db.Q) ([]Participation, error) {
	return queryParts(ctx, q, "ORDER BY instrument_id, state")
}

// UpsertParticipation stores p. A value already stored from a newer source
// (later as_of) is kept; every field that changes gets a history row with
// its old and new value, source and as_of.
func UpsertParticipation(ctx context.Context, q db.Q, p Participation) (string, error) {
	olds, err := queryParts(ctx, q, "WHERE state = ? AND instrument_id = ?", p.State, p.Instrument)
	if err != nil {
		return "", err
	}
	now := db.Now()
	if len(olds) == 0 {
		_, err := q.Exec(ctx, "INSERT INTO treaty_participation ("+partCols+", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			p.State, p.Instrument, p.SignatureDate, p.ConsentDate, p.ConsentType, p.WithdrawalDate, p.Source, p.AsOf, now)
		return "inserted", err
	}
	old := olds[0]
	if old == p {
		return "unchanged", nil
	}
	if old.AsOf != "" && p.AsOf != "" && p.AsOf < old.AsOf {
		return "unchanged", nil // older data never overwrites newer
	}
	for _, f := range []struct{ name, was, now string }{
		{"signature_date", old.SignatureDate, p.SignatureDate}, {"consent_date", old.ConsentDate, p.ConsentDate},
		{"consent_type", old.ConsentType, p.ConsentType}, {"withdrawal_date", old.WithdrawalDate, p.WithdrawalDate},
	} {
		if f.was == f.now {
			continue
		}
		if _, err := q.Exec(ctx, `INSERT INTO treaty_participation_history (id, state, instrument_id, field, old_value, new_value,
			source, as_of, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			db.NewID(), p.State, p.Instrument, f.name, f.was, f.now, p.Source, p.AsOf, now); err != nil {
			return "", err
		}
	}
	_, err = q.Exec(ctx, `UPDATE treaty_participation SET signature_date = ?, consent_date = ?, consent_type = ?, withdrawal_date = ?,
		source = ?, as_of = ?, updated_at = ? WHERE state = ? AND instrument_id = ?`,
		p.SignatureDate, p.ConsentDate, p.ConsentType, p.WithdrawalDate, p.Source, p.AsOf, now, p.State, p.Instrument)
	return "updated", err
}

// Change is one history row.
type Change struct {
	State      string `json:"state"`
	Instrument string `json:"instrument"`
	Field      string `json:"field"`
	Old        string `json:"old"`
	New        string `json:"new"`
	Source     string `json:"source"`
	AsOf       string `json:"as_of"`
	ChangedAt  string `json:"changed_at"`
}

// History lists the changes to a State's participation, newest first.
func History(ctx context.Context, q db.Q, state string) ([]Change, error) {
	rows, err := q.Query(ctx, `SELECT state, instrument_id, field, old_value, new_value, source, as_of, changed_at
		FROM treaty_participation_history WHERE state = ? ORDER BY changed_at DESC, instrument_id`, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.State, &c.Instrument, &c.Field, &c.Old, &c.New, &c.Source, &c.AsOf, &c.ChangedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Declaration is a reservation, declaration or objection as published, or
// a declaration under an optional article, with the procedures its text
// suggests it accepts or opts out of (a person confirms them).
type Declaration struct {
	ID         string   `json:"id"`
	State      string   `json:"state"`
	Instrument string   `json:"instrument"`
	Section    string   `json:"section"` // reservations, objections, optional_articles
	Heading    string   `json:"heading,omitempty"`
	Articles   string   `json:"articles,omitempty"`
	Body       string   `json:"text"`
	Suggested  []string `json:"suggested"`
	Source     string   `json:"source"`
	AsOf       string   `json:"as_of"`
}

// DeclarationID is the stable key of a State's text in one section.
func DeclarationID(state, instrument, section string) string {
	return strings.ToLower(state) + "." + instrument + "." + section
}

const declCols = "id, state, instrument_id, section, heading, articles, body, suggested, source, as_of"

func scanDecl(sc interface{ Scan(...any) error }) (Declaration, error) {
	var d Declaration
	var sugg string
	err := sc.Scan(&d.ID, &d.State, &d.Instrument, &d.Section, &d.Heading, &d.Articles, &d.Body, &sugg, &d.Source, &d.AsOf)
	d.Suggested = splitList(sugg)
	return d, err
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ";")
}

// UpsertDeclaration stores d under its stable id.
func UpsertDeclaration(ctx context.Context, q db.Q, d Declaration) (string, error) {
	d.ID = DeclarationID(d.State, d.Instrument, d.Section)
	sugg := strings.Join(d.Suggested, ";")
	old, err := scanDecl(q.QueryRow(ctx, "SELECT "+declCols+" FROM treaty_declarations WHERE id = ?", d.ID))
	now := db.Now()
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = q.Exec(ctx, "INSERT INTO treaty_declarations ("+declCols+", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			d.ID, d.State, d.Instrument, d.Section, d.Heading, d.Articles, d.Body, sugg, d.Source, d.AsOf, now)
		return "inserted", err
	case err != nil:
		return "", err
	}
	if old.Heading == d.Heading && old.Articles == d.Articles && old.Body == d.Body && strings.Join(old.Suggested, ";") == sugg &&
		old.Source == d.Source && old.AsOf == d.AsOf {
		return "unchanged", nil
	}
	if old.AsOf != "" && d.AsOf != "" && d.AsOf < old.AsOf {
		return "unchanged", nil
	}
	if old.Body != d.Body {
		// The text is the value that matters: keep what it said before.
		if _, err := q.Exec(ctx, `INSERT INTO treaty_participation_history (id, state, instrument_id, field, old_value, new_value,
			source, as_of, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			db.NewID(), d.State, d.Instrument, "text:"+d.Section, old.Body, d.Body, d.Source, d.AsOf, now); err != nil {
			return "", err
		}
	}
	_, err = q.Exec(ctx, `UPDATE treaty_declarations SET heading = ?, articles = ?, body = ?, suggested = ?, source = ?, as_of = ?,
		updated_at = ? WHERE id = ?`, d.Heading, d.Articles, d.Body, sugg, d.Source, d.AsOf, now, d.ID)
	return "updated", err
}

// Declarations lists a State's texts.
func Declarations(ctx context.Context, q db.Q, state string) ([]Declaration, error) {
	rows, err := q.Query(ctx, "SELECT "+declCols+" FROM treaty_declarations WHERE state = ? ORDER BY instrument_id, section", state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Declaration
	for rows.Next() {
		d, err := scanDecl(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// GetDeclaration reads one text.
func GetDeclaration(ctx context.Context, q db.Q, id string) (Declaration, error) {
	d, err := scanDecl(q.QueryRow(ctx, "SELECT "+declCols+" FROM treaty_declarations WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	return d, err
}

// Acceptance is an institution's confirmation of a State's position on an
// optional procedure.
type Acceptance struct {
	ID            string            `json:"id"`
	State         string            `json:"state"`
	Procedure     string            `json:"procedure"`
	Status        string            `json:"status"`
	DeclarationID string            `json:"declaration_id,omitempty"`
	AcceptedOn    string            `json:"accepted_on,omitempty"`
	Note          string            `json:"note,omitempty"`
	Sensitivity   sensitivity.Level `json:"-"`
	ConfirmedBy   string            `json:"confirmed_by"`
	ConfirmedAt   string            `json:"confirmed_at"`
}

// Acceptances lists an institution's confirmations for a State that the
// caller's clearance covers.
func Acceptances(ctx context.Context, q db.Q, inst, state string, clearance sensitivity.Level) ([]Acceptance, error) {
	rows, err := q.Query(ctx, `SELECT id, state, procedure_code, status, declaration_id, accepted_on, note, sensitivity, confirmed_by, confirmed_at
		FROM treaty_acceptances WHERE institution_id = ? AND state = ? ORDER BY procedure_code`, inst, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Acceptance
	for rows.Next() {
		var a Acceptance
		if err := rows.Scan(&a.ID, &a.State, &a.Procedure, &a.Status, &a.DeclarationID, &a.AcceptedOn, &a.Note, &a.Sensitivity, &a.ConfirmedBy, &a.ConfirmedAt); err != nil {
			return nil, err
		}
		if sensitivity.Allows(clearance, a.Sensitivity) {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// Confirm records (or replaces) an institution's confirmation; it returns
// the record's id.
func Confirm(ctx context.Context, q db.Q, inst, userID string, a Acceptance) (Acceptance, error) {
	if !ValidState(a.State) {
		return a, inputf("the State must be an ISO 3166-1 alpha-3 code")
	}
	if _, ok := ProcedureByCode(a.Procedure); !ok {
		return a, inputf("unknown procedure %q", a.Procedure)
	}
	ok := false
	for _, s := range AcceptanceStatuses {
		ok = ok || s == a.Status
	}
	if !ok {
		return a, inputf("choose accepted, not accepted or withdrawn")
	}
	if !validDate(a.AcceptedOn) {
		return a, inputf("the date must be YYYY-MM-DD")
	}
	if len(a.Note) > 4000 {
		return a, inputf("the note is longer than 4000 characters")
	}
	if a.Sensitivity == 0 {
		a.Sensitivity = sensitivity.Internal
	}
	if !a.Sensitivity.Valid() {
		return a, inputf("unknown sensitivity")
	}
	if a.DeclarationID != "" {
		if _, err := GetDeclaration(ctx, q, a.DeclarationID); err != nil {
			return a, inputf("no such declaration")
		}
	}
	a.ConfirmedBy, a.ConfirmedAt = userID, db.Now()
	var id string
	err := q.QueryRow(ctx, "SELECT id FROM treaty_acceptances WHERE institution_id = ? AND state = ? AND procedure_code = ?",
		inst, a.State, a.Procedure).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		a.ID = db.NewID()
		_, err = q.Exec(ctx, `INSERT INTO treaty_acceptances (id, institution_id, state, procedure_code, status, declaration_id,
			accepted_on, note, sensitivity, confirmed_by, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, inst, a.State, a.Procedure, a.Status, a.DeclarationID, a.AcceptedOn, a.Note, a.Sensitivity, a.ConfirmedBy, a.ConfirmedAt)
	case err == nil:
		a.ID = id
		_, err = q.Exec(ctx, `UPDATE treaty_acceptances SET status = ?, declaration_id = ?, accepted_on = ?, note = ?, sensitivity = ?,
			confirmed_by = ?, confirmed_at = ? WHERE id = ? AND institution_id = ?`,
			a.Status, a.DeclarationID, a.AcceptedOn, a.Note, a.Sensitivity, a.ConfirmedBy, a.ConfirmedAt, id, inst)
	}
	return a, err
}

// CheckEntry is an institution's answer to one checklist item for a State.
type CheckEntry struct {
	ID          string            `json:"id"`
	State       string            `json:"state"`
	Item        string            `json:"item"`
	Status      string            `json:"status"`
	Evidence    string            `json:"evidence,omitempty"`
	SourceURL   string            `json:"source_url,omitempty"`
	AsOf        string            `json:"as_of,omitempty"`
	Sensitivity sensitivity.Level `json:"-"`
	UpdatedBy   string            `json:"updated_by"`
	UpdatedAt   string            `json:"updated_at"`
}

// CheckEntries lists an institution's checklist for a State, keeping only
// what the caller's clearance covers.
func CheckEntries(ctx context.Context, q db.Q, inst, state string, clearance sensitivity.Level) ([]CheckEntry, error) {
	rows, err := q.Query(ctx, `SELECT id, state, item, status, evidence, source_url, as_of, sensitivity, updated_by, updated_at
		FROM treaty_checklist WHERE institution_id = ? AND state = ? ORDER BY item`, inst, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CheckEntry
	for rows.Next() {
		var c CheckEntry
		if err := rows.Scan(&c.ID, &c.State, &c.Item, &c.Status, &c.Evidence, &c.SourceURL, &c.AsOf, &c.Sensitivity, &c.UpdatedBy, &c.UpdatedAt); err != nil {
			return nil, err
		}
		if sensitivity.Allows(clearance, c.Sensitivity) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// SaveCheck records an institution's answer to a checklist item.
func SaveCheck(ctx context.Context, q db.Q, inst, userID string, c CheckEntry) (CheckEntry, error) {
	if !ValidState(c.State) {
		return c, inputf("the State must be an ISO 3166-1 alpha-3 code")
	}
	if _, ok := ChecklistByCode(c.Item); !ok {
		return c, inputf("unknown checklist item %q", c.Item)
	}
	ok := false
	for _, s := range ChecklistStatuses {
		ok = ok || s == c.Status
	}
	if !ok {
		return c, inputf("choose yes, partly, no or unknown")
	}
	if !validDate(c.AsOf) {
		return c, inputf("the date must be YYYY-MM-DD")
	}
	if len(c.Evidence) > 8000 || len(c.SourceURL) > 1000 {
		return c, inputf("the evidence or the link is too long")
	}
	if c.SourceURL != "" && !strings.HasPrefix(c.SourceURL, "https://") && !strings.HasPrefix(c.SourceURL, "http://") {
		return c, inputf("the link must start with https:// or http://")
	}
	if c.Sensitivity == 0 {
		c.Sensitivity = sensitivity.Internal
	}
	if !c.Sensitivity.Valid() {
		return c, inputf("unknown sensitivity")
	}
	now := db.Now()
	c.UpdatedBy, c.UpdatedAt = userID, now
	var id string
	err := q.QueryRow(ctx, "SELECT id FROM treaty_checklist WHERE institution_id = ? AND state = ? AND item = ?", inst, c.State, c.Item).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		c.ID = db.NewID()
		_, err = q.Exec(ctx, `INSERT INTO treaty_checklist (id, institution_id, state, item, status, evidence, source_url, as_of,
			sensitivity, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, inst, c.State, c.Item, c.Status, c.Evidence, c.SourceURL, c.AsOf, c.Sensitivity, userID, now, now)
	case err == nil:
		c.ID = id
		_, err = q.Exec(ctx, `UPDATE treaty_checklist SET status = ?, evidence = ?, source_url = ?, as_of = ?, sensitivity = ?,
			updated_by = ?, updated_at = ? WHERE id = ? AND institution_id = ?`,
			c.Status, c.Evidence, c.SourceURL, c.AsOf, c.Sensitivity, userID, now, id, inst)
	}
	return c, err
}

// GetCheckEntry reads one checklist row of the institution by id.
func GetCheckEntry(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level) (CheckEntry, error) {
	var c CheckEntry
	err := q.QueryRow(ctx, `SELECT id, state, item, status, evidence, source_url, as_of, sensitivity, updated_by, updated_at
		FROM treaty_checklist WHERE institution_id = ? AND id = ?`, inst, id).
		Scan(&c.ID, &c.State, &c.Item, &c.Status, &c.Evidence, &c.SourceURL, &c.AsOf, &c.Sensitivity, &c.UpdatedBy, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sensitivity.Allows(clearance, c.Sensitivity)) {
		return CheckEntry{}, ErrNotFound
	}
	return c, err
}
