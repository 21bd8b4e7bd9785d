// Package risk holds Vigil's atrocity-risk assessment on the UN Framework of
// Analysis for Atrocity Crimes (2014): frameworks as versioned, editable data
// (risk factors and indicators, with whether each wording has been checked
// against the official text), assessments of one country for one period
// (per-indicator rating, direction, confidence, rationale and evidence),
// inhibitors, a watch-list of triggers and recommendations to the State, the
// roll-up rules that turn ratings into a level per risk factor and per crime
// (with written overrides), the workflow from draft to published, the
// comparison with the previous period and the heat map drawn as SVG, and the
// "framework" import kind.
//
// Rendering the annual report and the briefing note belongs to package
// report; pages and the JSON API to package web. Auditing is the caller's
// job: every function that changes a record runs in the caller's write
// transaction, and the caller appends the audit entry in the same one.
package risk
