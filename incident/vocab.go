package incident

import (
	"errors"
	"fmt"
	"strings"
)

// Controlled vocabularies, shaped after the HURIDOCS micro-thesauri (types
// of acts, degrees of involvement, reliability, violation status) but kept
// short: these are the terms an NHRI monitoring atrocity risk counts by.
var (
	// ActTypes are the kinds of act recorded within an event.
	ActTypes = []string{"killing", "torture", "ill_treatment", "enforced_disappearance", "sexual_violence",
		"arbitrary_detention", "forced_displacement", "destruction_of_property", "attack_on_civilians",
		"attack_on_humanitarian_personnel", "incitement", "other"}
	// Violence classifies an event as a whole, after UCDP's three types plus
	// what an NHRI records itself.
	Violence = []string{"", "state_based", "non_state", "one_sided", "repression_of_protest", "other"}
	// Degrees of involvement of a perpetrator or unit in an act, from the
	// most direct to the most remote (command responsibility).
	Degrees = []string{"carried_out", "ordered", "planned", "present", "complicit", "failed_to_prevent",
		"failed_to_punish", "suspected", "unknown"}
	// Roles of a person or unit in an act.
	InvolvementRoles = []string{"victim", "witness", "perpetrator"}
	// Reliability of a source.
	Reliability = []string{"highly_reliable", "reliable", "fairly_reliable", "unreliable", "highly_unreliable", "unknown"}
	// SourceKinds of a source of information.
	SourceKinds = []string{"victim", "witness", "relative", "media", "ngo", "official", "dataset", "other"}
	// ViolationStatus is how far an act is established as a violation.
	ViolationStatus = []string{"confirmed", "likely", "possible", "unlikely", "not_a_violation", "unknown"}
	// Forces are the branches a unit belongs to; the impunity picture is
	// counted per unit and per force.
	Forces = []string{"police", "army", "gendarmerie", "intelligence", "prison_service", "militia", "other"}
	// UnitKinds distinguish formations from other organisations.
	UnitKinds = []string{"unit", "command", "ministry", "armed_group", "organisation"}
	// EventStatus is the monitoring status of an event.
	EventStatus = []string{"open", "monitoring", "closed"}
)

// DatePrecisions name date precision levels 1..5 (as UCDP's date_prec).
var DatePrecisions = []string{"", "exact day", "within a few days", "week known", "month known", "year known"}

// PlacePrecisions name place precision levels 1..7 (as UCDP's where_prec).
var PlacePrecisions = []string{"unknown", "exact place", "within 25 km", "second-level area", "first-level area",
	"between places", "country only", "international waters or airspace"}

// ErrNotFound is returned for a record that does not exist in the
// institution or that the reader may not see.
var ErrNotFound = errors.New("no such record, or your role does not allow you to see it")

// ValidationError is a mistake in what a user entered: pages show it and
// answer 400 rather than 500.
type ValidationError struct{ Msg string }

func (e ValidationError) Error() string { return e.Msg }

func invalid(format string, args ...any) error { return ValidationError{fmt.Sprintf(format, args...)} }

func oneOf(v string, allowed []string, field string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalid("%s %q: want one of %s", field, v, strings.Join(allowed, ", "))
}

// validDate checks a YYYY-MM-DD date.
func validDate(s, field string, required bool) error {
	if s == "" {
		if required {
			return invalid("%s is required (YYYY-MM-DD)", field)
		}
		return nil
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return invalid("%s %q: want YYYY-MM-DD", field, s)
	}
	for i, c := range s {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return invalid("%s %q: want YYYY-MM-DD", field, s)
		}
	}
	if s[5:7] < "01" || s[5:7] > "12" || s[8:10] < "01" || s[8:10] > "31" {
		return invalid("%s %q: not a date", field, s)
	}
	return nil
}
