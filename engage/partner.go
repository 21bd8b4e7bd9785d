package engage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"vigil/db"
	"vigil/fieldcrypt"
	"vigil/sensitivity"
)

// PartnerKinds are the kinds of organisation an institution works with.
var PartnerKinds = []string{"parliament", "ministry", "oversight_body", "civil_society", "media",
	"un_office", "un_mechanism", "nhri", "regional_network", "academic", "other"}

// ErrNotFound is returned for a record that does not exist in the
// institution or that the reader may not see: the two look the same.
var ErrNotFound = errors.New("not found")

// Partner is an organisation the institution works with.
type Partner struct {
	ID, InstitutionID    string
	Name, Kind           string
	CountryCode          string
	Description          string
	Sensitivity          sensitivity.Level
	CreatedBy            string
	CreatedAt, UpdatedAt string
}

func oneOf(v string, allowed []string, field string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s %q: want one of %s", field, v, strings.Join(allowed, ", "))
}

func checkLevel(l *sensitivity.Level, def sensitivity.Level) error {
	if *l == 0 {
		*l = def
	}
	if !l.Valid() {
		return fmt.Errorf("sensitivity %d is not a level", *l)
	}
	return nil
}

// Validate checks a partner before saving.
func (p *Partner) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	p.CountryCode = strings.ToUpper(strings.TrimSpace(p.CountryCode))
	if p.Name == "" {
		return errors.New("name is required")
	}
	if len(p.Name) > 300 || len(p.Description) > 4000 {
		return errors.New("name (300) or description (4000 characters) is too long")
	}
	if p.CountryCode != "" && len(p.CountryCode) != 3 {
		return fmt.Errorf("country %q: want an ISO 3166 alpha-3 code such as XVG", p.CountryCode)
	}
	if err := oneOf(p.Kind, PartnerKinds, "kind"); err != nil {
		return err
	}
	return checkLevel(&p.Sensitivity, sensitivity.Internal)
}

// CreatePartner stores a partner of institution inst.
func CreatePartner(ctx context.Context, q db.Q, inst, by string, p Partner) (Partner, error) {
	if err := p.Validate(); err != nil {
		return Partner{}, err
	}
	p.ID, p.InstitutionID, p.CreatedBy = db.NewID(), inst, by
	p.CreatedAt = db.Now()
	p.UpdatedAt = p.CreatedAt
	_, err := q.Exec(ctx, `INSERT INTO engage_partners (id, institution_id, name, kind, country_code, description, sensitivity,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, inst, p.Name, p.Kind, p.CountryCode, p.Description, int(p.Sensitivity), by, p.CreatedAt, p.UpdatedAt)
	return p, err
}

const partnerCols = "id, institution_id, name, kind, country_code, description, sensitivity, created_by, created_at, updated_at"

func scanPartner(s interface{ Scan(...any) error }) (Partner, error) {
	var p Partner
	var level int64
	err := s.Scan(&p.ID, &p.InstitutionID, &p.Name, &p.Kind, &p.CountryCode, &p.Description, &level, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
	p.Sensitivity = sensitivity.Level(level)
	return p, err
}

// GetPartner reads one partner a reader cleared up to max may see.
func GetPartner(ctx context.Context, q db.Q, inst, id string, max sensitivity.Level) (Partner, error) {
	p, err := scanPartner(q.QueryRow(ctx, "SELECT "+partnerCols+" FROM engage_partners WHERE institution_id = ? AND id = ?", inst, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sensitivity.Allows(max, p.Sensitivity)) {
		return Partner{}, ErrNotFound
	}
	return p, err
}

// ListPartners lists the partners a reader cleared up to max may see, by name.
func ListPartners(ctx context.Context, q db.Q, inst string, max sensitivity.Level) ([]Partner, error) {
	rows, err := q.Query(ctx, "SELECT "+partnerCols+" FROM engage_partners WHERE institution_id = ? AND sensitivity <= ? ORDER BY name, id", inst, int(max))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Partner
	for rows.Next() {
		p, err := scanPartner(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return sensitivity.Filter(max, out, func(p Partner) sensitivity.Level { return p.Sensitivity }), nil
}

// Contact is a person to reach at a partner. Name, email, phone and notes
// are encrypted at rest; Position stays in clear so lists can say who a
// contact is without revealing them.
type Contact struct {
	ID, InstitutionID, PartnerID string
	Position                     string
	Name, Email, Phone, Notes    string
	Sensitivity                  sensitivity.Level
	CreatedBy, CreatedAt         string
	Withheld                     bool // encrypted fields not shown to this reader
}

var contactFields = []string{"name", "email", "phone", "notes"}

func init() {
	for _, f := range contactFields {
		fieldcrypt.Register(fieldcrypt.Column{Table: "engage_contacts", IDColumn: "id", InstitutionColumn: "institution_id",
			Column: f + "_enc", Field: f})
	}
}

func (c *Contact) fields() []*string { return []*string{&c.Name, &c.Email, &c.Phone, &c.Notes} }

// AddContact encrypts and stores a contact of a partner the writer may see.
func AddContact(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, inst, by string, max sensitivity.Level, c Contact) (Contact, error) {
	if _, err := GetPartner(ctx, q, inst, c.PartnerID, max); err != nil {
		return Contact{}, err
	}
	c.Name, c.Position = strings.TrimSpace(c.Name), strings.TrimSpace(c.Position)
	if c.Name == "" {
		return Contact{}, errors.New("the contact's name is required")
	}
	for _, f := range c.fields() {
		if len(*f) > 2000 {
			return Contact{}, errors.New("a contact field is longer than 2000 characters")
		}
	}
	if err := checkLevel(&c.Sensitivity, sensitivity.Confidential); err != nil {
		return Contact{}, err
	}
	c.ID, c.InstitutionID, c.CreatedBy, c.CreatedAt = db.NewID(), inst, by, db.Now()
	enc := make([]any, len(contactFields))
	for i, f := range c.fields() {
		ct, err := kr.Encrypt(inst, "engage_contacts", c.ID, contactFields[i], *f)
		if err != nil {
			return Contact{}, err
		}
		enc[i] = ct
	}
	args := append([]any{c.ID, inst, c.PartnerID, c.Position}, enc...)
	args = append(args, int(c.Sensitivity), by, c.CreatedAt)
	_, err := q.Exec(ctx, `INSERT INTO engage_contacts (id, institution_id, partner_id, position, name_enc, email_enc, phone_enc, notes_enc,
		sensitivity, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	return c, err
}

// Contacts lists a partner's contacts that a reader cleared up to max may
// see, decrypted. The caller audits the read of confidential ones
// (ConfidentialIDs tells which).
func Contacts(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, inst, partnerID string, max sensitivity.Level) ([]Contact, error) {
	rows, err := q.Query(ctx, `SELECT id, institution_id, partner_id, position, name_enc, email_enc, phone_enc, notes_enc, sensitivity, created_by, created_at
		FROM engage_contacts WHERE institution_id = ? AND partner_id = ? AND sensitivity <= ? ORDER BY created_at, id`, inst, partnerID, int(max))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		var c Contact
		var level int64
		enc := make([]string, len(contactFields))
		if err := rows.Scan(&c.ID, &c.InstitutionID, &c.PartnerID, &c.Position, &enc[0], &enc[1], &enc[2], &enc[3], &level, &c.CreatedBy, &c.CreatedAt); err != nil {
			return nil, err
		}
		c.Sensitivity = sensitivity.Level(level)
		if !sensitivity.Allows(max, c.Sensitivity) {
			continue
		}
		for i, f := range c.fields() {
			if *f, err = kr.Decrypt(c.InstitutionID, "engage_contacts", c.ID, contactFields[i], enc[i]); err != nil {
				return nil, fmt.Errorf("contact %s field %s: %w", c.ID, contactFields[i], err)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// EditPartner replaces a partner's name, kind, country, description and
// level (within the editor's clearance) and returns the names of the
// fields that changed.
func EditPartner(ctx context.Context, q db.Q, inst, id string, max sensitivity.Level, p Partner) (Partner, []string, error) {
	old, err := GetPartner(ctx, q, inst, id, max)
	if err != nil {
		return old, nil, err
	}
	if err := p.Validate(); err != nil {
		return old, nil, err
	}
	if !sensitivity.Allows(max, p.Sensitivity) {
		return old, nil, fmt.Errorf("you may not set a sensitivity above your clearance (%s)", max)
	}
	var changed []string
	for _, f := range []struct{ name, old, new string }{{"name", old.Name, p.Name}, {"kind", old.Kind, p.Kind},
		{"country", old.CountryCode, p.CountryCode}, {"description", old.Description, p.Description},
		{"sensitivity", old.Sensitivity.String(), p.Sensitivity.String()}} {
		if f.old != f.new {
			changed = append(changed, f.name)
		}
	}
	if len(changed) == 0 {
		return old, nil, nil
	}
	if _, err := q.Exec(ctx, `UPDATE engage_partners SET name = ?, kind = ?, country_code = ?, description = ?, sensitivity = ?, updated_at = ?
		WHERE institution_id = ? AND id = ?`, p.Name, p.Kind, p.CountryCode, p.Description, int(p.Sensitivity), db.Now(), inst, id); err != nil {
		return old, nil, err
	}
	got, err := GetPartner(ctx, q, inst, id, max)
	return got, changed, err
}
