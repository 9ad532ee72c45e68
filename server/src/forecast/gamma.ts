// Log-space special functions for the Erlang formulas. Staffing a hotline means hundreds of agents
// and loads where A^N / N! overflows a double long before N = 200, so nothing here forms a power or
// a factorial: every quantity is a logarithm or a ratio of terms below 1.
//
//   lnGamma(a)               ln Γ(a), a > 0
//   lnScaledLowerGamma(a, x) ln M(a, x), where M(a, x) = γ(a, x) · e^x · x^(-a)
//                            and γ(a, x) = ∫0^x t^(a-1) e^(-t) dt (the lower incomplete gamma)
//   softplus(z)              ln(1 + e^z) without overflow
//
// M rather than γ itself: Erlang A needs ratios such as γ(y+1, x) / (x · γ(y, x)) = M(y+1, x) / M(y, x)
// with x and y in the hundreds of thousands when callers are very patient, where ln γ is a difference
// of two huge numbers and M is a plain sum of terms below 1.

const EPS = 1e-16;
const MAX_TERMS = 1_000_000;
const TINY = 1e-300;

/** ln(1 + e^z), exact for large |z| (e^z overflows past z = 709). */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * ln Γ(a) for a > 0: the recurrence Γ(z + 1) = z Γ(z) lifts z to 10 or more, where Stirling's series
 * with four correction terms is accurate to about 1e-15 (Abramowitz & Stegun 6.1.40).
 */
export function lnGamma(a: number): number {
  if (!(a > 0)) throw new RangeError(`lnGamma needs a > 0 (got ${a})`);
  let shift = 0;
  let z = a;
  while (z < 10) {
    shift += Math.log(z);
    z += 1;
  }
  const z2 = z * z;
  const series = 1 / (12 * z) - 1 / (360 * z * z2) + 1 / (1260 * z * z2 * z2) - 1 / (1680 * z * z2 * z2 * z2);
  return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/**
 * ln M(a, x) with M(a, x) = γ(a, x) e^x x^(-a), a > 0, x >= 0 (M(a, 0) = 1/a).
 * For x < a + 1 the power series M = Σ_{n>=0} x^n / (a (a+1) ... (a+n)) (A&S 6.5.29), whose terms
 * shrink from the first; beyond, the continued fraction of the upper function Γ(a, x) (A&S 6.5.31,
 * evaluated by the modified Lentz method), which converges in a few dozen steps there.
 */
export function lnScaledLowerGamma(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`lnScaledLowerGamma needs a > 0, x >= 0 (got ${a}, ${x})`);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_TERMS; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * EPS) return Math.log(sum);
    }
    throw new Error(`incomplete gamma series did not converge (a ${a}, x ${x})`);
  }
  // Γ(a, x) = e^-x x^a / (x + 1 - a - 1(1-a) / (x + 3 - a - 2(2-a) / (x + 5 - a - ...)))
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) {
      const lnG = lnGamma(a);
      // Q = Γ(a, x) / Γ(a), the upper regularized function; γ = Γ(a) (1 - Q).
      const lnQ = a * Math.log(x) - x + Math.log(h) - lnG;
      return lnG + Math.log1p(-Math.exp(lnQ)) + x - a * Math.log(x);
    }
  }
  throw new Error(`incomplete gamma continued fraction did not converge (a ${a}, x ${x})`);
}
