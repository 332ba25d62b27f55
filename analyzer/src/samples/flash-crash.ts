// The sample incident: a flash-crash-style trail on 2010-05-06, written into background noise from a dozen
// components, with the malformed lines real logs have (a stack trace, binary junk, invalid UTF-8, CRLF, a
// sidecar writing JSON). The story's breadcrumbs are what the default rules must find:
//   14:32:05 🔴 a 75,000-contract sell order arrives (abnormal input, the first signal)
//   14:32:05 🟠 the algorithm runs with the price-limit check skipped (bypassed control)
//   14:33–14:40 🟡 liquidity thins, feed latency climbs, gateway queues deepen (stress)
//   14:41 🟡 selling accelerates, HFT "hot potato" volume (risk acceleration)
//   14:42:44 🔴 the circuit breaker does not trip (control failure)
//   14:44 🔴 executions at stub-quote prices of $0.01 (data anomaly)
//   14:45:27.900 🔥 trading halted: market crash (final failure) — lead time 13 min 22.78 s
//   14:45:29 📣 the alert pages on-call (alerting)
import { mulberry32 } from './prng.ts';

const DAY = Date.UTC(2010, 4, 6);
const at = (h: number, m: number, s: number, ms = 0) => DAY + ((h * 60 + m) * 60 + s) * 1000 + ms;

function stamp(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

const line = (t: number, level: string, component: string, msg: string) =>
  `[${stamp(t)}] ${level} - [${component}] ${msg}`;

type Entry = { t: number; text: string | Buffer };

const NOISE: Array<[string, string, (r: () => number) => string]> = [
  [
    'order-router',
    'INFO',
    (r) => `routed order order_id=O-${Math.floor(r() * 1e6)} qty=${1 + Math.floor(r() * 400)} venue=CME`,
  ],
  [
    'matching-engine',
    'INFO',
    (r) =>
      `matched trade_id=T-${Math.floor(r() * 1e7)} qty=${1 + Math.floor(r() * 50)} price=${(1150 + r() * 20).toFixed(2)}`,
  ],
  [
    'market-data',
    'INFO',
    (r) => `feed heartbeat seq=${Math.floor(r() * 1e8)} latency_ms=${Math.floor(8 + r() * 40)}`,
  ],
  [
    'risk-engine',
    'INFO',
    (r) => `exposure recalculated account=A-${Math.floor(r() * 900)} exposure_musd=${(r() * 40).toFixed(1)}`,
  ],
  ['pricing', 'DEBUG', (r) => `mid recomputed symbol=ES-M10 mid=${(1155 + r() * 10).toFixed(2)}`],
  [
    'exchange-gateway',
    'INFO',
    (r) => `session ok sessions=${140 + Math.floor(r() * 20)} queue_depth=${Math.floor(r() * 300)}`,
  ],
  [
    'settlement',
    'INFO',
    (r) => `batch settled batch=${Math.floor(r() * 1e5)} trades=${Math.floor(r() * 200)}`,
  ],
  ['auth-service', 'INFO', (r) => `token issued client=c-${Math.floor(r() * 60)} ttl_s=900`],
  ['order-router', 'DEBUG', () => 'keepalive sent to venue=CME'],
  ['portfolio', 'INFO', (r) => `position snapshot accounts=${800 + Math.floor(r() * 50)}`],
  [
    'reporting',
    'INFO',
    (r) => `report generated name=intraday-${Math.floor(r() * 99)} rows=${Math.floor(r() * 5000)}`,
  ],
];

function story(): Entry[] {
  const e = (t: number, level: string, c: string, msg: string): Entry => ({
    t,
    text: line(t, level, c, msg),
  });
  return [
    // Background oddities that are not part of the incident.
    e(at(14, 5, 12, 410), 'WARN', 'market-data', 'feed latency elevated latency_ms=320 threshold_ms=500'),
    e(at(14, 9, 51, 7), 'WARN', 'risk-engine', 'volatility elevated: rate spiking vix=32.1, monitoring'),
    e(at(14, 20, 3, 555), 'ERROR', 'auth-service', 'login failed for user=ops-bot reason=expired-token'),
    // The trail.
    e(
      at(14, 32, 5, 120),
      'WARN',
      'order-router',
      'large sell order accepted order_id=W-75000 side=SELL qty=75000 instrument=ES-M10 algo=VWAP-9 participation_pct=9',
    ),
    e(
      at(14, 32, 5, 300),
      'WARN',
      'risk-engine',
      'price limit check skipped for algo order order_id=W-75000 reason=volume-only-execution',
    ),
    e(
      at(14, 33, 40, 10),
      'WARN',
      'matching-engine',
      'order book depth low: thin liquidity on bid side depth=310 instrument=ES-M10',
    ),
    e(at(14, 36, 12, 870), 'WARN', 'market-data', 'feed delayed latency_ms=850 exchange=NYSE'),
    e(at(14, 38, 2, 45), 'WARN', 'exchange-gateway', 'inbound queue growing queue_depth=12500 sessions=151'),
    e(at(14, 39, 30, 600), 'WARN', 'market-data', 'feed delayed latency_ms=1900 exchange=NYSE'),
    e(
      at(14, 41, 7, 330),
      'WARN',
      'order-router',
      'sell volume accelerating volume_per_min=41000 instrument=ES-M10',
    ),
    e(
      at(14, 41, 50, 900),
      'WARN',
      'matching-engine',
      'hot-potato trading detected: 27000 contracts changed hands in 14 s, net position change=200',
    ),
    e(
      at(14, 42, 44, 210),
      'ERROR',
      'risk-engine',
      'circuit breaker did not trip: drop_pct=6.2 threshold_pct=5 instrument=ES-M10',
    ),
    e(
      at(14, 44, 11, 780),
      'ERROR',
      'pricing',
      'execution at stub quote symbol=ACN price=0.01 last_good_price=41.09',
    ),
    e(
      at(14, 44, 40, 150),
      'ERROR',
      'pricing',
      'execution at stub quote symbol=EXC price=0.01 last_good_price=34.55',
    ),
    e(
      at(14, 45, 27, 900),
      'CRITICAL',
      'exchange-gateway',
      'trading halted: market crash detected, CME Stop Logic engaged index_drop_pct=9.2',
    ),
    e(
      at(14, 45, 29, 40),
      'ERROR',
      'alerting',
      'ALERT fired: MarketCrash paging on-call trader-desk incident=flash-crash',
    ),
    e(
      at(14, 45, 31, 500),
      'ERROR',
      'settlement',
      'settlement batch failed batch=88121 error=PriceOutOfBandException',
    ),
    // After the halt.
    e(at(14, 45, 33, 0), 'INFO', 'exchange-gateway', 'halt in effect duration_s=5'),
    e(at(14, 45, 33, 5), 'INFO', 'exchange-gateway', 'trading resumed instrument=ES-M10'),
    e(at(14, 47, 10, 0), 'INFO', 'pricing', 'prices recovering symbol=ACN price=39.80'),
  ];
}

/** Lines of the sample, in time order, with the malformed ones real logs carry. */
export function flashCrashLines(seed = 20100506): Array<string | Buffer> {
  const r = mulberry32(seed);
  const entries: Entry[] = story();
  // ~700 noise lines between 14:00 and 15:00.
  for (let t = at(14, 0, 0); t < at(15, 0, 0); t += Math.floor(2000 + r() * 8000)) {
    const [c, level, msg] = NOISE[Math.floor(r() * NOISE.length)]!;
    entries.push({ t, text: line(t, level, c, msg(r)) });
  }
  entries.sort((a, b) => a.t - b.t);
  const out: Array<string | Buffer> = entries.map((e) => e.text);
  const insertAfter = (needle: string, extra: Array<string | Buffer>) => {
    const i = out.findIndex((l) => typeof l === 'string' && l.includes(needle));
    out.splice(i + 1, 0, ...extra);
  };
  insertAfter('settlement batch failed', [
    'com.example.settlement.PriceOutOfBandException: price 0.01 outside band [37.00, 45.00] for ACN',
    '\tat com.example.settlement.BandCheck.verify(BandCheck.java:88)',
    '\tat com.example.settlement.BatchRunner.run(BatchRunner.java:214)',
    '\t... 12 more',
  ]);
  insertAfter('login failed for user=ops-bot', [
    Buffer.from([0x00, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0xff, 0x03, 0x0a].slice(0, 8)),
  ]);
  insertAfter('feed delayed latency_ms=850', [
    Buffer.concat([
      Buffer.from('[2010-05-06 14:36:13.001] WARN - [market-data] symbol '),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
      Buffer.from(' not mapped'),
    ]),
  ]);
  insertAfter('inbound queue growing', [
    JSON.stringify({
      '@timestamp': '2010-05-06T14:38:20.500Z',
      'log.level': 'warn',
      service: { name: 'settlement' },
      message: 'settlement backlog growing backlog=420 latency_ms=640',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    }),
    '#### partial write from reporting',
  ]);
  insertAfter('trading resumed', [
    `${line(at(14, 45, 34, 0), 'INFO', 'exchange-gateway', 'post-halt session check ok')}\r`,
  ]);
  return out;
}

/** The sample file's bytes. */
export function flashCrashLog(seed?: number): Buffer {
  return Buffer.concat(
    flashCrashLines(seed).map((l) =>
      Buffer.concat([typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')]),
    ),
  );
}
