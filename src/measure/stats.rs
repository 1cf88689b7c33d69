//! The statistics of a pilot: treated against held out, for a conversion (a proportion) or a
//! number (a mean). Pure functions; checked against SciPy / statsmodels in tests/measure.rs.
//!
//! - proportions: Newcombe's hybrid score interval (Wilson intervals per group, no continuity
//!   correction: statsmodels' `confint_proportions_2indep(method="newcomb")`) and the pooled
//!   two-proportion z-test (`proportions_ztest`);
//! - means: Welch's interval and t-test with Welch–Satterthwaite degrees of freedom
//!   (`scipy.stats.ttest_ind(equal_var=False)`);
//! - the customers per group a pilot needs to detect the observed effect at power 80% and a
//!   two-sided alpha of 0.05: the normal approximation of statsmodels' `NormalIndPower` with
//!   Cohen's h (proportions) or Cohen's d with the groups' average variance (means).

use serde::Serialize;

/// The two-sided 95% quantile of the standard normal distribution.
pub const Z_95: f64 = 1.959_963_984_540_054;
/// Two-sided significance level.
pub const ALPHA: f64 = 0.05;
/// The power a pilot is sized for.
pub const POWER: f64 = 0.8;

/// One group's conversions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conversions {
    pub converted: u64,
    pub customers: u64,
}

/// One group's values: count, mean and sample variance (n − 1).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    pub variance: f64,
}

impl Moments {
    /// Welford's running mean and variance: stable for large sums such as revenue.
    pub fn of(values: &[f64]) -> Moments {
        let (mut n, mut mean, mut m2) = (0u64, 0.0f64, 0.0f64);
        for &x in values {
            n += 1;
            let delta = x - mean;
            mean += delta / n as f64;
            m2 += delta * (x - mean);
        }
        Moments {
            n,
            mean,
            variance: if n > 1 { m2 / (n - 1) as f64 } else { 0.0 },
        }
    }
}

/// Treated against held out. `None` where the data cannot tell (a group too small, no spread).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Effect {
    /// Treated minus held out.
    pub uplift: Option<f64>,
    /// The uplift relative to the held-out group's rate or mean.
    pub relative_uplift: Option<f64>,
    /// The 95% confidence interval of the uplift.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_value: Option<f64>,
    /// Customers per group needed to detect the observed effect; only when not significant.
    pub needed_per_group: Option<u64>,
}

impl Effect {
    fn none() -> Effect {
        Effect {
            uplift: None,
            relative_uplift: None,
            ci_low: None,
            ci_high: None,
            p_value: None,
            needed_per_group: None,
        }
    }

    /// Significant at the 5% level.
    pub fn significant(&self) -> bool {
        self.p_value.is_some_and(|p| p < ALPHA)
    }
}

fn relative(uplift: f64, base: f64) -> Option<f64> {
    (base != 0.0).then(|| uplift / base)
}

/// Conversion: treated against held out.
pub fn proportions(treated: Conversions, held_out: Conversions) -> Effect {
    if treated.customers == 0 || held_out.customers == 0 {
        return Effect::none();
    }
    let (x1, n1) = (treated.converted as f64, treated.customers as f64);
    let (x2, n2) = (held_out.converted as f64, held_out.customers as f64);
    let (p1, p2) = (x1 / n1, x2 / n2);
    let uplift = p1 - p2;
    let (l1, u1) = wilson(p1, n1);
    let (l2, u2) = wilson(p2, n2);
    let ci_low = uplift - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let ci_high = uplift + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    // The pooled z-test: with no conversions or only conversions its variance is 0.
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let p_value = (se > 0.0).then(|| 2.0 * normal_sf((uplift / se).abs()));
    let h = 2.0 * p1.sqrt().asin() - 2.0 * p2.sqrt().asin();
    let mut effect = Effect {
        uplift: Some(uplift),
        relative_uplift: relative(uplift, p2),
        ci_low: Some(ci_low),
        ci_high: Some(ci_high),
        p_value,
        needed_per_group: None,
    };
    if !effect.significant() {
        effect.needed_per_group = needed_per_group(h);
    }
    effect
}

/// The Wilson score interval of one proportion at 95%.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z_95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    (centre - half, centre + half)
}

/// A number (revenue): treated against held out.
pub fn means(treated: Moments, held_out: Moments) -> Effect {
    if treated.n == 0 || held_out.n == 0 {
        return Effect::none();
    }
    let uplift = treated.mean - held_out.mean;
    let mut effect = Effect {
        uplift: Some(uplift),
        relative_uplift: relative(uplift, held_out.mean),
        ..Effect::none()
    };
    // A variance needs two values per group.
    if treated.n < 2 || held_out.n < 2 {
        return effect;
    }
    let (n1, n2) = (treated.n as f64, held_out.n as f64);
    let (a, b) = (treated.variance / n1, held_out.variance / n2);
    let se = (a + b).sqrt();
    if se > 0.0 && se.is_finite() {
        let df = (a + b).powi(2) / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
        let t = uplift / se;
        effect.p_value = Some(student_t_two_sided(t, df));
        let q = student_t_quantile_two_sided(ALPHA, df);
        effect.ci_low = Some(uplift - q * se);
        effect.ci_high = Some(uplift + q * se);
    }
    if !effect.significant() {
        let sd = ((treated.variance + held_out.variance) / 2.0).sqrt();
        if sd > 0.0 {
            effect.needed_per_group = needed_per_group(uplift / sd);
        }
    }
    effect
}

/// Customers per group for a two-sided test at `ALPHA` to reach `POWER` for a standardised
/// effect (two equal groups, the normal approximation); `None` for no effect.
pub fn needed_per_group(effect: f64) -> Option<u64> {
    let e = effect.abs();
    if !(e > 0.0 && e.is_finite()) {
        return None;
    }
    let power = |n: f64| {
        let shift = e * (n / 2.0).sqrt();
        normal_sf(Z_95 - shift) + normal_sf(Z_95 + shift)
    };
    // Power grows with n: bisect between a size that is too small and one that is enough.
    let (mut low, mut high) = (0.0f64, 1.0f64);
    while power(high) < POWER {
        low = high;
        high *= 2.0;
        if high > 1e18 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = (low + high) / 2.0;
        if power(mid) < POWER {
            low = mid;
        } else {
            high = mid;
        }
        if high - low <= 1e-9 * high {
            break;
        }
    }
    Some(high.ceil().max(2.0) as u64)
}

/// P(Z > z) for the standard normal distribution.
pub fn normal_sf(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    if x >= 0.0 {
        0.5 * erfc_positive(x)
    } else {
        1.0 - 0.5 * erfc_positive(-x)
    }
}

/// erfc(x) for x ≥ 0 as the regularized upper incomplete gamma function Q(1/2, x²).
fn erfc_positive(x: f64) -> f64 {
    gamma_q(0.5, x * x)
}

/// The regularized upper incomplete gamma function Q(a, x) (Numerical Recipes §6.2).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let prefix = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        // The series for P(a, x).
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * prefix
    } else {
        // Lentz's continued fraction for Q(a, x).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        prefix * h
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients: about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized incomplete beta function I_x(a, b) (Numerical Recipes §6.4).
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    // The continued fraction converges fast on this side; else use the symmetry.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 + aa * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = 1.0 + aa / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// P(|T| > |t|) for Student's t with `df` degrees of freedom (df need not be whole).
pub fn student_t_two_sided(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return 0.0;
    }
    beta_inc(df / 2.0, 0.5, df / (df + t * t))
}

/// The t with P(|T| > t) = `p`: the quantile of a two-sided interval.
pub fn student_t_quantile_two_sided(p: f64, df: f64) -> f64 {
    let (mut low, mut high) = (0.0f64, 1.0f64);
    while student_t_two_sided(high, df) > p && high < 1e12 {
        low = high;
        high *= 2.0;
    }
    for _ in 0..200 {
        let mid = (low + high) / 2.0;
        if student_t_two_sided(mid, df) > p {
            low = mid;
        } else {
            high = mid;
        }
        if high - low <= 1e-15 * high {
            break;
        }
    }
    (low + high) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn normal_tail_matches_known_values() {
        assert!(close(normal_sf(0.0), 0.5, 1e-15));
        assert!(close(normal_sf(Z_95), 0.025, 1e-12));
        assert!(close(normal_sf(-1.0), 0.841_344_746_068_542_9, 1e-14));
        // Far in the tail: scipy.stats.norm.sf(8) = 6.22096057427178e-16.
        assert!(close(normal_sf(8.0), 6.220_960_574_271_78e-16, 1e-10));
    }

    #[test]
    fn t_distribution_matches_known_values() {
        // scipy.stats.t.sf(2.0, 10) * 2 = 0.07338803477074537
        assert!(close(
            student_t_two_sided(2.0, 10.0),
            0.073_388_034_770_745_37,
            1e-12
        ));
        // scipy.stats.t.ppf(0.975, 3.5) = 2.9531289337203...
        let q = student_t_quantile_two_sided(0.05, 4.0);
        assert!(close(q, 2.776_445_105_197_799, 1e-12), "{q}");
        assert!(close(ln_gamma(10.0), 362_880f64.ln(), 1e-14));
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-14
        ));
    }

    #[test]
    fn a_textbook_pilot() {
        // Newcombe (1998), table II, example (a): 56/70 against 48/80.
        let e = proportions(
            Conversions {
                converted: 56,
                customers: 70,
            },
            Conversions {
                converted: 48,
                customers: 80,
            },
        );
        assert!(close(e.uplift.unwrap_or(0.0), 0.2, 1e-12));
        assert!((e.ci_low.unwrap_or(0.0) - 0.0524).abs() < 5e-5);
        assert!((e.ci_high.unwrap_or(0.0) - 0.3339).abs() < 5e-5);
    }

    #[test]
    fn groups_that_cannot_tell_give_no_numbers() {
        let none = Conversions {
            converted: 0,
            customers: 0,
        };
        let some = Conversions {
            converted: 3,
            customers: 10,
        };
        assert_eq!(proportions(some, none), Effect::none());
        // No conversions anywhere: an interval, but no test and nothing to detect.
        let zero = Conversions {
            converted: 0,
            customers: 10,
        };
        let e = proportions(zero, zero);
        assert_eq!(e.p_value, None);
        assert_eq!(e.needed_per_group, None);
        assert_eq!(e.relative_uplift, None);
        let one = Moments::of(&[5.0]);
        let e = means(one, Moments::of(&[1.0, 2.0]));
        assert_eq!(e.uplift, Some(3.5));
        assert_eq!(e.p_value, None);
    }

    #[test]
    fn sample_size_for_a_small_effect() {
        // statsmodels NormalIndPower().solve_power(0.2, alpha=0.05, power=0.8) = 392.443
        assert_eq!(needed_per_group(0.2), Some(393));
        assert_eq!(needed_per_group(-0.2), Some(393));
        assert_eq!(needed_per_group(0.0), None);
    }

    #[test]
    fn welford_matches_the_textbook_variance() {
        let m = Moments::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m.n, 8);
        assert!(close(m.mean, 5.0, 1e-15));
        assert!(close(m.variance, 32.0 / 7.0, 1e-14));
    }
}
