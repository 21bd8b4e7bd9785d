// Package forecast holds Vigil's statistical early-warning model: loading
// the Early Warning Project's country-year table, an elastic-net logistic
// regression solver that follows glmnet's algorithm step for step (so that
// its fits can be checked against the published ones), cross-validated
// choice of the penalty, the year-by-year back-test and the metrics the
// Early Warning Project reports (AUC, onsets in the top 30, false alarms per
// onset), and the alternative models judged in that same back-test.
//
// Nothing here touches the store or knows about institutions: it is pure
// numerical code fed from files, used by the command line and the web part.
package forecast
