// Exact fractions for "GPUs per VM". Partitioned-GPU sizes get a share of one GPU
// (NV6ads_A10_v5 = 1/6, NV4as_v4 = 1/8); floats would print 0.16666666666666666 and
// drift when multiplied by a VM count, so the share is kept as an integer ratio.

export interface Fraction {
  num: number;
  den: number;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** A reduced fraction with a positive denominator. Throws on non-integers or a zero denominator. */
export function fraction(num: number, den = 1): Fraction {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den)) {
    throw new RangeError(`fraction needs integers, got ${num}/${den}`);
  }
  if (den === 0) throw new RangeError("fraction denominator must not be 0");
  const sign = den < 0 ? -1 : 1;
  const g = gcd(num, den) || 1;
  // `+ 0` turns -0 into 0 so 0/n compares equal to fraction(0).
  return { num: (sign * num) / g + 0, den: (sign * den) / g };
}

export function toNumber(f: Fraction): number {
  return f.num / f.den;
}

/** f × n for an integer n (e.g. GPUs per VM × VM count). */
export function multiply(f: Fraction, n: number): Fraction {
  return fraction(f.num * n, f.den);
}

export function add(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.den + b.num * a.den, a.den * b.den);
}

/** "2" for whole numbers, "1/6" for a share, "4/3" for improper fractions (no mixed numbers). */
export function formatFraction(f: Fraction): string {
  const r = fraction(f.num, f.den);
  return r.den === 1 ? String(r.num) : `${r.num}/${r.den}`;
}
