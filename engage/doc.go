// Package engage holds the institution's work with others: partners
// (parliamentary committees, ministries, oversight bodies, civil society,
// media, UN offices and mechanisms, peer institutions and regional
// networks), their contacts (contact details encrypted with fieldcrypt and
// confidential by default), activities (briefings, submissions, visits,
// trainings, joint events, exchanges of good practice, proposals) with their
// status over time, the records of other parts they concern, outcomes and
// follow-up dates, the calendar, and the activity report to the UN Special
// Adviser's office.
//
// Every function takes the caller's transaction and institution and filters
// on it; readers are filtered by sensitivity through package sensitivity.
// Auditing is the caller's job, in the same transaction.
package engage
