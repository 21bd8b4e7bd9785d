// Package treaty monitors the State's ratification and implementation of the
// instruments of international human rights, humanitarian and criminal law:
// the catalogue of instruments (keyed by a short id such as "cat", with the
// UN Treaty Collection number), each State's participation (signature,
// consent to be bound, withdrawal, with the source and "as of" date of every
// value and a history row when an imported value changes), reservations and
// declarations with their text, the optional procedures (individual
// complaints, inquiry, inter-State) that a person confirms from a
// declaration's text, the implementation checklist an institution fills in
// with evidence, the gap analysis that links each gap to Framework of
// Analysis indicators by code, comparisons with the region and the world
// (with SVG charts drawn here), CSV/XLSX export, and the "untc" import kind.
//
// Catalogue, participation and declarations are reference data shared by
// the instance; acceptances and the checklist belong to one institution.
// Pages and the JSON API belong to package web, and auditing is the
// caller's job for every function that runs in the caller's transaction.
package treaty
