package forecast

import "golang.org/x/sys/cpu"

// On processors with AVX2 and FMA the two hot loops run in assembly
// (kernels_amd64.s), four doubles at a time with fused multiply-adds.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func dotAVX2(a, b *float64, n int) float64

//go:noescape
func axpyAVX2(alpha float64, x, y *float64, n int)

// dot returns the inner product of a and b (len(b) >= len(a)).
func dot(a, b []float64) float64 {
	n := len(a)
	if n == 0 {
		return 0
	}
	if useAVX2 {
		_ = b[n-1]
		return dotAVX2(&a[0], &b[0], n)
	}
	return dotGo(a, b)
}

// axpy adds alpha*x to y (len(x) >= len(y)).
func axpy(alpha float64, x, y []float64) {
	n := len(y)
	if n == 0 {
		return
	}
	if useAVX2 {
		_ = x[n-1]
		axpyAVX2(alpha, &x[0], &y[0], n)
		return
	}
	axpyGo(alpha, x, y)
}
