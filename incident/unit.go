package incident

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"vigil/db"
	"vigil/sensitivity"
)

// Unit is a security-force unit or another organisation that acts are
// attributed to. Its place in the hierarchy and its commanders change over
// time, so both are kept as dated links rather than fields.
type Unit struct {
	ID, InstitutionID string
	Name, Force, Kind string
	Notes             string
	Sensitivity       sensitivity.Level
	CreatedBy         string
	CreatedAt         string
	UpdatedAt         string
	// WithdrawnAt is set when the unit was withdrawn (kept and marked).
	WithdrawnAt, WithdrawnReason string
}

// UnitLink puts a unit under a parent from one date to another ("" open).
type UnitLink struct {
	ID, UnitID, ParentID string
	ParentName, UnitName string
	From, To             string
}

// Commander is who commanded a unit over a period: a person on record
// (shown by pseudonym) or a title alone.
type Commander struct {
	ID, UnitID, PersonID string
	Pseudonym, Title     string
	From, To             string
	Sensitivity          sensitivity.Level
}

// CreateUnit stores a unit.
func CreateUnit(ctx context.Context, q db.Q, inst, by string, u Unit) (Unit, error) {
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" || len(u.Name) > 300 {
		return Unit{}, invalid("a unit needs a name of at most 300 characters")
	}
	if u.Force == "" {
		u.Force = "other"
	}
	if u.Kind == "" {
		u.Kind = "unit"
	}
	if err := oneOf(u.Force, Forces, "force"); err != nil {
		return Unit{}, err
	}
	if err := oneOf(u.Kind, UnitKinds, "kind"); err != nil {
		return Unit{}, err
	}
	if u.Sensitivity == 0 {
		u.Sensitivity = sensitivity.Internal
	}
	if !u.Sensitivity.Valid() {
		return Unit{}, invalid("sensitivity %d is not a level", u.Sensitivity)
	}
	u.ID, u.InstitutionID, u.CreatedBy = db.NewID(), inst, by
	u.CreatedAt = db.Now()
	u.UpdatedAt = u.CreatedAt
	_, err := q.Exec(ctx, `INSERT INTO units (id, institution_id, name, force, kind, notes, sensitivity, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, inst, u.Name, u.Force, u.Kind, u.Notes, int(u.Sensitivity), by, u.CreatedAt, u.UpdatedAt)
	return u, err
}

const unitCols = "id, institution_id, name, force, kind, notes, sensitivity, created_by, created_at, updated_at, withdrawn_at, withdrawn_reason"

func scanUnit(s interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var level int64
	err := s.Scan(&u.ID, &u.InstitutionID, &u.Name, &u.Force, &u.Kind, &u.Notes, &level, &u.CreatedBy, &u.CreatedAt, &u.UpdatedAt,
		&u.WithdrawnAt, &u.WithdrawnReason)
	u.Sensitivity = sensitivity.Level(level)
	return u, err
}

// GetUnit reads a unit the clearance covers.
func GetUnit(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level) (Unit, error) {
	u, err := scanUnit(q.QueryRow(ctx, "SELECT "+unitCols+" FROM units WHERE institution_id = ? AND id = ? AND sensitivity <= ?", inst, id, int(clearance)))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, ErrNotFound
	}
	return u, err
}

// ListUnits lists the units a clearance covers, by force and name.
func ListUnits(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level) ([]Unit, error) {
	rows, err := q.Query(ctx, "SELECT "+unitCols+" FROM units WHERE institution_id = ? AND sensitivity <= ? ORDER BY force, name, id", inst, int(clearance))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// LinkUnit places unit under parent from one date to another. It refuses a
// link that would make a unit its own ancestor.
func LinkUnit(ctx context.Context, q db.Q, inst, unitID, parentID, from, to string) (UnitLink, error) {
	if unitID == parentID {
		return UnitLink{}, invalid("a unit cannot be its own parent")
	}
	if err := validDate(from, "from", false); err != nil {
		return UnitLink{}, err
	}
	if err := validDate(to, "to", false); err != nil {
		return UnitLink{}, err
	}
	if to != "" && from != "" && to < from {
		return UnitLink{}, invalid("the link ends before it starts")
	}
	for _, id := range []string{unitID, parentID} {
		if err := exists(ctx, q, "units", inst, id); err != nil {
			return UnitLink{}, err
		}
	}
	// Walk up from the parent: meeting unitID would close a loop.
	seen := map[string]bool{}
	frontier := []string{parentID}
	for len(frontier) > 0 {
		cur := frontier[0]
		frontier = frontier[1:]
		if cur == unitID {
			return UnitLink{}, invalid("the link would make the unit its own superior")
		}
		if seen[cur] {
			continue
		}
		seen[cur] = true
		rows, err := q.Query(ctx, "SELECT parent_id FROM unit_links WHERE institution_id = ? AND unit_id = ?", inst, cur)
		if err != nil {
			return UnitLink{}, err
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return UnitLink{}, err
			}
			frontier = append(frontier, p)
		}
		rows.Close()
	}
	l := UnitLink{ID: db.NewID(), UnitID: unitID, ParentID: parentID, From: from, To: to}
	_, err := q.Exec(ctx, "INSERT INTO unit_links (id, institution_id, unit_id, parent_id, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		l.ID, inst, unitID, parentID, from, to, db.Now())
	return l, err
}

// AddCommander records who commanded a unit over a period.
func AddCommander(ctx context.Context, q db.Q, inst string, c Commander) (Commander, error) {
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" && c.PersonID == "" {
		return Commander{}, invalid("a commander needs a title or a person on record")
	}
	if err := validDate(c.From, "from", false); err != nil {
		return Commander{}, err
	}
	if err := validDate(c.To, "to", false); err != nil {
		return Commander{}, err
	}
	if err := exists(ctx, q, "units", inst, c.UnitID); err != nil {
		return Commander{}, err
	}
	if c.PersonID != "" {
		if err := exists(ctx, q, "persons", inst, c.PersonID); err != nil {
			return Commander{}, err
		}
	}
	if c.Sensitivity == 0 {
		c.Sensitivity = sensitivity.Internal
	}
	if !c.Sensitivity.Valid() {
		return Commander{}, invalid("sensitivity %d is not a level", c.Sensitivity)
	}
	c.ID = db.NewID()
	_, err := q.Exec(ctx, `INSERT INTO unit_commanders (id, institution_id, unit_id, person_id, title, valid_from, valid_to, sensitivity, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, inst, c.UnitID, c.PersonID, c.Title, c.From, c.To, int(c.Sensitivity), db.Now())
	return c, err
}

// UnitRecord is what the unit page shows: its superiors and subordinates
// over time, its commanders, and the acts attributed to it.
type UnitRecord struct {
	Unit       Unit
	Parents    []UnitLink
	Children   []UnitLink
	Commanders []Commander
	Acts       []UnitAct
	Figures    Figures
}

// UnitAct is an act attributed to the unit.
type UnitAct struct {
	EventID, EventTitle, Date, ActType, Degree string
}

// GetUnitRecord gathers a unit's record for a clearance.
func GetUnitRecord(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level, today string) (UnitRecord, error) {
	var r UnitRecord
	var err error
	if r.Unit, err = GetUnit(ctx, q, inst, id, clearance); err != nil {
		return r, err
	}
	links := func(cond string) ([]UnitLink, error) {
		rows, err := q.Query(ctx, `SELECT l.id, l.unit_id, l.parent_id, p.name, c.name, l.valid_from, l.valid_to FROM unit_links l
			JOIN units p ON p.id = l.parent_id JOIN units c ON c.id = l.unit_id
			WHERE l.institution_id = ? AND `+cond+` = ? AND p.sensitivity <= ? AND c.sensitivity <= ? ORDER BY l.valid_from, l.id`,
			inst, id, int(clearance), int(clearance))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []UnitLink
		for rows.Next() {
			var l UnitLink
			if err := rows.Scan(&l.ID, &l.UnitID, &l.ParentID, &l.ParentName, &l.UnitName, &l.From, &l.To); err != nil {
				return nil, err
			}
			out = append(out, l)
		}
		return out, rows.Err()
	}
	if r.Parents, err = links("l.unit_id"); err != nil {
		return r, err
	}
	if r.Children, err = links("l.parent_id"); err != nil {
		return r, err
	}
	rows, err := q.Query(ctx, `SELECT c.id, c.unit_id, c.person_id, COALESCE(p.pseudonym, ''), COALESCE(p.sensitivity, 0), c.title, c.valid_from, c.valid_to, c.sensitivity
		FROM unit_commanders c LEFT JOIN persons p ON p.id = c.person_id AND p.institution_id = c.institution_id
		WHERE c.institution_id = ? AND c.unit_id = ? AND c.sensitivity <= ? ORDER BY c.valid_from, c.id`, inst, id, int(clearance))
	if err != nil {
		return r, err
	}
	for rows.Next() {
		var c Commander
		var plevel, level int64
		if err := rows.Scan(&c.ID, &c.UnitID, &c.PersonID, &c.Pseudonym, &plevel, &c.Title, &c.From, &c.To, &level); err != nil {
			rows.Close()
			return r, err
		}
		if c.PersonID != "" && !sensitivity.Allows(clearance, sensitivity.Level(plevel)) {
			c.PersonID, c.Pseudonym = "", "" // the title stays; the person does not
		}
		c.Sensitivity = sensitivity.Level(level)
		r.Commanders = append(r.Commanders, c)
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT e.id, e.title, e.date_start, a.act_type, v.degree FROM involvements v
		JOIN acts a ON a.id = v.act_id JOIN events e ON e.id = a.event_id
		WHERE v.institution_id = ? AND v.unit_id = ? AND a.sensitivity <= ? AND e.sensitivity <= ?
		ORDER BY e.date_start DESC, a.id LIMIT 200`, inst, id, int(clearance), int(clearance))
	if err != nil {
		return r, err
	}
	for rows.Next() {
		var a UnitAct
		if err := rows.Scan(&a.EventID, &a.EventTitle, &a.Date, &a.ActType, &a.Degree); err != nil {
			rows.Close()
			return r, err
		}
		r.Acts = append(r.Acts, a)
	}
	rows.Close()
	figs, err := ImpunityFigures(ctx, q, inst, clearance, today)
	if err != nil {
		return r, err
	}
	for _, f := range figs.Units {
		if f.Key == id {
			r.Figures = f
		}
	}
	return r, nil
}
