/**
 * A labelled counter and histogram for the per-request metrics, registered in a prom-client Registry like
 * its own metrics (same text exposition, same `get()` JSON, so `/metrics` and cluster aggregation read
 * them unchanged).
 *
 * Why not prom-client's own: every `inc(labels)` / `observe(labels, v)` there validates the label object,
 * hashes it into a string and copies label objects for timers — several µs per request, on a request path
 * whose whole budget is ~60 µs. Here a label set is resolved once into a child holding plain numbers, and
 * the hot path does an array walk and two additions.
 */
import type { Registry } from 'prom-client';

type Labels<L extends string> = Record<L, string>;

/** The value shape prom-client's Registry reads from a metric's `get()`. */
interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
  sharedLabels?: Record<string, string>;
}

interface MetricJson {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

/** Label sets per metric before new ones are refused (label values come from route patterns and statuses). */
const MAX_LABEL_SETS = 10_000;

abstract class Labelled<L extends string, C> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum' as const;
  protected readonly labelNames: readonly L[];
  protected children = new Map<string, { labels: Labels<L>; child: C }>();
  /** Where label sets past MAX_LABEL_SETS go, so a runaway label never grows memory without bound. */
  private overflow: C | undefined;
  /** label value → … → child, for the label sets in `children` whose values are all strings. */
  private fast = new Map<unknown, unknown>();

  constructor(config: { name: string; help: string; labelNames?: readonly L[]; registers?: Registry[] }) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames ?? [];
    for (const registry of config.registers ?? []) registry.registerMetric(this as never);
  }

  protected abstract make(): C;

  /** The child of one label set (resolved once, then one Map lookup per label value). */
  child(labels: Labels<L>): C {
    // Known label sets are found through one Map per label (no key string built and hashed per call, which
    // was most of this method's ~2 µs per request); the string-keyed map below stays the record.
    const names = this.labelNames;
    const last = names.length - 1;
    let node: Map<unknown, unknown> | undefined = this.fast;
    for (let i = 0; i < last && node; i++) node = node.get(labels[names[i]]) as Map<unknown, unknown> | undefined;
    const hit = node && last >= 0 ? (node.get(labels[names[last]]) as C | undefined) : undefined;
    if (hit !== undefined) return hit;
    const found = this.slowChild(labels);
    // Only string values get a path (a number or an object as a label value would add aliases of one set).
    if (found !== this.overflow && last >= 0 && names.every((n) => typeof labels[n] === 'string')) {
      let at = this.fast;
      for (let i = 0; i < last; i++) {
        const value = labels[names[i]];
        let next = at.get(value) as Map<unknown, unknown> | undefined;
        if (!next) at.set(value, (next = new Map()));
        at = next;
      }
      at.set(labels[names[last]], found);
    }
    return found;
  }

  private slowChild(labels: Labels<L>): C {
    let key = '';
    for (const n of this.labelNames) key += `${labels[n]}\u0000`;
    const found = this.children.get(key);
    if (found) return found.child;
    if (this.children.size >= MAX_LABEL_SETS) return (this.overflow ??= this.make());
    const child = this.make();
    const copy = {} as Labels<L>;
    for (const n of this.labelNames) copy[n] = String(labels[n]);
    this.children.set(key, { labels: copy, child });
    return child;
  }

  reset(): void {
    this.children = new Map();
    this.fast = new Map();
    this.overflow = undefined;
  }
}

export class FastCounter<L extends string = string> extends Labelled<L, { value: number }> {
  readonly type = 'counter' as const;

  protected make(): { value: number } {
    return { value: 0 };
  }

  inc(labels: Labels<L>, value = 1): void {
    this.child(labels).value += value;
  }

  get(): MetricJson {
    const values = [...this.children.values()].map(({ labels, child }) => ({ labels, value: child.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export interface HistogramChild {
  observe(value: number): void;
}

class Buckets implements HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.sum += value;
    this.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
}

export class FastHistogram<L extends string = string> extends Labelled<L, Buckets> {
  readonly type = 'histogram' as const;
  private readonly bounds: readonly number[];

  constructor(config: { name: string; help: string; labelNames?: readonly L[]; registers?: Registry[]; buckets: number[] }) {
    super(config);
    this.bounds = [...config.buckets].sort((a, b) => a - b);
  }

  protected make(): Buckets {
    return new Buckets(this.bounds);
  }

  /** `observe(labels, value)`, or `observe(value)` for a histogram without labels (as prom-client takes it). */
  observe(labels: Labels<L> | number, value?: number): void {
    if (typeof labels === 'number') this.child({} as Labels<L>).observe(labels);
    else this.child(labels).observe(value ?? NaN);
  }

  /** Seconds from now until the returned function is called, observed under `labels`. */
  startTimer(labels: Labels<L>): () => void {
    const child = this.child(labels);
    const started = performance.now();
    return () => child.observe((performance.now() - started) / 1000);
  }

  /** JSON form (cluster aggregation): `le` merged into each value's labels, as prom-client's `get()` does. */
  get(): MetricJson {
    const text = this.getForPromString();
    const values = text.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return { ...text, values };
  }

  /** Text form: the label set shared by a child's lines is formatted once (prom-client's Registry reads this first). */
  getForPromString(): MetricJson {
    const values: MetricValue[] = [];
    for (const { labels, child } of this.children.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += child.counts[i];
        values.push({ labels: { le }, value: cumulative, metricName: `${this.name}_bucket`, sharedLabels: labels });
      });
      values.push({ labels: { le: '+Inf' }, value: child.count, metricName: `${this.name}_bucket`, sharedLabels: labels });
      values.push({ labels: {}, value: child.sum, metricName: `${this.name}_sum`, sharedLabels: labels });
      values.push({ labels: {}, value: child.count, metricName: `${this.name}_count`, sharedLabels: labels });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
