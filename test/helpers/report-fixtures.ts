// Realistic ReportData for the report tests: a flash-crash style incident (a large sell order, slow quotes,
// a bypassed price collar, thinning books, a timed-out limit check, a bad print, then the circuit breaker
// and the page), a smaller follow-up incident, background INFO noise, unclassified errors, open signals.
// Everything is deterministic; summary/perMinute are computed from the events so tests can recount.
import {
  type Breadcrumb,
  CATEGORY_SYMBOL,
  type Category,
  type FieldValue,
  type Incident,
  type Level,
  type LogEvent,
  type MinuteBucket,
  type ReportData,
} from '../../analyzer/src/core/types.ts';

export const BASE_MS = Date.UTC(2024, 4, 6, 14, 30, 0);
export const XSS_SCRIPT = '</script><script>window.__xss = "script";alert(1)</script>';
export const XSS_IMG = '<img src=x onerror="window.__xss = \'img\'; alert(2)">';

interface Line {
  /** Seconds after BASE_MS. */
  at: number;
  level: Level;
  component: string;
  message: string;
  category?: Category;
  severity?: 1 | 2 | 3 | 4 | 5;
  fields?: Record<string, FieldValue>;
  traceId?: string;
}

const FLASH_CRASH: Line[] = [
  {
    at: 612,
    level: 'WARN',
    component: 'order-gateway',
    message: 'large sell order accepted qty=75000 symbol=ES-M4 algo=pov participation=9%',
    category: 'trigger',
    severity: 2,
    fields: { qty: 75000, symbol: 'ES-M4' },
    traceId: 'a1f3',
  },
  {
    at: 630,
    level: 'WARN',
    component: 'market-data-feed',
    message: 'quote latency 850ms exceeds 200ms budget venue=CME',
    category: 'abnormal_input',
    severity: 3,
    fields: { latency_ms: 850 },
  },
  {
    at: 662,
    level: 'WARN',
    component: 'risk-engine',
    message: 'pre-trade price collar disabled by override user=desk7',
    category: 'risk_bypass',
    severity: 2,
    fields: { user: 'desk7' },
  },
  {
    at: 700,
    level: 'WARN',
    component: 'matching-engine',
    message: 'order book depth dropped 68% on bid side symbol=ES-M4',
    category: 'stress',
    severity: 3,
  },
  {
    at: 735,
    level: 'WARN',
    component: 'matching-engine',
    message: 'order book depth dropped 81% on bid side symbol=ES-M4',
    category: 'stress',
    severity: 3,
  },
  {
    at: 790,
    level: 'ERROR',
    component: 'risk-engine',
    message: 'position limit check timed out after 5000ms; order allowed',
    category: 'control_failure',
    severity: 1,
    traceId: 'a1f3',
  },
  {
    at: 805,
    level: 'WARN',
    component: 'order-gateway',
    message: 'sell rate 4.1x baseline: participation target chasing volume',
    category: 'risk_acceleration',
    severity: 2,
  },
  {
    at: 840,
    level: 'WARN',
    component: 'order-gateway',
    message: 'sell rate 7.8x baseline: participation target chasing volume',
    category: 'risk_acceleration',
    severity: 2,
  },
  {
    at: 851,
    level: 'WARN',
    component: 'market-data-feed',
    message: XSS_SCRIPT,
    category: 'abnormal_input',
    severity: 3,
    fields: { raw: '=cmd|calc!A1' },
  },
  {
    at: 866,
    level: 'ERROR',
    component: XSS_IMG,
    message: 'stub quote from <img> venue, "quoted", comma, and newline\nsecond line',
    category: 'data_anomaly',
    severity: 2,
  },
  {
    at: 870,
    level: 'ERROR',
    component: 'pricing-engine',
    message: 'last trade 0.01 deviates 99.9% from reference 5605.25 symbol=ES-M4',
    category: 'data_anomaly',
    severity: 1,
    fields: { price: 0.01, reference: 5605.25 },
  },
  {
    at: 910,
    level: 'CRITICAL',
    component: 'matching-engine',
    message: 'circuit breaker tripped: price band breached, trading halted symbol=ES-M4',
    category: 'final_failure',
    severity: 1,
    traceId: 'a1f3',
  },
  {
    at: 914,
    level: 'ERROR',
    component: 'alerting',
    message: 'PAGE sent to on-call: trading halted ES-M4 (SEV1)',
    category: 'alerting',
    severity: 1,
  },
];

const FOLLOW_UP: Line[] = [
  {
    at: 1260,
    level: 'WARN',
    component: 'settlement',
    message: 'db connection pool 92% used (46/50)',
    category: 'stress',
    severity: 3,
  },
  {
    at: 1290,
    level: 'ERROR',
    component: 'settlement',
    message: 'db connection pool exhausted; request queued 3200ms',
    category: 'control_failure',
    severity: 2,
  },
  {
    at: 1335,
    level: 'FATAL',
    component: 'settlement',
    message: 'settlement batch aborted: no db connection within 30s',
    category: 'final_failure',
    severity: 1,
  },
];

const OPEN: Line[] = [
  {
    at: 1500,
    level: 'WARN',
    component: 'market-data-feed',
    message: 'quote latency 410ms exceeds 200ms budget venue=ICE',
    category: 'abnormal_input',
    severity: 3,
  },
  {
    at: 1540,
    level: 'WARN',
    component: 'matching-engine',
    message: 'order book depth dropped 35% on ask side symbol=NQ-M4',
    category: 'stress',
    severity: 4,
  },
];

/** Unclassified errors: they belong in critical.csv and the critical chart, not in the breadcrumb table. */
const UNCLASSIFIED_ERRORS: Line[] = [
  { at: 200, level: 'ERROR', component: 'order-gateway', message: 'socket reset by peer client=fix-17' },
  {
    at: 760,
    level: 'ERROR',
    component: 'market-data-feed',
    message: '=HYPERLINK("http://evil.example","click")',
  },
  { at: 880, level: 'CRITICAL', component: 'order-gateway', message: 'reject storm: 412 rejects in 10s' },
  { at: 1100, level: 'ERROR', component: 'pricing-engine', message: '+1 stale reference price' },
];

const NOISE_COMPONENTS = [
  'order-gateway',
  'market-data-feed',
  'risk-engine',
  'matching-engine',
  'pricing-engine',
];

export interface FixtureOptions {
  /** Cap on data.breadcrumbs (the HTML's sample); breadcrumbsTotal stays the real count. */
  breadcrumbCap?: number;
  /** Leave out the XSS payload lines. */
  noXss?: boolean;
}

export interface Fixture {
  data: ReportData;
  /** Every event of the run, in time order (what the CLI would stream to the CSV writers). */
  events: LogEvent[];
  allBreadcrumbs: Breadcrumb[];
}

export function flashCrashReport(opts: FixtureOptions = {}): Fixture {
  const lines: Line[] = [...FLASH_CRASH, ...FOLLOW_UP, ...OPEN, ...UNCLASSIFIED_ERRORS].filter(
    (l) => !(opts.noXss && (l.message === XSS_SCRIPT || l.component === XSS_IMG)),
  );
  // Background INFO/DEBUG noise from 14:30 to 14:57, deterministic (LCG).
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let s = 0; s < 27 * 60; s += 7 + Math.floor(rand() * 20)) {
    const component = NOISE_COMPONENTS[Math.floor(rand() * NOISE_COMPONENTS.length)]!;
    lines.push({
      at: s,
      level: rand() < 0.2 ? 'DEBUG' : 'INFO',
      component,
      message: `heartbeat ok seq=${s}`,
    });
  }
  lines.sort((a, b) => a.at - b.at);

  const source = '/var/log/trading/app.log';
  const events: LogEvent[] = [];
  const crumbs: Breadcrumb[] = [];
  const crumbByLine = new Map<Line, Breadcrumb>();
  let offset = 0;
  lines.forEach((l, i) => {
    const text = `${new Date(BASE_MS + l.at * 1000).toISOString()} ${l.level} [${l.component}] ${l.message}`;
    const len = Buffer.byteLength(text) + 1;
    const event: LogEvent = {
      source,
      offset,
      nextOffset: offset + len,
      lineNo: i + 1,
      format: i % 5 === 0 ? 'json' : 'plain',
      timestamp: BASE_MS + l.at * 1000,
      level: l.level,
      component: l.component,
      message: l.message,
      fields: l.fields ?? {},
      ...(l.traceId ? { traceId: l.traceId } : {}),
    };
    offset += len;
    events.push(event);
    if (l.category) {
      const b: Breadcrumb = {
        event,
        category: l.category,
        symbol: CATEGORY_SYMBOL[l.category],
        ruleId: `seed.${l.category}`,
        severity: l.severity ?? 3,
      };
      crumbs.push(b);
      crumbByLine.set(l, b);
    }
  });

  const pick = (ls: Line[]) =>
    ls.map((l) => crumbByLine.get(l)).filter((b): b is Breadcrumb => b !== undefined);
  const incidents = [
    buildIncident('INC-20240506-1', pick(FLASH_CRASH)),
    buildIncident('INC-20240506-2', pick(FOLLOW_UP)),
  ];
  const openSignals = pick(OPEN);

  const unparsedByReason = { 'no-format': 3, 'invalid-utf8': 1 };
  const unparsed = 4;
  const continuationLines = 6;
  const byFormat = { plain: 0, json: 0, unparsed };
  const byLevel: Partial<Record<Level, number>> = {};
  const byComponent: Record<string, number> = {};
  const byCategory: Partial<Record<Category, number>> = {};
  const minutes = new Map<number, MinuteBucket>();
  for (const e of events) {
    byFormat[e.format === 'json' ? 'json' : 'plain']++;
    byLevel[e.level] = (byLevel[e.level] ?? 0) + 1;
    byComponent[e.component] = (byComponent[e.component] ?? 0) + 1;
    const minute = Math.floor(e.timestamp! / 60000) * 60000;
    let m = minutes.get(minute);
    if (!m) {
      m = { minute, levels: {}, critical: 0, breadcrumbs: 0 };
      minutes.set(minute, m);
    }
    m.levels[e.level] = (m.levels[e.level] ?? 0) + 1;
    if (e.level === 'ERROR' || e.level === 'CRITICAL' || e.level === 'FATAL') m.critical++;
  }
  for (const b of crumbs) {
    byCategory[b.category] = (byCategory[b.category] ?? 0) + 1;
    minutes.get(Math.floor(b.event.timestamp! / 60000) * 60000)!.breadcrumbs++;
  }
  const perMinute = [...minutes.values()].sort((a, b) => a.minute - b.minute);

  const data: ReportData = {
    generatedAt: Date.UTC(2024, 4, 6, 15, 5, 0),
    summary: {
      sources: [source],
      lines: events.length + unparsed + continuationLines,
      bytes: offset,
      events: events.length,
      byFormat,
      unparsedByReason,
      continuationLines,
      truncatedLines: 1,
      byLevel,
      byComponent,
      byCategory,
      firstTimestamp: events[0]!.timestamp,
      lastTimestamp: events[events.length - 1]!.timestamp,
      perMinute,
      durationMs: 1234,
    },
    incidents,
    breadcrumbs: opts.breadcrumbCap !== undefined ? crumbs.slice(0, opts.breadcrumbCap) : crumbs,
    breadcrumbsTotal: crumbs.length,
    openSignals,
  };
  return { data, events, allBreadcrumbs: crumbs };
}

/** Group breadcrumbs the way the timeline does: first signal → category changes → last final failure. */
export function buildIncident(id: string, path: Breadcrumb[]): Incident {
  for (const b of path) b.incidentId = id;
  const firstSignal = path[0]!;
  const failure = [...path].reverse().find((b) => b.category === 'final_failure')!;
  const countsByCategory: Partial<Record<Category, number>> = {};
  const escalation: Breadcrumb[] = [];
  let last: Category | null = null;
  for (const b of path) {
    countsByCategory[b.category] = (countsByCategory[b.category] ?? 0) + 1;
    if (b.category !== last) escalation.push(b);
    last = b.category;
  }
  return {
    id,
    breadcrumbs: path,
    firstSignal,
    failure,
    leadTimeMs: failure.event.timestamp! - firstSignal.event.timestamp!,
    components: [...new Set(path.map((b) => b.event.component))],
    responsible: firstSignal.event.component,
    countsByCategory,
    escalation,
  };
}

/** Many sparse or dense minute buckets, for chart downsampling tests. */
export function syntheticMinutes(count: number, stepMinutes = 1): MinuteBucket[] {
  const out: MinuteBucket[] = [];
  for (let i = 0; i < count; i++) {
    const critical = (i * 7) % 13;
    out.push({
      minute: BASE_MS + i * stepMinutes * 60000,
      levels: { INFO: 50 + (i % 17), WARN: i % 5, ERROR: critical },
      critical,
      breadcrumbs: i % 3,
    });
  }
  return out;
}
