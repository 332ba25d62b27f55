// The service wiring with small stand-ins for the tailer and stages: counts, acks → checkpoints, idle flush,
// backpressure, and the JSON API. The real modules are exercised in test/integration/service-*.test.ts.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ClassifiedEvent } from '../../analyzer/src/core/types.ts';
import type { AckingSink } from '../../analyzer/src/sinks/sink.ts';
import { standInService } from '../helpers/service-standin.ts';
import { waitFor } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-app-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const until = (cond: () => boolean, what: string, ms = 5000) => waitFor(cond, what, ms);
const service = (
  extra: string[] = [],
  sinks: AckingSink[] = [],
  timing = { idleFlushMs: 50, commitIntervalMs: 20 },
) => standInService(dir, extra, sinks, {}, {}, timing);

describe('service wiring', () => {
  test('events are counted, held events flushed at idle, and the checkpoint reaches the end', async () => {
    const { svc, tailer } = service();
    const addr = await svc.start();
    try {
      await tailer().feed(['INFO api hello', 'ERROR db down', ' at stack', 'INFO api <b>x</b>']);
      await until(() => tailer().commits.at(-1)?.[1] === tailer().file.size, 'checkpoint at end of file');
      const metrics = await (await fetch(`http://127.0.0.1:${addr.port}/metrics`)).text();
      assert.match(metrics, /crumbtrail_log_lines_total\{level="INFO",component="api"\} 2/);
      assert.match(metrics, /crumbtrail_log_lines_total\{level="ERROR",component="db"\} 1/);
      assert.match(metrics, /crumbtrail_stage_events_in_total\{stage="multiline"\} 4/);
      const stats = (await (await fetch(`http://127.0.0.1:${addr.port}/stats`)).json()) as {
        totals: { events: number; linesRead: number };
      };
      assert.equal(stats.totals.events, 3);
      assert.equal(stats.totals.linesRead, 4);
      const crumbs = (await (
        await fetch(`http://127.0.0.1:${addr.port}/api/breadcrumbs?category=trigger`)
      ).json()) as { breadcrumbs: { message: string }[] };
      assert.deepEqual(
        crumbs.breadcrumbs.map((b) => b.message),
        ['<b>x</b>'],
      );
    } finally {
      await svc.stop();
    }
  });

  test('a lone held line is flushed by the idle timer, not the (slow) commit tick', async () => {
    // A commit tick of a minute: only the idle-flush timer can release the held event in time.
    const { svc, tailer } = service([], [], { idleFlushMs: 30, commitIntervalMs: 60_000 });
    const addr = await svc.start();
    try {
      await tailer().feed(['CRITICAL api alone']);
      const seen = async () =>
        /crumbtrail_log_lines_total\{level="CRITICAL",component="api"\} 1/.test(
          await (await fetch(`http://127.0.0.1:${addr.port}/metrics`)).text(),
        );
      await waitFor(seen, 'the lone line on /metrics', 5000);
    } finally {
      await svc.stop();
    }
  });

  test('a stage that throws records the error and the checkpoint still moves past the line', async () => {
    const { svc, tailer } = service();
    const addr = await svc.start();
    try {
      await tailer().feed(['INFO api a', 'BOOM']);
      await until(
        () => tailer().commits.at(-1)?.[1] === tailer().file.size,
        'checkpoint past the broken line',
      );
      const errors = (await (await fetch(`http://127.0.0.1:${addr.port}/errors`)).json()) as {
        errors: { stage: string; line: string }[];
      };
      assert.deepEqual(
        errors.errors.map((e) => [e.stage, e.line]),
        [['parse', 'BOOM']],
      );
    } finally {
      await svc.stop();
    }
  });

  test('a sink holds the checkpoint until it acks; saturation pauses the tailer', async () => {
    const written: ClassifiedEvent[] = [];
    let ack: ((k: string, off: number) => void) | null = null;
    const sink: AckingSink = {
      name: 'standin',
      saturated: false,
      accepts: (c) => c.breadcrumb !== null,
      write: (c) => void written.push(c),
      flush: async () => {},
      close: async () => {},
      ready: () => true,
      stats: () => ({ queued: written.length }),
    };
    const { svc, tailer } = service([], [sink]);
    ack = (k, off) => svc.ackTracker.ack(k, off);
    await svc.start();
    try {
      await tailer().feed(['INFO api <b>1</b>', 'INFO api 2', 'INFO api 3']);
      await until(() => written.length === 1, 'breadcrumb in the sink');
      // Two full commit passes after the write: had the checkpoint been free to move, it would have.
      const rounds = () => (svc.stats().pipeline as { commitRounds: number }).commitRounds;
      const seen = rounds();
      await until(() => rounds() >= seen + 2, 'two commit passes');
      assert.ok((tailer().commits.at(-1)?.[1] ?? 0) === 0, 'nothing committed before the sink acks');
      ack('f1', written[0]!.event.nextOffset);
      await until(() => tailer().commits.at(-1)?.[1] === tailer().file.size, 'checkpoint after the ack');
      (sink as { saturated: boolean }).saturated = true;
      await tailer().feed(['INFO api 4']);
      assert.equal(tailer().paused, true);
      (sink as { saturated: boolean }).saturated = false;
      await until(() => !tailer().paused, 'resume after saturation clears');
    } finally {
      await svc.stop();
    }
  });

  test('--output writes JSON lines and --save-metrics a snapshot on stop', async () => {
    const out = join(dir, 'out.jsonl');
    const snap = join(dir, 'metrics.json');
    const { svc, tailer } = service(['--output', out, '--save-metrics', snap]);
    await svc.start();
    await tailer().feed(['INFO api one', 'WARN api two']);
    await svc.stop();
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string });
    assert.deepEqual(
      lines.map((l) => l.level),
      ['INFO', 'WARN'],
    );
    const saved = JSON.parse(readFileSync(snap, 'utf8')) as {
      totals: { events: number };
      metrics: { name: string }[];
    };
    assert.equal(saved.totals.events, 2);
    assert.ok(saved.metrics.some((m) => m.name === 'crumbtrail_log_lines_total'));
    assert.equal(tailer().commits.at(-1)?.[1], tailer().file.size);
  });

  test('Alertmanager webhook: POST stores, GET lists, a wrong body is a 400', async () => {
    const { svc } = service();
    const addr = await svc.start();
    try {
      const url = `http://127.0.0.1:${addr.port}/api/alerts`;
      const payload = {
        version: '4',
        status: 'firing',
        receiver: 'crumbtrail',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'CrumbtrailCritical' },
            annotations: {},
            startsAt: '2026-01-01T00:00:00Z',
            endsAt: '0001-01-01T00:00:00Z',
            fingerprint: 'abc',
          },
        ],
      };
      assert.equal((await fetch(url, { method: 'POST', body: JSON.stringify(payload) })).status, 200);
      assert.equal((await fetch(url, { method: 'POST', body: '{"nope":1}' })).status, 400);
      const got = (await (await fetch(url)).json()) as { alerts: { labels: Record<string, string> }[] };
      assert.equal(got.alerts[0]?.labels.alertname, 'CrumbtrailCritical');
      assert.equal((await fetch(`http://127.0.0.1:${addr.port}/readyz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${addr.port}/api/breadcrumbs?severity=9`)).status, 400);
    } finally {
      await svc.stop();
    }
  });
});
