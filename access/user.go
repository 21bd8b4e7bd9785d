package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"vigil/db"
)

// Institution is one tenant: an NHRI or ombudsperson office.
type Institution struct {
	ID          string
	Name        string
	CountryCode string // ISO 3166-1 alpha-3 of the State it monitors
	CreatedAt   string
}

// User is a person who signs in. Partner users belong to the institution
// that shares with them; PartnerOf names their own organisation.
type User struct {
	ID            string
	InstitutionID string
	Username      string
	DisplayName   string
	Role          Role
	PartnerOf     string
	TOTPEnabled   bool
	Disabled      bool
	CreatedAt     string
	UpdatedAt     string
}

// ErrNotFound is returned for a missing record; callers show 404, never
// saying whether it exists in another institution.
var ErrNotFound = errors.New("not found")

// CreateInstitution adds a tenant.
func CreateInstitution(ctx context.Context, q db.Q, name, country string) (Institution, error) {
	name, country = strings.TrimSpace(name), strings.ToUpper(strings.TrimSpace(country))
	if name == "" {
		return Institution{}, errors.New("institution name is required")
	}
	if len(country) != 3 {
		return Institution{}, fmt.Errorf("country %q: want an ISO 3166-1 alpha-3 code", country)
	}
	in := Institution{ID: db.NewID(), Name: name, CountryCode: country, CreatedAt: db.Now()}
	_, err := q.Exec(ctx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, ?, ?, ?)",
		in.ID, in.Name, in.CountryCode, in.CreatedAt)
	return in, err
}

// GetInstitution reads one tenant.
func GetInstitution(ctx context.Context, q db.Q, id string) (Institution, error) {
	var in Institution
	err := q.QueryRow(ctx, "SELECT id, name, country_code, created_at FROM institutions WHERE id = ?", id).
		Scan(&in.ID, &in.Name, &in.CountryCode, &in.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return in, ErrNotFound
	}
	return in, err
}

// ListInstitutions lists every tenant (system scope).
func ListInstitutions(ctx context.Context, q db.Q) ([]Institution, error) {
	rows, err := q.Query(ctx, "SELECT id, name, country_code, created_at FROM institutions ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Institution
	for rows.Next() {
		var in Institution
		if err := rows.Scan(&in.ID, &in.Name, &in.CountryCode, &in.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// NewUser is what an administrator gives to create an account.
type NewUser struct {
	Username, DisplayName, Password, PartnerOf string
	Role                                       Role
}

// ValidUsername: lower-case letters, digits, dot, dash, underscore; 3-64.
func ValidUsername(u string) error {
	if len(u) < 3 || len(u) > 64 {
		return errors.New("username must have 3 to 64 characters")
	}
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("username may hold only a-z, 0-9, '.', '-' and '_' (found %q)", c)
		}
	}
	return nil
}

// CreateUser adds an account to institution inst.
func CreateUser(ctx context.Context, q db.Q, inst string, nu NewUser) (User, error) {
	nu.Username = strings.ToLower(strings.TrimSpace(nu.Username))
	nu.DisplayName = strings.TrimSpace(nu.DisplayName)
	if err := ValidUsername(nu.Username); err != nil {
		return User{}, err
	}
	if nu.DisplayName == "" {
		return User{}, errors.New("display name is required")
	}
	if _, err := ParseRole(string(nu.Role)); err != nil {
		return User{}, err
	}
	if err := CheckPassword(nu.Username, nu.Password); err != nil {
		return User{}, err
	}
	var n int
	// Usernames are unique across the instance; the check runs in system
	// scope because row-level security would hide another tenant's row.
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE username = ?", nu.Username).Scan(&n); err != nil {
		return User{}, err
	}
	if n > 0 {
		return User{}, fmt.Errorf("username %q is taken", nu.Username)
	}
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return User{}, err
	}
	now := db.Now()
	u := User{ID: db.NewID(), InstitutionID: inst, Username: nu.Username, DisplayName: nu.DisplayName,
		Role: nu.Role, PartnerOf: strings.TrimSpace(nu.PartnerOf), CreatedAt: now, UpdatedAt: now}
	_, err = q.Exec(ctx, `INSERT INTO users (id, institution_id, username, display_name, role, partner_of, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, inst, u.Username, u.DisplayName, string(u.Role), u.PartnerOf, hash, now, now)
	return u, err
}

const userCols = "id, institution_id, username, display_name, role, partner_of, totp_enabled, disabled, created_at, updated_at"

func scanUser(s interface{ Scan(...any) error }) (User, error) {
	var u User
	var role string
	var totp, dis int64
	err := s.Scan(&u.ID, &u.InstitutionID, &u.Username, &u.DisplayName, &role, &u.PartnerOf, &totp, &dis, &u.CreatedAt, &u.UpdatedAt)
	u.Role, u.TOTPEnabled, u.Disabled = Role(role), totp == 1, dis == 1
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// GetUser reads a user of institution inst.
func GetUser(ctx context.Context, q db.Q, inst, id string) (User, error) {
	return scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE institution_id = ? AND id = ?", inst, id))
}

// GetUserByName finds an account by username in any institution
// (system scope: used by sign-in and the CLI).
func GetUserByName(ctx context.Context, q db.Q, username string) (User, error) {
	return scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE username = ?", strings.ToLower(strings.TrimSpace(username))))
}

// ListUsers lists institution inst's users.
func ListUsers(ctx context.Context, q db.Q, inst string) ([]User, error) {
	rows, err := q.Query(ctx, "SELECT "+userCols+" FROM users WHERE institution_id = ? ORDER BY username", inst)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetDisabled disables or re-enables an account. Disabling ends every
// session of the account at once (ASVS 7.4.2).
func SetDisabled(ctx context.Context, q db.Q, inst, id string, disabled bool) error {
	v := 0
	if disabled {
		v = 1
	}
	res, err := q.Exec(ctx, "UPDATE users SET disabled = ?, updated_at = ? WHERE institution_id = ? AND id = ?", v, db.Now(), inst, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if disabled {
		return EndUserSessions(ctx, q, inst, id)
	}
	return nil
}

// SetPassword replaces a password after checking the policy, and ends the
// account's sessions so a stolen session does not outlive the change.
func SetPassword(ctx context.Context, q db.Q, inst, id, username, pw string) error {
	if err := CheckPassword(username, pw); err != nil {
		return err
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	res, err := q.Exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE institution_id = ? AND id = ?", hash, db.Now(), inst, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return EndUserSessions(ctx, q, inst, id)
}

// SetRole changes a user's role; it takes effect on the next request
// because sessions read the role from the users row each time.
func SetRole(ctx context.Context, q db.Q, inst, id string, r Role) error {
	if _, err := ParseRole(string(r)); err != nil {
		return err
	}
	res, err := q.Exec(ctx, "UPDATE users SET role = ?, updated_at = ? WHERE institution_id = ? AND id = ?", string(r), db.Now(), inst, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
