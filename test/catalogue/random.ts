/** A small seeded generator (mulberry32) so every failure replays. */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6D2B79F5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [-scale, scale), rounded to float32. */
  logits(size: number, scale: number): Float32Array {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      values[i] = (2 * this.next() - 1) * scale;
    }
    return values;
  }

  labels(size: number, numClasses: number): Int32Array {
    const values = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      values[i] = this.int(numClasses);
    }
    return values;
  }
}
