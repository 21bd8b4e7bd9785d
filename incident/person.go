package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"vigil/access"
	"vigil/db"
	"vigil/fieldcrypt"
	"vigil/sensitivity"
)

// Kinds of person, after the ESF's roles in an event.
var Kinds = []string{"victim", "witness", "source", "alleged_perpetrator", "other"}

// Sexes and AgeGroups are the non-identifying facts kept in clear so that
// reports can count without decrypting anything.
var (
	Sexes     = []string{"unknown", "female", "male", "other"}
	AgeGroups = []string{"unknown", "child (0-17)", "adult (18-59)", "older (60+)"}
)

// identifying lists the encrypted fields; they are registered for key rotation.
var identifying = []string{"name", "contact", "id_document", "address", "notes"}

func init() {
	for _, f := range identifying {
		fieldcrypt.Register(fieldcrypt.Column{Table: "persons", IDColumn: "id", InstitutionColumn: "institution_id",
			Column: f + "_enc", Field: f})
	}
}

// Person is a person named in documentation. The identifying fields are
// only filled when the reader's clearance covers the record.
type Person struct {
	ID, InstitutionID    string
	Kind                 string
	Pseudonym            string // what reports and lists show, e.g. "V-014"
	Name, Contact        string
	IDDocument, Address  string
	Notes                string
	Sex, AgeGroup        string
	Sensitivity          sensitivity.Level
	CreatedBy            string
	CreatedAt, UpdatedAt string
	Withheld             bool // identifying fields hidden from this reader
}

// Validate checks a person before saving.
func (p *Person) Validate() error {
	p.Pseudonym = strings.TrimSpace(p.Pseudonym)
	if p.Pseudonym == "" {
		return errors.New("pseudonym is required: it is how the person appears in lists and reports")
	}
	if err := oneOf(p.Kind, Kinds, "kind"); err != nil {
		return err
	}
	if p.Sex == "" {
		p.Sex = "unknown"
	}
	if p.AgeGroup == "" {
		p.AgeGroup = "unknown"
	}
	if err := oneOf(p.Sex, Sexes, "sex"); err != nil {
		return err
	}
	if err := oneOf(p.AgeGroup, AgeGroups, "age group"); err != nil {
		return err
	}
	if p.Sensitivity == 0 {
		p.Sensitivity = sensitivity.Confidential
	}
	if !p.Sensitivity.Valid() {
		return fmt.Errorf("sensitivity %d is not a level", p.Sensitivity)
	}
	for _, f := range []string{p.Name, p.Contact, p.IDDocument, p.Address, p.Notes} {
		if len(f) > 4000 {
			return errors.New("a field is longer than 4000 characters")
		}
	}
	return nil
}

func (p *Person) fields() []*string {
	return []*string{&p.Name, &p.Contact, &p.IDDocument, &p.Address, &p.Notes}
}

// CreatePerson encrypts and stores a person of institution inst.
func CreatePerson(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, inst, by string, p Person) (Person, error) {
	if err := p.Validate(); err != nil {
		return Person{}, err
	}
	p.ID, p.InstitutionID, p.CreatedBy = db.NewID(), inst, by
	p.CreatedAt = db.Now()
	p.UpdatedAt = p.CreatedAt
	enc := make([]any, len(identifying))
	for i, f := range p.fields() {
		ct, err := kr.Encrypt(inst, "persons", p.ID, identifying[i], *f)
		if err != nil {
			return Person{}, err
		}
		enc[i] = ct
	}
	args := append([]any{p.ID, inst, p.Kind, p.Pseudonym}, enc...)
	args = append(args, p.Sex, p.AgeGroup, int(p.Sensitivity), by, p.CreatedAt, p.UpdatedAt)
	_, err := q.Exec(ctx, `INSERT INTO persons (id, institution_id, kind, pseudonym, name_enc, contact_enc, id_document_enc, address_enc, notes_enc,
		sex, age_group, sensitivity, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	return p, err
}

const personCols = `id, institution_id, kind, pseudonym, name_enc, contact_enc, id_document_enc, address_enc, notes_enc,
	sex, age_group, sensitivity, created_by, created_at, updated_at`

// scan reads a row and decrypts the identifying fields only when clearance
// covers the record; otherwise they stay empty and Withheld is set.
func scan(s interface{ Scan(...any) error }, kr *fieldcrypt.Keyring, clearance sensitivity.Level) (Person, error) {
	var p Person
	var level int64
	enc := make([]string, len(identifying))
	err := s.Scan(&p.ID, &p.InstitutionID, &p.Kind, &p.Pseudonym, &enc[0], &enc[1], &enc[2], &enc[3], &enc[4],
		&p.Sex, &p.AgeGroup, &level, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return p, err
	}
	p.Sensitivity = sensitivity.Level(level)
	if !sensitivity.Allows(clearance, p.Sensitivity) {
		p.Withheld = true
		return p, nil
	}
	for i, f := range p.fields() {
		if *f, err = kr.Decrypt(p.InstitutionID, "persons", p.ID, identifying[i], enc[i]); err != nil {
			return p, fmt.Errorf("person %s field %s: %w", p.ID, identifying[i], err)
		}
	}
	return p, nil
}

// GetPerson reads one person for a reader with the given role. A person
// above the reader's clearance is reported as not found, so its existence
// is not disclosed either.
func GetPerson(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, inst, id string, role access.Role) (Person, error) {
	p, err := scan(q.QueryRow(ctx, "SELECT "+personCols+" FROM persons WHERE institution_id = ? AND id = ?", inst, id), kr, role.Clearance())
	if errors.Is(err, sql.ErrNoRows) || (err == nil && p.Withheld) {
		return Person{}, ErrNotFound
	}
	return p, err
}

// ListPersons lists the persons a role may see, newest first. Names are
// decrypted only when withNames is set: the list page shows pseudonyms, so
// that opening it is not itself a read of confidential data.
func ListPersons(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, inst string, role access.Role, withNames bool) ([]Person, error) {
	clearance := role.Clearance()
	rows, err := q.Query(ctx, "SELECT "+personCols+" FROM persons WHERE institution_id = ? AND sensitivity <= ? ORDER BY created_at DESC, id",
		inst, int(clearance))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	readAs := clearance
	if !withNames {
		readAs = 0 // decrypt nothing
	}
	for rows.Next() {
		p, err := scan(rows, kr, readAs)
		if err != nil {
			return nil, err
		}
		p.Withheld = !withNames
		out = append(out, p)
	}
	return out, rows.Err()
}
