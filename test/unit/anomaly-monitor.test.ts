import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import {
  type AnomalyConfig,
  anomalyConfigFromEnv,
  defaultAnomalyConfig,
} from '../../analyzer/src/anomaly/config.ts';
import { Rng } from '../../analyzer/src/anomaly/eval/prng.ts';
import { AnomalyMonitor, msUntilUtc } from '../../analyzer/src/anomaly/monitor.ts';
import { AnomalyStore, SCHEMA_VERSION } from '../../analyzer/src/anomaly/store.ts';
import type { AnomalyRecord } from '../../analyzer/src/anomaly/types.ts';
import type { ClassifiedEvent } from '../../analyzer/src/core/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-anomaly-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const START = Date.UTC(2025, 2, 3); // Monday
const DAY = 86_400_000;

function config(name: string, extra: Partial<AnomalyConfig> = {}): AnomalyConfig {
  return defaultAnomalyConfig({ dbPath: join(dir, `${name}.sqlite`), recalcAtUtc: null, ...extra });
}

function busy(t: number): boolean {
  const d = new Date(t);
  return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 9 && d.getUTCHours() < 17;
}

/** Feed `days` of per-minute samples of one seasonal series straight into the monitor. */
function train(m: AnomalyMonitor, days: number, fromDay = 0): void {
  const rng = new Rng(11);
  for (let i = fromDay * 1440; i < (fromDay + days) * 1440; i++) {
    const t = START + i * 60_000;
    m.ingest([{ series: 'api:errors', minute: t, value: rng.poisson(busy(t) ? 20 : 1) }]);
  }
}

function event(at: number, level: 'ERROR' | 'INFO', crumb: boolean, traceId?: string): ClassifiedEvent {
  const ev = {
    source: 'app.log',
    offset: 0,
    nextOffset: 1,
    lineNo: 1,
    format: 'json' as const,
    timestamp: at,
    level,
    component: 'api',
    message: crumb ? 'pool exhausted' : 'ok',
    fields: {},
    ...(traceId ? { traceId } : {}),
  };
  return {
    event: ev,
    breadcrumb: crumb ? { event: ev, category: 'stress', symbol: '🟡', ruleId: 'pool', severity: 3 } : null,
  };
}

describe('AnomalyMonitor end to end', () => {
  test('events at 3 a.m. on Sunday at a busy-hour level raise a SEV with context, metrics and the hook', async () => {
    const registry = new Registry();
    const m = new AnomalyMonitor({ config: config('e2e'), registry });
    const seen: AnomalyRecord[] = [];
    m.onAnomaly((a) => seen.push(a));
    m.onAnomaly(() => {
      throw new Error('a broken listener must not stop the others');
    });
    try {
      train(m, 21);
      const r = m.recalculate();
      assert.equal(r.series, 1);
      assert.ok(r.cells >= 168 + 24 + 1);
      assert.equal(r.samples, 21 * 1440);
      const t = START + 27 * DAY + 3 * 3_600_000; // Sunday 03:00
      for (let i = 0; i < 25; i++)
        m.write(event(t + i * 2000, 'ERROR', i < 3, i < 3 ? `trace-${i}` : undefined));
      m.write(event(t + 5 * 60_000, 'INFO', false)); // moves event time on: the 03:00 minute closes
      assert.match(await registry.metrics(), /crumbtrail_anomaly_severity\{series="api:errors"\} 1/);
      m.write(event(t + 10 * 60_000, 'INFO', false)); // closes 03:05 (and zero-fills 03:01…03:04)
      assert.equal(seen.length, 1, `anomalies: ${JSON.stringify(seen.map((a) => a.id))}`);
      const a = seen[0]!;
      assert.equal(a.series, 'api:errors');
      assert.equal(a.value, 25);
      assert.equal(a.sev, 1);
      assert.equal(a.scope, 'bucket');
      assert.equal(a.fellBack, false);
      assert.equal(a.percentile, 99.9);
      assert.deepEqual(a.bucket, { dayOfWeek: 0, hour: 3, hourOfWeek: 3 });
      assert.equal(a.breadcrumbs.length, 3);
      assert.deepEqual(new Set(a.traceIds), new Set(['trace-0', 'trace-1', 'trace-2']));
      assert.deepEqual(
        m.anomalies({ sev: 1 }).map((x) => x.id),
        [a.id],
      );
      const text = await registry.metrics();
      assert.match(text, /crumbtrail_anomalies_total\{sev="SEV1"\} 1/);
      assert.match(text, /crumbtrail_anomalies_total\{sev="SEV3"\} 0/);
      // The minutes after the anomaly were normal again (0 errors at night): the gauge went back to 0.
      assert.match(text, /crumbtrail_anomaly_severity\{series="api:errors"\} 0/);
    } finally {
      m.close();
    }
  });

  test('the gauge shows the severity while the latest sample is anomalous', async () => {
    const registry = new Registry();
    const m = new AnomalyMonitor({ config: config('gauge'), registry });
    try {
      train(m, 21);
      m.recalculate();
      m.ingest([{ series: 'api:errors', minute: START + 27 * DAY + 3 * 3_600_000, value: 30 }]);
      assert.match(await registry.metrics(), /crumbtrail_anomaly_severity\{series="api:errors"\} 1/);
    } finally {
      m.close();
    }
  });
});

describe('persistence and retention', () => {
  test('baselines, thresholds and anomalies survive close + reopen', () => {
    const cfg = config('restart');
    const a = new AnomalyMonitor({ config: cfg });
    train(a, 21);
    a.recalculate();
    const sample = { series: 'api:errors', minute: START + 27 * DAY + 3 * 3_600_000, value: 20 };
    const before = a.judge(sample);
    const found = a.ingest([sample]);
    assert.equal(found.length, 1);
    a.close();

    const b = new AnomalyMonitor({ config: cfg });
    try {
      const again = b.judge(sample);
      assert.ok(before && again);
      assert.equal(again.z, before.z);
      assert.equal(again.hit?.sev, before.hit?.sev);
      assert.equal(b.anomaly(found[0]!.id)?.value, 20);
      // The partial days came back too: a recalculation from them gives the same model.
      const r = b.recalculate();
      assert.equal(r.samples, 21 * 1440 + 1);
      assert.equal(b.judge(sample)?.hit?.sev, before.hit?.sev);
    } finally {
      b.close();
    }
    const store = new AnomalyStore(cfg.dbPath);
    try {
      assert.equal(store.schemaVersion(), SCHEMA_VERSION);
      assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      store.close();
    }
  });

  test('days outside the window and anomalies past retention are dropped', () => {
    const cfg = config('retention', { windowDays: 7, retentionDays: 3 });
    const m = new AnomalyMonitor({ config: cfg });
    try {
      train(m, 3);
      m.recalculate();
      const old = m.ingest([{ series: 'api:errors', minute: START + 2 * DAY + 3 * 3_600_000, value: 40 }]);
      assert.equal(old.length, 1);
      train(m, 7, 3); // data time moves to the end of day 9
      const r = m.recalculate();
      assert.equal(r.samples, 7 * 1440);
      assert.equal(r.daysDropped, 3 * 24);
      assert.ok(r.anomaliesDropped >= 1);
      assert.equal(m.anomaly(old[0]!.id), undefined);
      const cutoff = START + 10 * DAY - 60_000 - 3 * DAY;
      assert.ok(m.anomalies({ limit: 5000 }).every((a) => a.at >= cutoff));
    } finally {
      m.close();
    }
    const store = new AnomalyStore(cfg.dbPath);
    try {
      assert.equal(store.loadPartials(0).filter((p) => p.day < Math.floor(START / DAY) + 3).length, 0);
    } finally {
      store.close();
    }
  });

  test('a database from a newer analyzer is refused with a clear message', () => {
    const p = join(dir, 'future.sqlite');
    const s = new AnomalyStore(p);
    s.db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION + 5, 0);
    s.close();
    assert.throws(() => new AnomalyStore(p), /newer than this analyzer knows/);
  });
});

describe('configuration and scheduling', () => {
  test('env overrides are validated with the key named', () => {
    const c = anomalyConfigFromEnv({
      CRUMBTRAIL_ANOMALY_TZ: 'Europe/Paris',
      CRUMBTRAIL_ANOMALY_WINDOW_DAYS: '14',
    });
    assert.equal(c.timeZone, 'Europe/Paris');
    assert.equal(c.windowDays, 14);
    assert.throws(
      () => anomalyConfigFromEnv({ CRUMBTRAIL_ANOMALY_TZ: 'Mars/Olympus' }),
      /CRUMBTRAIL_ANOMALY_TZ/,
    );
    assert.throws(() => anomalyConfigFromEnv({ CRUMBTRAIL_ANOMALY_RECALC_AT: '25:00' }), /RECALC_AT/);
    assert.throws(() => anomalyConfigFromEnv({ CRUMBTRAIL_ANOMALY_WINDOW_DAYS: 'x' }), /WINDOW_DAYS=x/);
  });

  test('the nightly recalculation is scheduled at the next HH:MM UTC', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0);
    assert.equal(msUntilUtc('02:30', now), 14.5 * 3_600_000);
    assert.equal(msUntilUtc('12:00', now), DAY);
  });
});
