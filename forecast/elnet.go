package forecast

import (
	"errors"
	"fmt"
	"math"
)

// This file is the elastic-net solver for the binomial likelihood. It follows
// the algorithm of glmnet's Fortran routine for two-class logistic regression
// (Friedman, Hastie and Tibshirani 2010, "Regularization paths for
// generalized linear models via coordinate descent") with glmnet's default
// settings, so that a fit here can be compared number for number with one
// made by R's glmnet:
//
//   - every observation weighs 1/N;
//   - each predictor is centred and divided by its population standard
//     deviation (weighted by 1/N), coefficients are reported on the original
//     scale; predictors that do not vary are left out;
//   - the intercept is not penalised;
//   - the penalty is lambda * (alpha*|b| + (1-alpha)/2 * b^2);
//   - an outer loop makes the quadratic (IRLS) approximation of the
//     log-likelihood at the current fit; inner loops run coordinate descent on
//     it, first over the "strong set", then repeatedly over the variables that
//     are active until they settle, then over the strong set again;
//   - a pass has converged when no coefficient moved by more than
//     thresh * null deviance, measured as (weight sum) * change^2;
//   - the sequential strong rule picks the variables to visit, and the
//     Karush-Kuhn-Tucker conditions are checked on the others before a
//     lambda is accepted;
//   - the automatic path starts at the smallest lambda that keeps every
//     coefficient at zero and falls geometrically to lambdaMinRatio times it
//     in nlambda steps, stopping early when the deviance explained exceeds
//     0.999 or improves by less than 1e-5 from one step to the next (from the
//     fifth step on).

// Constants of glmnet's defaults (glmnet.control).
const (
	fdevMin   = 1e-5   // smallest relative improvement in deviance explained before the path stops
	epsLambda = 1e-6   // smallest lambdaMinRatio allowed
	bigLambda = 9.9e35 // stands for "infinity" as the first lambda of an automatic path
	minSteps  = 5      // the path never stops before this many lambdas
	devMax    = 0.999  // the path stops once this share of the deviance is explained
	pMin      = 1e-9   // fitted probabilities are kept in [pMin, 1-pMin]
)

// PathOptions are the settings of one elastic-net path fit. The zero value
// gives glmnet's defaults with alpha = 0.5.
type PathOptions struct {
	Alpha          float64   // mixing: 1 lasso, 0 ridge; 0 means the default 0.5
	Lambdas        []float64 // a given decreasing sequence; nil computes the path
	NLambda        int       // length of a computed path (default 100)
	LambdaMinRatio float64   // end of a computed path relative to its start (default 1e-4 when N > p, else 0.01)
	Thresh         float64   // convergence threshold (default 1e-7)
	MaxPasses      int       // limit on coordinate-descent passes over all lambdas (default 1e5)
}

// Path is a fitted regularisation path. Coefficients are on the original
// scale of the predictors.
type Path struct {
	Lambda    []float64
	Intercept []float64
	Beta      [][]float64 // Beta[k][j]: coefficient of predictor j at Lambda[k]
	DevRatio  []float64   // share of the null deviance explained
	Passes    int
}

// Link returns intercept + x·beta at step k.
func (p *Path) Link(k int, x []float64) float64 {
	s := p.Intercept[k]
	for j, b := range p.Beta[k] {
		if b != 0 {
			s += b * x[j]
		}
	}
	return s
}

// Matrix is a column-major design matrix: Cols[j][i] is predictor j of
// observation i.
type Matrix struct {
	N    int
	Cols [][]float64
}

// ErrConstantOutcome is returned when the outcome (nearly) never or always
// happens, so no logistic model can be fitted.
var ErrConstantOutcome = errors.New("forecast: the outcome is (nearly) constant in the training rows")

// FitPath fits the elastic-net logistic regression of y (0/1) on x along a
// lambda path.
func FitPath(x Matrix, y []float64, opt PathOptions) (*Path, error) {
	n, ni := x.N, len(x.Cols)
	if n == 0 || len(y) != n {
		return nil, fmt.Errorf("forecast: %d outcomes for %d observations", len(y), n)
	}
	alpha := opt.Alpha
	if alpha == 0 {
		alpha = 0.5
	}
	thr := opt.Thresh
	if thr == 0 {
		thr = 1e-7
	}
	maxit := opt.MaxPasses
	if maxit == 0 {
		maxit = 100000
	}
	nlam := opt.NLambda
	if nlam == 0 {
		nlam = 100
	}
	flmin := opt.LambdaMinRatio
	if flmin == 0 {
		flmin = 1e-4
		if n <= ni {
			flmin = 0.01
		}
	}
	var ulam []float64
	if opt.Lambdas != nil {
		ulam = opt.Lambdas
		nlam = len(ulam)
		flmin = 1 // glmnet's signal for "lambdas given"
	}

	// Standardise: centre and scale every column by its weighted mean and
	// population standard deviation. ju[j] is false for a constant column.
	w := 1 / float64(n)
	xs := make([][]float64, ni)
	xm := make([]float64, ni)
	sd := make([]float64, ni)
	ju := make([]bool, ni)
	for j, c := range x.Cols {
		for _, v := range c {
			if v != c[0] {
				ju[j] = true
				break
			}
		}
		if !ju[j] {
			continue
		}
		m := 0.0
		for _, v := range c {
			m += w * v
		}
		z := make([]float64, n)
		s := 0.0
		for i, v := range c {
			z[i] = v - m
			s += w * z[i] * z[i]
		}
		s = math.Sqrt(s)
		for i := range z {
			z[i] /= s
		}
		xm[j], sd[j], xs[j] = m, s, z
	}

	// Start from the intercept-only model.
	q0 := 0.0
	for _, v := range y {
		q0 += w * v
	}
	if q0 <= pMin || q0 >= 1-pMin {
		return nil, ErrConstantOutcome
	}
	fmax := math.Log(1/pMin - 1)
	fmin := -fmax
	vmin := (1 + pMin) * pMin * (1 - pMin)
	bz := math.Log(q0 / (1 - q0))
	b := make([]float64, ni)  // standardised coefficients
	bs := make([]float64, ni) // coefficients at the start of an outer iteration
	b0 := bz
	v := make([]float64, n) // IRLS weights w*q*(1-q)
	r := make([]float64, n) // weighted residuals w*(y-q)
	q := make([]float64, n)
	for i := range v {
		v[i] = q0 * (1 - q0) * w
		r[i] = w * (y[i] - q0)
		q[i] = q0
	}
	xmz := q0 * (1 - q0)
	dev1 := -(bz*q0 + math.Log(1-q0)) // null deviance / 2 per unit weight
	dev0 := dev1
	for i := range y {
		if y[i] > 0 {
			dev0 += w * y[i] * math.Log(y[i])
		}
		if y[i] < 1 {
			dev0 += w * (1 - y[i]) * math.Log(1-y[i])
		}
	}
	alf := 1.0
	if flmin < 1 {
		alf = math.Pow(math.Max(epsLambda, flmin), 1/float64(nlam-1))
	}
	shr := thr * dev0
	xv := make([]float64, ni)
	vx := make([][]float64, ni) // v times each standardised column
	eta := make([]float64, n)   // linear predictor
	ga := make([]float64, ni)   // |gradient| used by the strong rule
	strong := make([]bool, ni)
	inActive := make([]bool, ni)
	var active []int // variables that have ever been non-zero, in order of entry
	for j := 0; j < ni; j++ {
		if ju[j] {
			ga[j] = math.Abs(dot(r, xs[j]))
		}
	}

	out := &Path{}
	nlp := 0
	al := 0.0
	devPrev := 0.0
	for ilm := 0; ilm < nlam; ilm++ {
		al0 := al
		switch {
		case flmin >= 1:
			al = ulam[ilm]
		case ilm > 1:
			al *= alf
		case ilm == 0:
			al = bigLambda
		default:
			al0 = 0
			for j := 0; j < ni; j++ {
				if ju[j] {
					al0 = math.Max(al0, ga[j])
				}
			}
			al0 /= math.Max(alpha, 1e-3)
			al = alf * al0
		}
		al2 := al * (1 - alpha)
		al1 := al * alpha
		// Sequential strong rule: visit a variable once its gradient is
		// above alpha*(2*lambda - previous lambda).
		tlam := alpha * (2*al - al0)
		for k := 0; k < ni; k++ {
			if !strong[k] && ju[k] && ga[k] > tlam {
				strong[k] = true
			}
		}
		// update performs one coordinate step on variable k and reports
		// the weighted squared change.
		update := func(k int) float64 {
			bk := b[k]
			u := dot(r, xs[k]) + xv[k]*bk
			au := math.Abs(u) - al1
			if au <= 0 {
				b[k] = 0
			} else {
				b[k] = math.Copysign(au, u) / (xv[k] + al2)
			}
			d := b[k] - bk
			if d == 0 {
				return 0
			}
			axpy(-d, vx[k], r)
			return xv[k] * d * d
		}
		intercept := func() float64 {
			d := sum(r) / xmz
			if d == 0 {
				return 0
			}
			b0 += d
			axpy(-d, v, r)
			return xmz * d * d
		}
		for { // outer (IRLS) iterations
			bs0 := b0
			for _, k := range active {
				bs[k] = b[k]
			}
			// The IRLS weights stay fixed until the next outer iteration,
			// so each visited column's product with them is kept.
			for k := 0; k < ni; k++ {
				if strong[k] {
					if vx[k] == nil {
						vx[k] = make([]float64, n)
					}
					mul(vx[k], v, xs[k])
					xv[k] = dot(vx[k], xs[k])
				}
			}
			for {
				nlp++
				dlx := 0.0
				for k := 0; k < ni; k++ {
					if !strong[k] {
						continue
					}
					dlx = math.Max(dlx, update(k))
					if b[k] != 0 && !inActive[k] {
						inActive[k] = true
						active = append(active, k)
					}
				}
				dlx = math.Max(dlx, intercept())
				if dlx < shr {
					break
				}
				if nlp > maxit {
					return nil, fmt.Errorf("forecast: no convergence within %d passes at lambda %d", maxit, ilm+1)
				}
				for {
					nlp++
					dlx := 0.0
					for _, k := range active {
						dlx = math.Max(dlx, update(k))
					}
					dlx = math.Max(dlx, intercept())
					if dlx < shr {
						break
					}
					if nlp > maxit {
						return nil, fmt.Errorf("forecast: no convergence within %d passes at lambda %d", maxit, ilm+1)
					}
				}
			}
			// New quadratic approximation at the current fit.
			for i := range eta {
				eta[i] = b0
			}
			for _, k := range active {
				axpy(b[k], xs[k], eta)
			}
			for i, fi := range eta {
				switch {
				case fi < fmin:
					q[i] = 0
				case fi > fmax:
					q[i] = 1
				default:
					q[i] = 1 / (1 + math.Exp(-fi))
				}
			}
			xmz = 0
			for i := range v {
				v[i] = w * q[i] * (1 - q[i])
				xmz += v[i]
			}
			if xmz <= vmin {
				break
			}
			for i := range r {
				r[i] = w * (y[i] - q[i])
			}
			moved := xmz*(b0-bs0)*(b0-bs0) >= shr
			for _, k := range active {
				if moved {
					break
				}
				moved = xv[k]*(b[k]-bs[k])*(b[k]-bs[k]) >= shr
			}
			if moved {
				continue
			}
			// Converged on the strong set: check the others.
			violated := false
			for k := 0; k < ni; k++ {
				if strong[k] || !ju[k] {
					continue
				}
				ga[k] = math.Abs(dot(r, xs[k]))
				if ga[k] > al1 {
					strong[k] = true
					violated = true
				}
			}
			if !violated {
				break
			}
		}
		// Record this lambda on the original scale.
		beta := make([]float64, ni)
		a0 := b0
		for _, k := range active {
			beta[k] = b[k] / sd[k]
			a0 -= beta[k] * xm[k]
		}
		devi := 0.0
		for i := range q {
			p := math.Min(math.Max(pMin, q[i]), 1-pMin)
			devi -= w * (y[i]*math.Log(p) + (1-y[i])*math.Log(1-p))
		}
		dr := (dev1 - devi) / dev0
		out.Lambda = append(out.Lambda, al)
		out.Intercept = append(out.Intercept, a0)
		out.Beta = append(out.Beta, beta)
		out.DevRatio = append(out.DevRatio, dr)
		if xmz <= vmin {
			break
		}
		if ilm+1 >= minSteps && flmin < 1 {
			nz := 0
			for _, k := range active {
				if b[k] != 0 {
					nz++
				}
			}
			if nz > ni+1 || dr > devMax || dr-devPrev < fdevMin {
				break
			}
		}
		devPrev = dr
	}
	out.Passes = nlp
	// Like R's glmnet, report the first lambda of an automatic path as the
	// geometric extrapolation of the next two instead of "infinity".
	if ulam == nil && len(out.Lambda) > 2 {
		out.Lambda[0] = math.Exp(2*math.Log(out.Lambda[1]) - math.Log(out.Lambda[2]))
	}
	return out, nil
}

// mul sets dst to the element-wise product of a and b.
func mul(dst, a, b []float64) {
	n := len(dst)
	a, b = a[:n], b[:n]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}
