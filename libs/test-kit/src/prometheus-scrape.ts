/** One sample of a Prometheus text exposition: `name{label="value",…} 12`. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** What a scrape of `GET /metrics` showed. */
export class MetricsScrape {
  constructor(readonly samples: readonly MetricSample[]) {}

  /** The sum of the samples of `name` whose labels include `labels` (0 when there are none). */
  sum(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.matching(name, labels).reduce((total, sample) => total + sample.value, 0);
  }

  /** The samples of `name` whose labels include `labels`. */
  matching(name: string, labels: Readonly<Record<string, string>> = {}): MetricSample[] {
    return this.samples.filter(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  }
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus' text format (what prom-client writes); comments and blank lines are skipped. */
export function parseMetrics(text: string): MetricsScrape {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key] = value.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return new MetricsScrape(samples);
}

/** Scrapes a service's `GET /metrics` (base URL `url`); rejects unless it answers 200 in Prometheus' format. */
export async function scrapeMetrics(url: string): Promise<MetricsScrape> {
  const response = await fetch(`${url}/metrics`);
  const text = await response.text();
  if (response.status !== 200 || !response.headers.get('content-type')?.startsWith('text/plain')) {
    throw new Error(
      `GET ${url}/metrics: ${response.status} ${response.headers.get('content-type')}: ${text.slice(0, 200)}`,
    );
  }
  return parseMetrics(text);
}
