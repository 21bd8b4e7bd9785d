// Package demo seeds a store with a demonstration institution for the
// fictional State of Vangoria (ISO 3166 user-assigned code XVG): its staff in
// every role, and, as later parts land, realistic but invented records in
// each part. Nothing here describes a real place or person.
package demo

import (
	"context"
	"errors"
	"fmt"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
)

// Password is the demo accounts' password. It is printed at start-up and
// must never be used outside a demonstration.
const Password = "vigil-demo-password"

// Country is the demo State's code, from ISO 3166's user-assigned range.
const Country = "XVG"

// Account is one demo sign-in.
type Account struct {
	Username, Role string
}

// Info tells a newcomer how to sign in.
type Info struct {
	InstitutionID string
	Institution   string
	Accounts      []Account
}

// ErrNotEmpty is returned when the store already holds an institution.
var ErrNotEmpty = errors.New("the store already holds data; the demo is only seeded into an empty store")

var staff = []struct {
	username, name string
	role           access.Role
	partnerOf      string
}{
	{"admin", "Nadia Ferreol (administrator)", access.Administrator, ""},
	{"analyst", "Tomas Ilvane (risk analyst)", access.Analyst, ""},
	{"documenter", "Rhea Mbeki-Sorn (documentation officer)", access.Documenter, ""},
	{"reviewer", "Commissioner Aurel Dantic", access.Reviewer, ""},
	{"viewer", "Lio Parvenko (communications)", access.Viewer, ""},
	{"partner", "Ines Oduya (Regional Network of NHRIs)", access.Partner, "Regional Network of National Human Rights Institutions"},
}

// Seed creates the demo institution and its accounts in an empty store, and
// records each creation in the audit trail.
func Seed(ctx context.Context, d *db.DB, log *audit.Log) (Info, error) {
	var info Info
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM institutions").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrNotEmpty
		}
		in, err := access.CreateInstitution(ctx, tx, "Human Rights Commission of Vangoria (demo)", Country)
		if err != nil {
			return err
		}
		info.InstitutionID, info.Institution = in.ID, in.Name
		for _, s := range staff {
			u, err := access.CreateUser(ctx, tx, in.ID, access.NewUser{Username: s.username, DisplayName: s.name,
				Role: s.role, PartnerOf: s.partnerOf, Password: Password})
			if err != nil {
				return fmt.Errorf("demo user %s: %w", s.username, err)
			}
			if err := log.Append(ctx, tx, audit.Entry{Institution: in.ID, ActorName: "vigil demo", Action: "user.create",
				ObjectType: "user", ObjectID: u.ID, Detail: "role=" + string(s.role)}); err != nil {
				return err
			}
			info.Accounts = append(info.Accounts, Account{Username: s.username, Role: string(s.role)})
		}
		return nil
	})
	return info, err
}
