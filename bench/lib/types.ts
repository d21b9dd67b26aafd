/** How a measured figure compares with its goal. */
export type Verdict = 'meets' | 'misses' | 'not measured' | 'context';

/** One row of RESULTS.md: a measured value, the goal it is held to, and the comparison in words. */
export interface Figure {
  label: string;
  /** The measured value, formatted (median unless `n` says otherwise). */
  value: string;
  /** Runs the value summarises, e.g. "5" or "1". */
  n: string;
  goal: string;
  verdict: Verdict;
  /** One line: how the figure compares with its goal, or why it was not measured. */
  comparison: string;
}

export interface BenchResult {
  name: string;
  title: string;
  /** What was measured and how, in a sentence or two (method, settings, n). */
  method: string;
  figures: Figure[];
  /** Raw samples and side observations, for the detail section. */
  details: string[];
  seconds: number;
}

export interface BenchOptions {
  /** Fewer repetitions and smaller scales, for a quick look. */
  quick: boolean;
  log: (line: string) => void;
  /** Fleet sizes (services) for the benchmarks that take them, from `--sizes 50,500`; absent = each benchmark's own. */
  sizes?: number[];
}

export interface Benchmark {
  name: string;
  title: string;
  run(options: BenchOptions): Promise<Omit<BenchResult, 'name' | 'title' | 'seconds'>>;
}

/** A figure that could not be measured, with the reason in its comparison line. */
export function notMeasured(label: string, goal: string, reason: string): Figure {
  return { label, value: '–', n: '0', goal, verdict: 'not measured', comparison: `not measured: ${reason}` };
}
