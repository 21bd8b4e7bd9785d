package access

import (
	"fmt"

	"vigil/sensitivity"
)

// Role is what a user may do within their institution.
type Role string

const (
	Administrator Role = "administrator" // users, settings, everything an analyst can do
	Analyst       Role = "analyst"       // risk assessment, reports, recommendations, treaties
	Documenter    Role = "documenter"    // incidents, persons, evidence
	Reviewer      Role = "reviewer"      // signs off reports, browses the audit trail
	Viewer        Role = "viewer"        // reads internal records
	Partner       Role = "partner"       // another institution's staff: shared records only
)

// Roles lists every role, for forms and for the authorization test.
var Roles = []Role{Administrator, Analyst, Documenter, Reviewer, Viewer, Partner}

// Staff is every role held by the institution's own people.
var Staff = []Role{Administrator, Analyst, Documenter, Reviewer, Viewer}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: want one of administrator, analyst, documenter, reviewer, viewer, partner", s)
}

// Clearance is the most sensitive level a role may read. Confidential data
// (identities of victims, witnesses, sources) is for the people who handle it
// and those who answer for it; viewers see internal records; partners only
// what was shared at partners level.
func (r Role) Clearance() sensitivity.Level {
	switch r {
	case Administrator, Documenter, Reviewer, Analyst:
		return sensitivity.Confidential
	case Viewer:
		return sensitivity.Internal
	case Partner:
		return sensitivity.Partners
	}
	return 0
}

// In reports whether r is one of roles.
func (r Role) In(roles ...Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}
