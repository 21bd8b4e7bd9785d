// Package incident holds the documentation of violations after the HURIDOCS
// Events Standard Formats. So far it holds persons (victims, witnesses,
// sources, alleged perpetrators), whose identifying fields are encrypted at
// rest and confidential by default; events, acts, units, evidence and the
// accountability tracker are to come (issue 5).
package incident
