/**
 * Small assertions that work under jest and in a plain browser page alike
 * (tfjs's `test_util.expectArraysClose` does not work under jest).
 */

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: boolean, message: () => string): void {
  if (!condition) {
    throw new AssertionError(message());
  }
}

type Numbers = ArrayLike<number>|number;

function toArray(values: Numbers): ArrayLike<number> {
  return typeof values === 'number' ? [values] : values;
}

/**
 * Element-wise `|actual - expected| <= atol + rtol * |expected|`; NaN must
 * match NaN and infinities must match exactly.
 */
export function expectClose(
    actual: Numbers, expected: Numbers, rtol: number, atol: number,
    what = 'values'): void {
  const a = toArray(actual);
  const e = toArray(expected);
  assert(a.length === e.length,
      () => `${what}: length ${a.length}, expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const got = a[i];
    const want = e[i];
    const ok = Number.isNaN(want) ? Number.isNaN(got) :
        !Number.isFinite(want)    ? got === want :
                                    Math.abs(got - want) <=
            atol + rtol * Math.abs(want);
    if (!ok) {
      throw new AssertionError(`${what}[${i}]: got ${got}, expected ` +
          `${want} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

export function expectEqual<T>(actual: T, expected: T, what: string): void {
  const same = JSON.stringify(actual) === JSON.stringify(expected);
  assert(same, () => `${what}: got ${JSON.stringify(actual)}, expected ` +
             `${JSON.stringify(expected)}`);
}

/** Runs `f`, which must throw an Error whose message contains every part. */
export function expectThrows(f: () => unknown, parts: string[]): Error {
  let thrown: unknown;
  try {
    f();
  } catch (error) {
    thrown = error;
  }
  assert(thrown instanceof Error, () => `expected an Error containing ` +
             `${JSON.stringify(parts)}, but ${thrown === undefined ?
                 'nothing was thrown' : `got ${String(thrown)}`}`);
  const message = (thrown as Error).message;
  for (const part of parts) {
    assert(message.includes(part),
        () => `error message ${JSON.stringify(message)} lacks ` +
            JSON.stringify(part));
  }
  return thrown as Error;
}
