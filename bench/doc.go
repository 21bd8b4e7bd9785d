// Package bench holds benchmarks that measure Vigil as a whole program (a
// built binary, a real store) rather than one function. Results and the
// commands that produce them are recorded in docs/BENCHMARKS.md.
package bench
