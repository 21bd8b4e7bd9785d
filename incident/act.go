package incident

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"vigil/db"
	"vigil/sensitivity"
)

// Act is one violation within an event, e.g. a killing or an arbitrary
// detention, with the risk-assessment indicators it bears on.
type Act struct {
	ID, InstitutionID, EventID string
	Type                       string
	Description                string
	Victims                    int
	ViolationStatus            string
	Indicators                 []string // indicator codes of the risk framework, e.g. "RF9.3"
	Sensitivity                sensitivity.Level
	CreatedAt                  string
	Involvements               []Involvement
	WithdrawnAt                string // set when withdrawn: kept, marked, out of the counts
	WithdrawnReason            string
}

// Involvement ties a person or a unit to an act in a role; perpetrators
// carry the degree of their involvement.
type Involvement struct {
	ID, InstitutionID, ActID string
	PersonID, UnitID         string
	Role, Degree             string
	// Shown to readers: the person's pseudonym or the unit's name.
	Label string
}

// Source is where information on an event came from, with its reliability.
type Source struct {
	ID, InstitutionID, EventID string
	PersonID                   string
	Title, Kind, Reliability   string
	ReceivedOn                 string
	Sensitivity                sensitivity.Level
	CreatedAt                  string
}

var indicatorCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// ParseIndicators splits "RF9.3, RF10.1" into codes, checking each.
func ParseIndicators(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if !indicatorCode.MatchString(c) {
			return nil, invalid("indicator code %q: letters, digits, dots and dashes only", c)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out, nil
}

// AddAct records an act within an event the institution holds.
func AddAct(ctx context.Context, q db.Q, inst string, a Act) (Act, error) {
	if err := oneOf(a.Type, ActTypes, "act type"); err != nil {
		return Act{}, err
	}
	if a.ViolationStatus == "" {
		a.ViolationStatus = "unknown"
	}
	if err := oneOf(a.ViolationStatus, ViolationStatus, "violation status"); err != nil {
		return Act{}, err
	}
	if a.Victims < 0 {
		return Act{}, invalid("victims cannot be negative")
	}
	if len(a.Description) > 20000 {
		return Act{}, invalid("description is longer than 20000 characters")
	}
	if a.Sensitivity == 0 {
		a.Sensitivity = sensitivity.Internal
	}
	if !a.Sensitivity.Valid() {
		return Act{}, invalid("sensitivity %d is not a level", a.Sensitivity)
	}
	if err := exists(ctx, q, "events", inst, a.EventID); err != nil {
		return Act{}, err
	}
	if a.ID == "" {
		a.ID = db.NewID()
	}
	a.InstitutionID, a.CreatedAt = inst, db.Now()
	if _, err := q.Exec(ctx, `INSERT INTO acts (id, institution_id, event_id, act_type, description, victims, violation_status, sensitivity, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, inst, a.EventID, a.Type, a.Description, a.Victims, a.ViolationStatus, int(a.Sensitivity), a.CreatedAt); err != nil {
		return Act{}, err
	}
	for _, c := range a.Indicators {
		if !indicatorCode.MatchString(c) {
			return Act{}, invalid("indicator code %q: letters, digits, dots and dashes only", c)
		}
		if _, err := q.Exec(ctx, "INSERT INTO act_indicators (institution_id, act_id, indicator_code) VALUES (?, ?, ?)", inst, a.ID, c); err != nil {
			return Act{}, err
		}
	}
	return a, nil
}

// exists checks that a record of table belongs to inst (ErrNotFound otherwise).
func exists(ctx context.Context, q db.Q, table, inst, id string) error {
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM "+table+" WHERE institution_id = ? AND id = ?", inst, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// Involve ties a person or a unit to an act. Exactly one of PersonID and
// UnitID is set; perpetrators need a degree.
func Involve(ctx context.Context, q db.Q, inst string, v Involvement) (Involvement, error) {
	if err := oneOf(v.Role, InvolvementRoles, "role"); err != nil {
		return Involvement{}, err
	}
	if (v.PersonID == "") == (v.UnitID == "") {
		return Involvement{}, invalid("name either a person or a unit")
	}
	if v.Role == "perpetrator" {
		if v.Degree == "" {
			v.Degree = "unknown"
		}
		if err := oneOf(v.Degree, Degrees, "degree"); err != nil {
			return Involvement{}, err
		}
	} else {
		v.Degree = ""
		if v.UnitID != "" {
			return Involvement{}, invalid("a unit can only be involved as a perpetrator")
		}
	}
	if err := exists(ctx, q, "acts", inst, v.ActID); err != nil {
		return Involvement{}, err
	}
	if v.PersonID != "" {
		if err := exists(ctx, q, "persons", inst, v.PersonID); err != nil {
			return Involvement{}, err
		}
	} else if err := exists(ctx, q, "units", inst, v.UnitID); err != nil {
		return Involvement{}, err
	}
	v.ID, v.InstitutionID = db.NewID(), inst
	_, err := q.Exec(ctx, `INSERT INTO involvements (id, institution_id, act_id, person_id, unit_id, role, degree, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, inst, v.ActID, v.PersonID, v.UnitID, v.Role, v.Degree, db.Now())
	return v, err
}

// ListActs lists the acts of an event the clearance covers, each with its
// indicators and involvements. Persons above the clearance are left out
// entirely, so a reader never learns that a confidential person is linked.
func ListActs(ctx context.Context, q db.Q, inst, eventID string, clearance sensitivity.Level) ([]Act, error) {
	rows, err := q.Query(ctx, `SELECT id, event_id, act_type, description, victims, violation_status, sensitivity, created_at, withdrawn_at, withdrawn_reason
		FROM acts WHERE institution_id = ? AND event_id = ? AND sensitivity <= ? ORDER BY created_at, id`, inst, eventID, int(clearance))
	if err != nil {
		return nil, err
	}
	var acts []Act
	idx := map[string]int{}
	for rows.Next() {
		a := Act{InstitutionID: inst}
		var level int64
		if err := rows.Scan(&a.ID, &a.EventID, &a.Type, &a.Description, &a.Victims, &a.ViolationStatus, &level, &a.CreatedAt, &a.WithdrawnAt, &a.WithdrawnReason); err != nil {
			rows.Close()
			return nil, err
		}
		a.Sensitivity = sensitivity.Level(level)
		idx[a.ID] = len(acts)
		acts = append(acts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(acts) == 0 {
		return acts, err
	}
	rows, err = q.Query(ctx, `SELECT i.act_id, i.indicator_code FROM act_indicators i JOIN acts a ON a.id = i.act_id
		WHERE i.institution_id = ? AND a.event_id = ? ORDER BY i.indicator_code`, inst, eventID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var act, code string
		if err := rows.Scan(&act, &code); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := idx[act]; ok {
			acts[i].Indicators = append(acts[i].Indicators, code)
		}
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT v.id, v.act_id, v.person_id, v.unit_id, v.role, v.degree,
		COALESCE(p.pseudonym, ''), COALESCE(p.sensitivity, 0), COALESCE(u.name, ''), COALESCE(u.sensitivity, 0)
		FROM involvements v JOIN acts a ON a.id = v.act_id
		LEFT JOIN persons p ON p.id = v.person_id AND p.institution_id = v.institution_id
		LEFT JOIN units u ON u.id = v.unit_id AND u.institution_id = v.institution_id
		WHERE v.institution_id = ? AND a.event_id = ? ORDER BY v.created_at, v.id`, inst, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		v := Involvement{InstitutionID: inst}
		var pseud, uname string
		var plevel, ulevel int64
		if err := rows.Scan(&v.ID, &v.ActID, &v.PersonID, &v.UnitID, &v.Role, &v.Degree, &pseud, &plevel, &uname, &ulevel); err != nil {
			return nil, err
		}
		if v.PersonID != "" {
			if !sensitivity.Allows(clearance, sensitivity.Level(plevel)) {
				continue
			}
			v.Label = pseud
		} else {
			if !sensitivity.Allows(clearance, sensitivity.Level(ulevel)) {
				continue
			}
			v.Label = uname
		}
		if i, ok := idx[v.ActID]; ok {
			acts[i].Involvements = append(acts[i].Involvements, v)
		}
	}
	return acts, rows.Err()
}

// AddSource records a source of information on an event.
func AddSource(ctx context.Context, q db.Q, inst string, s Source) (Source, error) {
	s.Title = strings.TrimSpace(s.Title)
	if s.Title == "" {
		return Source{}, invalid("a source needs a title")
	}
	if s.Kind == "" {
		s.Kind = "other"
	}
	if s.Reliability == "" {
		s.Reliability = "unknown"
	}
	if err := oneOf(s.Kind, SourceKinds, "source kind"); err != nil {
		return Source{}, err
	}
	if err := oneOf(s.Reliability, Reliability, "reliability"); err != nil {
		return Source{}, err
	}
	if err := validDate(s.ReceivedOn, "received on", false); err != nil {
		return Source{}, err
	}
	if s.Sensitivity == 0 {
		s.Sensitivity = sensitivity.Internal
	}
	if !s.Sensitivity.Valid() {
		return Source{}, invalid("sensitivity %d is not a level", s.Sensitivity)
	}
	if err := exists(ctx, q, "events", inst, s.EventID); err != nil {
		return Source{}, err
	}
	if s.PersonID != "" {
		if err := exists(ctx, q, "persons", inst, s.PersonID); err != nil {
			return Source{}, err
		}
	}
	s.ID, s.InstitutionID, s.CreatedAt = db.NewID(), inst, db.Now()
	_, err := q.Exec(ctx, `INSERT INTO event_sources (id, institution_id, event_id, person_id, title, kind, reliability, received_on, sensitivity, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, inst, s.EventID, s.PersonID, s.Title, s.Kind, s.Reliability, s.ReceivedOn, int(s.Sensitivity), s.CreatedAt)
	return s, err
}

// ListSources lists an event's sources the clearance covers.
func ListSources(ctx context.Context, q db.Q, inst, eventID string, clearance sensitivity.Level) ([]Source, error) {
	rows, err := q.Query(ctx, `SELECT id, event_id, person_id, title, kind, reliability, received_on, sensitivity, created_at
		FROM event_sources WHERE institution_id = ? AND event_id = ? AND sensitivity <= ? ORDER BY created_at, id`, inst, eventID, int(clearance))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		s := Source{InstitutionID: inst}
		var level int64
		if err := rows.Scan(&s.ID, &s.EventID, &s.PersonID, &s.Title, &s.Kind, &s.Reliability, &s.ReceivedOn, &level, &s.CreatedAt); err != nil {
			return nil, err
		}
		s.Sensitivity = sensitivity.Level(level)
		out = append(out, s)
	}
	return out, rows.Err()
}

// stableID derives a record id from where it came from, so that importing
// the same row twice finds the same record. It has the shape of db.NewID
// (26 characters of the same alphabet) so it fits everywhere an id does.
// Numeric source ids (UCDP's) keep their order: eight bytes of a hash of
// institution and dataset, then the number, so a file sorted by id appends
// to the primary key instead of scattering writes across it.
func stableID(inst, origin, originID string) string {
	h := sha256.Sum256([]byte(inst + "\x00" + origin))
	if n, err := strconv.ParseUint(originID, 10, 63); err == nil && strconv.FormatUint(n, 10) == originID {
		var b [16]byte
		copy(b[:8], h[:8])
		binary.BigEndian.PutUint64(b[8:], n)
		return idAlphabet(b[:])
	}
	h = sha256.Sum256([]byte(inst + "\x00" + origin + "\x00" + originID))
	h[8] |= 0x80 // never equal to a numeric id's bytes (those are below 2^63)
	return idAlphabet(h[:16])
}

func idAlphabet(b []byte) string {
	const alpha = "0123456789abcdefghjkmnpqrstvwxyz"
	var sb strings.Builder
	sb.Grow(26)
	var acc uint64
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			sb.WriteByte(alpha[(acc>>uint(bits))&31])
		}
	}
	if bits > 0 {
		sb.WriteByte(alpha[(acc<<uint(5-bits))&31])
	}
	return sb.String()
}

// rowHash summarises an event's content (not its bookkeeping) so that an
// import can tell an unchanged row from an updated one without reading it whole.
func (e *Event) rowHash() string {
	b := make([]byte, 0, 512)
	for _, f := range []string{e.Origin, e.OriginID, e.Title, e.Description, e.Violence, e.Country, e.CountryName, e.Region,
		e.Admin1, e.Admin2, e.Place, e.DateStart, e.DateEnd, e.SideA, e.SideB, e.SourcesText, e.Status} {
		b = append(b, f...)
		b = append(b, 0)
	}
	if e.Latitude != nil {
		b = strconv.AppendFloat(b, *e.Latitude, 'g', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, *e.Longitude, 'g', -1, 64)
	}
	for _, n := range []int{e.PlacePrecision, e.DatePrecision, e.Fatalities, e.CivilianDeaths, int(e.Sensitivity)} {
		b = append(b, 0)
		b = strconv.AppendInt(b, int64(n), 10)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// PersonAct is an act a person is involved in, for the person's page.
type PersonAct struct {
	EventID, EventTitle, Date, ActType, Role, Degree string
}

// PersonInvolvements lists the acts a person is involved in, among the
// events and acts the clearance covers.
func PersonInvolvements(ctx context.Context, q db.Q, inst, personID string, clearance sensitivity.Level) ([]PersonAct, error) {
	rows, err := q.Query(ctx, `SELECT e.id, e.title, e.date_start, a.act_type, v.role, v.degree FROM involvements v
		JOIN acts a ON a.id = v.act_id JOIN events e ON e.id = a.event_id
		WHERE v.institution_id = ? AND v.person_id = ? AND a.sensitivity <= ? AND e.sensitivity <= ?
		ORDER BY e.date_start DESC, a.id`, inst, personID, int(clearance), int(clearance))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PersonAct
	for rows.Next() {
		var p PersonAct
		if err := rows.Scan(&p.EventID, &p.EventTitle, &p.Date, &p.ActType, &p.Role, &p.Degree); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
