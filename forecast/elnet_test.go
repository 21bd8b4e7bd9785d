package forecast

import (
	"math"
	"math/rand/v2"
	"testing"
)

// synthetic draws a logistic problem with known true coefficients.
func synthetic(n int, beta []float64, b0 float64, seed uint64) (Matrix, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := Matrix{N: n, Cols: make([][]float64, len(beta))}
	for j := range beta {
		x.Cols[j] = make([]float64, n)
		for i := range x.Cols[j] {
			x.Cols[j][i] = rng.NormFloat64()*float64(j+1) + float64(j) // different scales and means
		}
	}
	y := make([]float64, n)
	for i := range y {
		eta := b0
		for j, b := range beta {
			eta += b * x.Cols[j][i]
		}
		if rng.Float64() < 1/(1+math.Exp(-eta)) {
			y[i] = 1
		}
	}
	return x, y
}

// newtonMLE is plain unpenalised logistic regression by Newton's method, to
// check the solver against at a vanishing penalty.
func newtonMLE(x Matrix, y []float64) []float64 {
	p := len(x.Cols) + 1
	b := make([]float64, p)
	row := func(i int) []float64 {
		r := make([]float64, p)
		r[0] = 1
		for j, c := range x.Cols {
			r[j+1] = c[i]
		}
		return r
	}
	for it := 0; it < 50; it++ {
		g := make([]float64, p)
		h := make([][]float64, p)
		for k := range h {
			h[k] = make([]float64, p)
		}
		for i := 0; i < x.N; i++ {
			r := row(i)
			pr := 1 / (1 + math.Exp(-dot(r, b)))
			for a := 0; a < p; a++ {
				g[a] += r[a] * (y[i] - pr)
				for c := 0; c < p; c++ {
					h[a][c] += r[a] * r[c] * pr * (1 - pr)
				}
			}
		}
		step := solve(h, g)
		for k := range b {
			b[k] += step[k]
		}
	}
	return b
}

// solve does Gaussian elimination with partial pivoting on a small system.
func solve(a [][]float64, rhs []float64) []float64 {
	n := len(rhs)
	m := make([][]float64, n)
	for i := range m {
		m[i] = append(append([]float64(nil), a[i]...), rhs[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	out := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * out[k]
		}
		out[r] = s / m[r][r]
	}
	return out
}

func TestPathStartsAtInterceptOnly(t *testing.T) {
	x, y := synthetic(400, []float64{0.8, -0.3, 0}, -1, 7)
	p, err := FitPath(x, y, PathOptions{Alpha: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	mean := 0.0
	for _, v := range y {
		mean += v / float64(len(y))
	}
	if got, want := p.Intercept[0], math.Log(mean/(1-mean)); math.Abs(got-want) > 1e-12 {
		t.Errorf("first intercept %v, want logit of the mean %v", got, want)
	}
	for j, b := range p.Beta[0] {
		if b != 0 {
			t.Errorf("coefficient %d is %v at the first lambda", j, b)
		}
	}
	// The first lambda is the smallest that keeps every coefficient at
	// zero: max_j |<x_j standardised, y - mean>| / N / alpha.
	lmax := 0.0
	for _, c := range x.Cols {
		m, s := 0.0, 0.0
		for _, v := range c {
			m += v / float64(x.N)
		}
		for _, v := range c {
			s += (v - m) * (v - m) / float64(x.N)
		}
		g := 0.0
		for i, v := range c {
			g += (v - m) / math.Sqrt(s) * (y[i] - mean) / float64(x.N)
		}
		lmax = math.Max(lmax, math.Abs(g)/0.5)
	}
	if math.Abs(p.Lambda[0]-lmax) > 1e-12*lmax {
		t.Errorf("first lambda %v, want %v", p.Lambda[0], lmax)
	}
	nz := 0
	for _, b := range p.Beta[1] {
		if b != 0 {
			nz++
		}
	}
	if nz == 0 {
		t.Error("no variable entered at the second lambda")
	}
	if r := p.Lambda[len(p.Lambda)-1] / p.Lambda[0]; len(p.Lambda) == 100 && math.Abs(r-1e-4) > 1e-12 {
		t.Errorf("a full path ends at %v of its start, want 1e-4", r)
	}
}

func TestVanishingPenaltyGivesMaximumLikelihood(t *testing.T) {
	x, y := synthetic(600, []float64{0.7, -0.4, 0.2}, -0.5, 11)
	want := newtonMLE(x, y)
	p, err := FitPath(x, y, PathOptions{Alpha: 0.5, Lambdas: []float64{0.1, 0.01, 1e-4, 1e-7, 1e-10}, Thresh: 1e-14})
	if err != nil {
		t.Fatal(err)
	}
	k := len(p.Lambda) - 1
	if d := math.Abs(p.Intercept[k] - want[0]); d > 1e-5 {
		t.Errorf("intercept %v, maximum likelihood %v", p.Intercept[k], want[0])
	}
	for j := range x.Cols {
		if d := math.Abs(p.Beta[k][j] - want[j+1]); d > 1e-5 {
			t.Errorf("coefficient %d: %v, maximum likelihood %v", j, p.Beta[k][j], want[j+1])
		}
	}
}

// TestKKT checks the optimality conditions of the penalised problem at an
// intermediate lambda, on the standardised scale where the penalty acts.
func TestKKT(t *testing.T) {
	x, y := synthetic(500, []float64{0.9, 0, -0.5, 0, 0.05}, -1, 3)
	p, err := FitPath(x, y, PathOptions{Alpha: 0.5, Thresh: 1e-14})
	if err != nil {
		t.Fatal(err)
	}
	k := len(p.Lambda) / 3
	lam, alpha := p.Lambda[k], 0.5
	n := float64(x.N)
	row := make([]float64, len(x.Cols))
	resid := make([]float64, x.N)
	for i := range resid {
		for j, c := range x.Cols {
			row[j] = c[i]
		}
		resid[i] = y[i] - 1/(1+math.Exp(-p.Link(k, row)))
	}
	sumR := 0.0
	for _, r := range resid {
		sumR += r / n
	}
	if math.Abs(sumR) > 1e-8 {
		t.Errorf("intercept not optimal: mean residual %v", sumR)
	}
	zero, nonzero := 0, 0
	for j, c := range x.Cols {
		m, s := 0.0, 0.0
		for _, v := range c {
			m += v / n
		}
		for _, v := range c {
			s += (v - m) * (v - m) / n
		}
		sd := math.Sqrt(s)
		g := 0.0
		for i, v := range c {
			g += (v - m) / sd * resid[i] / n
		}
		bstd := p.Beta[k][j] * sd
		if bstd == 0 {
			zero++
			if math.Abs(g) > alpha*lam+1e-8 {
				t.Errorf("variable %d is zero but its gradient %v exceeds %v", j, g, alpha*lam)
			}
			continue
		}
		nonzero++
		if d := g - lam*(1-alpha)*bstd - alpha*lam*math.Copysign(1, bstd); math.Abs(d) > 1e-6 {
			t.Errorf("variable %d: stationarity off by %v", j, d)
		}
	}
	if zero == 0 || nonzero == 0 {
		t.Logf("lambda %v leaves %d zero and %d non-zero coefficients", lam, zero, nonzero)
	}
}

func TestConstantColumnIsLeftOut(t *testing.T) {
	x, y := synthetic(300, []float64{0.8, 0}, -0.5, 5)
	for i := range x.Cols[1] {
		x.Cols[1][i] = 3
	}
	p, err := FitPath(x, y, PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for k := range p.Lambda {
		if p.Beta[k][1] != 0 {
			t.Fatalf("constant column got coefficient %v", p.Beta[k][1])
		}
	}
	if _, err := FitPath(x, make([]float64, x.N), PathOptions{}); err != ErrConstantOutcome {
		t.Errorf("all-zero outcome: got %v, want ErrConstantOutcome", err)
	}
}

func TestPathAtInterpolates(t *testing.T) {
	p := &Path{
		Lambda:    []float64{1, 0.5, 0.25},
		Intercept: []float64{0, 1, 2},
		Beta:      [][]float64{{0}, {2}, {4}},
	}
	for _, c := range []struct{ s, a0, b float64 }{
		{2, 0, 0}, {1, 0, 0}, {0.75, 0.5, 1}, {0.5, 1, 2}, {0.375, 1.5, 3}, {0.1, 2, 4},
	} {
		a0, b := p.At(c.s)
		if math.Abs(a0-c.a0) > 1e-12 || math.Abs(b[0]-c.b) > 1e-12 {
			t.Errorf("At(%v) = %v, %v; want %v, %v", c.s, a0, b[0], c.a0, c.b)
		}
	}
}

func TestEvaluate(t *testing.T) {
	rows := []BacktestRow{
		{Onset: 1, MaxRisk: 0.9, MinRank: 1},
		{Onset: 0, MaxRisk: 0.9, MinRank: 1}, // tie with the onset
		{Onset: 0, MaxRisk: 0.5, MinRank: 3},
		{Onset: 1, MaxRisk: 0.01, MinRank: 40},
		{Onset: 0, MaxRisk: 0.001, MinRank: 41},
		{Onset: 1, MaxRisk: math.NaN(), MinRank: 0}, // no forecast: counts as a miss, not in the AUC
		{Onset: math.NaN(), MaxRisk: 0.2, MinRank: 5},
	}
	m := Evaluate(rows, 0.04)
	// Positives 0.9 and 0.01 against negatives 0.9, 0.5, 0.001:
	// 0.9 beats two and ties one (0.5), 0.01 beats one: (2.5 + 1) / 6.
	if want := 3.5 / 6; math.Abs(m.AUC-want) > 1e-12 {
		t.Errorf("AUC %v, want %v", m.AUC, want)
	}
	if m.Onsets != 3 || m.OnsetsInTop30 != 1 {
		t.Errorf("onsets %d in top 30 %d, want 3 and 1", m.Onsets, m.OnsetsInTop30)
	}
	if m.FalseAlarmsPerOnset != 2 {
		t.Errorf("false alarms per onset %v, want 2", m.FalseAlarmsPerOnset)
	}
	s := []Score{{Risk: 0.1}, {Risk: 0.3}, {Risk: 0.1}, {Risk: 0.05}}
	rankScores(s)
	if s[0].Rank != 2 || s[1].Rank != 1 || s[2].Rank != 2 || s[3].Rank != 4 {
		t.Errorf("ranks %v, want ties sharing the better rank", s)
	}
}

func TestRandomFoldsAreBalanced(t *testing.T) {
	ids := RandomFolds(103, 10, 1)
	count := map[int]int{}
	for _, f := range ids {
		count[f]++
	}
	for k := 1; k <= 10; k++ {
		if count[k] < 10 || count[k] > 11 {
			t.Errorf("fold %d has %d rows", k, count[k])
		}
	}
}

func TestKernelsMatchPlainLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{0, 1, 3, 4, 5, 15, 16, 17, 33, 1001} {
		a := make([]float64, n)
		b := make([]float64, n)
		for i := range a {
			a[i], b[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		want := 0.0
		for i := range a {
			want += a[i] * b[i]
		}
		if got := dot(a, b); math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
			t.Errorf("n=%d: dot %v, want %v", n, got, want)
		}
		y := append([]float64(nil), b...)
		axpy(-0.7, a, y)
		for i := range y {
			if w := b[i] - 0.7*a[i]; math.Abs(y[i]-w) > 1e-14 {
				t.Errorf("n=%d: axpy[%d] %v, want %v", n, i, y[i], w)
				break
			}
		}
	}
}

func TestShiftsFlipAndMedian(t *testing.T) {
	d := &Dataset{Vars: []string{"flag", "level", "year"}}
	for i := 0; i < 9; i++ {
		d.Rows = append(d.Rows, Row{X: []float64{float64(i % 2), float64(i), 2000}})
	}
	train := []int{0, 1, 2, 3, 4, 5, 6, 7, 8}
	// risk rises with both variables
	score := func(x []float64) float64 { return 1 / (1 + math.Exp(-(x[0] + 0.1*x[1] - 3))) }
	s := Shifts(d, train, score, []float64{1, 8, 2000})
	if len(s) != 2 {
		t.Fatalf("shifts %+v", s)
	}
	if s[0].Variable != "flag" || s[0].To != 0 || s[0].Delta >= 0 {
		t.Errorf("first shift %+v, want the flag flipped to 0 lowering the risk", s[0])
	}
	if s[1].Variable != "level" || s[1].To != 4 {
		t.Errorf("second shift %+v, want level set to its median 4", s[1])
	}
}
