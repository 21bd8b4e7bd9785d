// Package demo seeds a store with a demonstration institution for the
// fictional State of Vangoria (ISO 3166 user-assigned code XVG): its staff in
// every role, and, as later parts land, realistic but invented records in
// each part. Nothing here describes a real place or person.
package demo

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/fieldcrypt"
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

// Env is what a part's seeder gets: the demo institution, its users by
// role, the key ring for encrypted fields, and the audit log.
type Env struct {
	Institution access.Institution
	Users       map[access.Role]access.User
	Keys        *fieldcrypt.Keyring
	Audit       *audit.Log
}

// Seeder adds one part's demo records inside the seeding transaction.
type Seeder struct {
	Name  string
	Order int // seeders run in this order; parts that link to others come later
	Seed  func(ctx context.Context, tx *db.Tx, env Env) error
}

var seeders []Seeder

// Register adds a part's seeder; call it from the part's init in this package
// (one file per part: demo/risk.go, demo/recommend.go...).
func Register(s Seeder) {
	seeders = append(seeders, s)
	sort.SliceStable(seeders, func(i, j int) bool { return seeders[i].Order < seeders[j].Order })
}

// Seed creates the demo institution, its accounts and every registered
// part's records in an empty store, in one transaction, and records each
// account's creation in the audit trail.
func Seed(ctx context.Context, d *db.DB, keys *fieldcrypt.Keyring, log *audit.Log) (Info, error) {
	var info Info
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		info = Info{} // fn may run twice (db.Write): start from nothing
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
		env := Env{Institution: in, Users: map[access.Role]access.User{}, Keys: keys, Audit: log}
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
			env.Users[s.role] = u
		}
		for _, sd := range seeders {
			if err := sd.Seed(ctx, tx, env); err != nil {
				return fmt.Errorf("demo %s: %w", sd.Name, err)
			}
		}
		return nil
	})
	return info, err
}
