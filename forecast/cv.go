package forecast

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// CVFit is a cross-validated elastic-net fit: the path on all training rows
// and the lambda with the smallest cross-validated deviance (glmnet's
// lambda.min).
type CVFit struct {
	Path    *Path
	CVM     []float64 // mean cross-validated binomial deviance per lambda
	CVSD    []float64 // its standard error
	MinStep int       // index of lambda.min in Path.Lambda
}

// LambdaMin is the chosen penalty.
func (f *CVFit) LambdaMin() float64 { return f.Path.Lambda[f.MinStep] }

// Intercept and Beta at lambda.min, on the original scale.
func (f *CVFit) Intercept() float64 { return f.Path.Intercept[f.MinStep] }

// Beta returns the coefficients at lambda.min.
func (f *CVFit) Beta() []float64 { return f.Path.Beta[f.MinStep] }

// Risk returns the predicted probability for one row of predictors.
func (f *CVFit) Risk(x []float64) float64 {
	return 1 / (1 + math.Exp(-f.Path.Link(f.MinStep, x)))
}

// Probabilities are clipped like cv.glmnet does before taking logs.
const cvProbMin = 1e-5

// FitCV does what cv.glmnet (glmnet 4.1) does with its defaults: fit the path
// on all rows; fit each fold's complement along its own automatic path (as
// cv.glmnet does: the fold fits do not reuse the full path's lambdas); score
// the held-out rows at every lambda of the full path, interpolating each
// fold's coefficients linearly in lambda the way predict.glmnet does; average
// the binomial deviance (each fold weighted by its size); and take the
// largest lambda with the smallest mean. foldID holds 1..K for every row.
// workers > 1 fits folds concurrently.
func FitCV(x Matrix, y []float64, foldID []int, opt PathOptions, workers int) (*CVFit, error) {
	full, err := FitPath(x, y, opt)
	if err != nil {
		return nil, err
	}
	nf := 0
	for _, f := range foldID {
		if f > nf {
			nf = f
		}
	}
	if nf < 3 {
		return nil, fmt.Errorf("forecast: cross-validation needs at least 3 folds, got %d", nf)
	}
	nl := len(full.Lambda)
	foldOpt := opt
	// dev[k][l]: mean deviance of fold k+1's held-out rows at lambda l.
	dev := make([][]float64, nf)
	size := make([]float64, nf)
	errs := make([]error, nf)
	if workers < 1 {
		workers = 1
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for k := 1; k <= nf; k++ {
		var in, outIdx []int
		for i, f := range foldID {
			if f == k {
				outIdx = append(outIdx, i)
			} else {
				in = append(in, i)
			}
		}
		size[k-1] = float64(len(outIdx))
		wg.Add(1)
		sem <- struct{}{}
		go func(k int, in, outIdx []int) {
			defer wg.Done()
			defer func() { <-sem }()
			p, err := FitPath(x.subset(in), pick(y, in), foldOpt)
			if err != nil {
				errs[k-1] = fmt.Errorf("fold %d: %w", k, err)
				return
			}
			d := make([]float64, nl)
			row := make([]float64, len(x.Cols))
			for l := 0; l < nl; l++ {
				a0, beta := p.At(full.Lambda[l])
				sum := 0.0
				for _, i := range outIdx {
					for j, c := range x.Cols {
						row[j] = c[i]
					}
					link := a0
					for j, b := range beta {
						link += b * row[j]
					}
					pr := 1 / (1 + math.Exp(-link))
					pr = math.Min(math.Max(pr, cvProbMin), 1-cvProbMin)
					if y[i] > 0 {
						sum += -2 * math.Log(pr)
					} else {
						sum += -2 * math.Log(1-pr)
					}
				}
				d[l] = sum / float64(len(outIdx))
			}
			dev[k-1] = d
		}(k, in, outIdx)
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return nil, e
		}
	}
	cv := &CVFit{Path: full, CVM: make([]float64, nl), CVSD: make([]float64, nl)}
	tot := 0.0
	for _, s := range size {
		tot += s
	}
	for l := 0; l < nl; l++ {
		m := 0.0
		for k := range dev {
			m += size[k] * dev[k][l]
		}
		m /= tot
		ss := 0.0
		for k := range dev {
			ss += size[k] * (dev[k][l] - m) * (dev[k][l] - m)
		}
		cv.CVM[l] = m
		cv.CVSD[l] = math.Sqrt(ss / tot / float64(nf-1))
	}
	for l := 1; l < nl; l++ {
		if cv.CVM[l] < cv.CVM[cv.MinStep] {
			cv.MinStep = l
		}
	}
	return cv, nil
}

// RandomFolds assigns n rows to k folds of (nearly) equal size in a random
// order drawn from seed, the way sample(rep(1:k, length = n)) does (but not
// with R's generator: use a folds file to match R exactly).
func RandomFolds(n, k int, seed uint64) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i%k + 1
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	rng.Shuffle(n, func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids
}

func (m Matrix) subset(idx []int) Matrix {
	out := Matrix{N: len(idx), Cols: make([][]float64, len(m.Cols))}
	for j, c := range m.Cols {
		out.Cols[j] = pick(c, idx)
	}
	return out
}

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, k := range idx {
		out[i] = v[k]
	}
	return out
}

// At returns the intercept and coefficients at lambda s, interpolating
// linearly between the two nearest lambdas of the path (and holding the end
// values beyond it), with the arithmetic of glmnet's lambda.interp so that
// cross-validation matches cv.glmnet.
func (p *Path) At(s float64) (float64, []float64) {
	k := len(p.Lambda)
	if k == 1 {
		return p.Intercept[0], p.Beta[0]
	}
	first, last := p.Lambda[0], p.Lambda[k-1]
	// Normalise the path to [0, 1] (0 = first, 1 = last lambda).
	norm := make([]float64, k)
	for i, l := range p.Lambda {
		norm[i] = (first - l) / (first - last)
	}
	f := (first - s) / (first - last)
	f = math.Max(f, minOf(norm))
	f = math.Min(f, maxOf(norm))
	coord := approx(norm, f) // 1-based fractional position on the path
	left, right := int(math.Floor(coord))-1, int(math.Ceil(coord))-1
	frac := (f - norm[right]) / (norm[left] - norm[right])
	if left == right || math.Abs(norm[left]-norm[right]) < 2.220446049250313e-16 {
		frac = 1
	}
	a0 := p.Intercept[left]*frac + p.Intercept[right]*(1-frac)
	beta := make([]float64, len(p.Beta[left]))
	for j := range beta {
		beta[j] = p.Beta[left][j]*frac + p.Beta[right][j]*(1-frac)
	}
	return a0, beta
}

// approx interpolates the positions 1..len(x) linearly at v, with the
// bisection and end rules of R's approx().
func approx(x []float64, v float64) float64 {
	i, j := 0, len(x)-1
	if v < x[i] {
		return 1
	}
	if v > x[j] {
		return float64(j + 1)
	}
	for i < j-1 {
		ij := (i + j) / 2
		if v < x[ij] {
			j = ij
		} else {
			i = ij
		}
	}
	if v == x[j] {
		return float64(j + 1)
	}
	if v == x[i] {
		return float64(i + 1)
	}
	return float64(i+1) + float64(j-i)*((v-x[i])/(x[j]-x[i]))
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}
