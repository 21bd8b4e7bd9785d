package risk

import (
	"errors"
	"fmt"
	"slices"

	"vigil/sensitivity"
)

// Ratings an indicator can receive, from none to the highest. NotAssessed
// means the analyst has not (yet) looked, which is not the same as absent.
const (
	NotAssessed = "not_assessed"
	NotPresent  = "not_present"
	Low         = "low"
	Moderate    = "moderate"
	High        = "high"
)

// RatingValues lists the ratings in form order.
var RatingValues = []string{NotAssessed, NotPresent, Low, Moderate, High}

// LevelValues are the levels a roll-up or an override can take.
var LevelValues = []string{NotPresent, Low, Moderate, High}

// Directions of change since the previous period.
var Directions = []string{"unknown", "new", "worse", "same", "better"}

// Confidences an analyst can state in a rating.
var Confidences = []string{"low", "medium", "high"}

// Crimes are the three legal categories the specific risk factors bear on,
// with the numbers of their two specific factors in the Framework.
var Crimes = []Crime{
	{"genocide", []int{9, 10}},
	{"crimes_against_humanity", []int{11, 12}},
	{"war_crimes", []int{13, 14}},
}

// Crime is one atrocity crime and its specific risk factors.
type Crime struct {
	Key     string
	Factors []int
}

// AppliesTo values of a risk factor.
var AppliesTo = []string{"all", "genocide", "crimes_against_humanity", "war_crimes", "national"}

// Statuses of an assessment, in workflow order. Superseded marks a published
// version replaced by a correction.
const (
	Draft      = "draft"
	InReview   = "in_review"
	Approved   = "approved"
	Published  = "published"
	Superseded = "superseded"
)

// ItemKinds are the parts of an assessment besides ratings.
var ItemKinds = []string{"inhibitor", "trigger", "recommendation"}

// Strengths of an inhibitor.
var Strengths = []string{"weak", "moderate", "strong"}

var (
	// ErrNotFound: no such record in the institution, or above the reader's clearance.
	ErrNotFound = errors.New("no such record")
	// ErrFrozen: the assessment is not a draft, so it cannot be edited.
	ErrFrozen = errors.New("this assessment is not a draft: it cannot be changed (a published assessment is corrected by a new version)")
	// ErrState: the workflow step does not apply to the assessment's status.
	ErrState = errors.New("this step does not apply to the assessment in its current status")
	// ErrForbidden: the role may not take this workflow step.
	ErrForbidden = errors.New("your role may not take this step")
)

// InputError is a mistake in what the user entered; pages show it as is.
type InputError struct{ Msg string }

func (e InputError) Error() string { return e.Msg }

func inputf(format string, a ...any) error { return InputError{fmt.Sprintf(format, a...)} }

func oneOf(v string, allowed []string, field string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return inputf("%s %q is not one of %v", field, v, allowed)
}

// score orders ratings: not assessed -1, not present 0 .. high 3.
func score(r string) int {
	switch r {
	case NotPresent:
		return 0
	case Low:
		return 1
	case Moderate:
		return 2
	case High:
		return 3
	}
	return -1
}

func levelOf(s int) string {
	switch {
	case s <= -1:
		return NotAssessed
	case s == 0:
		return NotPresent
	case s == 1:
		return Low
	case s == 2:
		return Moderate
	}
	return High
}

func parseLevel(v string) (sensitivity.Level, error) {
	if v == "" {
		return 0, nil
	}
	return sensitivity.Parse(v)
}

func validLevel(l sensitivity.Level, def sensitivity.Level) (sensitivity.Level, error) {
	if l == 0 {
		return def, nil
	}
	if !l.Valid() {
		return 0, inputf("sensitivity %d is not a level", l)
	}
	return l, nil
}

var _ = parseLevel
