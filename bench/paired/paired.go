// Package paired measures what one optional step adds to an operation, for
// benchmarks of the audit entry's cost (incident and web). It is imported by
// test code only.
package paired

import (
	"slices"
	"testing"
	"time"
)

// Run benchmarks op without and with the step as three sub-benchmarks:
// "plain" and "with-audit" one after the other, and "paired", which
// alternates the two in one loop (plain first on even iterations, audited
// first on odd ones) so both see the same load and table sizes, and reports
// the mean and the median of each kind (unit names the operation in the
// metric, "write" or "request") and the share the step adds to each.
func Run(b *testing.B, unit string, op func(b *testing.B, audited bool)) {
	for _, mode := range []string{"plain", "with-audit"} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				op(b, mode == "with-audit")
			}
		})
	}
	b.Run("paired", func(b *testing.B) {
		var spent [2][]time.Duration // plain, audited
		i := 0
		for b.Loop() {
			for k := range 2 {
				audited := (i+k)%2 == 1
				t0 := time.Now()
				op(b, audited)
				if audited {
					spent[1] = append(spent[1], time.Since(t0))
				} else {
					spent[0] = append(spent[0], time.Since(t0))
				}
			}
			i++
		}
		report(b, unit, spent)
	})
}

// report gives the mean and the median time of each kind and the share
// the step adds. The median is the steadier figure on a shared machine: a
// descheduled moment or a WAL checkpoint lands on one operation and moves
// the mean of its kind alone.
func report(b *testing.B, unit string, spent [2][]time.Duration) {
	var mean, median [2]float64
	for k, ds := range spent {
		if len(ds) == 0 {
			return
		}
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		mean[k] = float64(sum.Nanoseconds()) / float64(len(ds))
		slices.Sort(ds)
		median[k] = float64(ds[len(ds)/2].Nanoseconds())
	}
	b.ReportMetric(mean[0], "plain-ns/"+unit)
	b.ReportMetric(mean[1], "audited-ns/"+unit)
	b.ReportMetric(100*(mean[1]-mean[0])/mean[0], "audit-%")
	b.ReportMetric(median[0], "plain-median-ns")
	b.ReportMetric(median[1], "audited-median-ns")
	b.ReportMetric(100*(median[1]-median[0])/median[0], "audit-median-%")
}
