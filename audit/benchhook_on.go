//go:build vigil_bench

package audit

import "sync/atomic"

var benchSkip atomic.Bool

func skipForBench() bool { return benchSkip.Load() }

// SkipForBenchmark makes Append write nothing while on is set, so that a
// benchmark can time the same request with and without its audit entry.
// It exists only in builds with the vigil_bench tag, which no release or
// deployment uses: an audit trail with holes in it must not be possible to
// switch on in a server.
func SkipForBenchmark(on bool) { benchSkip.Store(on) }
