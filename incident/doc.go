// Package incident holds the documentation of violations after the HURIDOCS
// Events Standard Formats and what follows them: events (place and date with
// their precision), acts within events typed from a controlled vocabulary,
// persons (victims, witnesses, sources, alleged perpetrators) whose
// identifying fields are encrypted at rest and confidential by default,
// security-force units in a hierarchy with commanders over time, the
// involvement of persons and units in acts (degree, from ordering to failing
// to prevent), sources with their reliability, links from acts to
// risk-assessment indicators, evidence files with their chain of custody,
// the accountability and redress tracker (complaint to reparation), the
// figures that make the impunity picture, and the UCDP GED and ACLED import
// kinds. Storage of evidence bytes is package blob's.
package incident
