// Package recommend is the recommendations tracker: what UN human rights
// mechanisms (the Universal Periodic Review, treaty bodies, special
// procedures, regional bodies) recommended to a State, how the State
// responded, and the institution's follow-up — actions with responsible
// institutions and due dates, the government's own account of
// implementation kept apart from the institution's independent assessment,
// and links to the risk-assessment indicators a recommendation bears on.
//
// What belongs here: the recommendation model and its storage queries, the
// importers of the UPR Info and UHRI exports ("upr-info", "uhri"), search
// (query language, full-text on both stores, facet counts), follow-up
// records, and the exports built from them (matrix by theme, draft of the
// atrocity-prevention section of a UPR submission). Web pages, CLI and demo
// data live in their own packages and call this one.
//
// # Who owns what
//
// Recommendations of UN mechanisms are public documents, the same for every
// institution, so they are shared by the instance like the country list
// (owner_institution ”) and imports run once for all tenants. The
// institution's own recommendations (mechanism "nhri", CreateOwn) belong to
// it alone and carry a sensitivity level; every read goes through a Scope.
// Follow-up actions, assessments and risk links carry institution_id and
// every query filters on it: one institution never sees another's work.
package recommend
