//go:build !amd64

package forecast

func dot(a, b []float64) float64 { return dotGo(a, b) }

func axpy(alpha float64, x, y []float64) { axpyGo(alpha, x, y) }
