// The service under faults it must absorb: an observer that throws, offsets the ack tracker cannot honour,
// event times far from the clock, an --output whose directory vanishes, files rotating away (bounded state).
// Each test failed on the code before the fix (issue 14, findings 1, 4, 5, 9 and 10).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AckTracker } from '../../analyzer/src/core/ack.ts';
import type { ClassifiedEvent } from '../../analyzer/src/core/types.ts';
import type { EventObserver } from '../../analyzer/src/service/app.ts';
import type { AckingSink } from '../../analyzer/src/sinks/sink.ts';
import { standInService } from '../helpers/service-standin.ts';
import { waitFor } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-faults-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A sink that takes every event and acks it at once (so the checkpoint follows what it stored). */
function storingSink(svcAck: () => AckTracker): AckingSink & { stored: ClassifiedEvent[] } {
  const stored: ClassifiedEvent[] = [];
  return {
    name: 'store',
    stored,
    saturated: false,
    accepts: () => true,
    write(c) {
      stored.push(c);
      svcAck().ack(c.event.fileId ?? c.event.source, c.event.nextOffset);
    },
    flush: async () => {},
    close: async () => {},
    ready: () => true,
    stats: () => ({ stored: stored.length }),
  };
}

describe('the ack tracker refuses what it cannot honour', () => {
  test('an offset at or below the committed one is refused and does not freeze the queue', () => {
    const acks = new AckTracker();
    acks.reset('f', 100);
    assert.equal(acks.track('f', 50), false, 'below committed');
    assert.equal(acks.track('f', 100), false, 'at committed');
    assert.equal(acks.track('f', 150), true);
    assert.equal(acks.track('f', 150), false, 'not increasing');
    acks.ack('f', 150);
    assert.equal(acks.committed('f'), 150);
    assert.equal(acks.inFlight(), 0);
    acks.ack('f', 999); // unknown: ignored, and not kept
    assert.equal(acks.track('f', 200), true);
    acks.ack('f', 200);
    assert.equal(acks.committed('f'), 200);
    assert.equal(acks.rejected, 3);
  });
});

describe('service faults', () => {
  test('an observer that throws is isolated: every event ships, the checkpoint reaches the end, /readyz and /metrics say so', async () => {
    let svcRef: { ackTracker: AckTracker } | null = null;
    const sink = storingSink(() => svcRef!.ackTracker);
    let seen = 0;
    const observer: EventObserver = {
      name: 'anomalies',
      write(ce) {
        seen++;
        if (ce.event.message.includes('poison')) throw new Error('SQLITE_FULL: database or disk is full');
      },
    };
    const { svc, tailer } = standInService(dir, [], [sink], { observers: [observer] });
    svcRef = svc;
    const addr = await svc.start();
    try {
      // The poison line is in the file's first batch: the case that used to commit past unshipped events.
      await tailer().feed(['INFO api one', 'INFO api poison', 'INFO api three', 'INFO api four']);
      await tailer().feed(['INFO api five']);
      await waitFor(() => tailer().commits.at(-1)?.[1] === tailer().file.size, 'checkpoint at the end');
      assert.deepEqual(
        sink.stored.map((c) => c.event.message),
        ['one', 'poison', 'three', 'four', 'five'],
        'every event reached the sink, in order',
      );
      assert.equal(seen, 5, 'the observer saw every event');
      const ready = await fetch(`http://127.0.0.1:${addr.port}/readyz`);
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { reasons: string[]; checks: Record<string, boolean> };
      assert.equal(body.checks['observer:anomalies'], false);
      assert.match(body.reasons.join('\n'), /observer anomalies failed 1 time\(s\), last: SQLITE_FULL/);
      const metrics = await (await fetch(`http://127.0.0.1:${addr.port}/metrics`)).text();
      assert.match(metrics, /crumbtrail_observer_errors_total\{observer="anomalies"\} 1/);
      assert.match(metrics, /crumbtrail_tailer_errors_total 0/);
      const stats = svc.stats() as { tailer: unknown; pipeline: { inFlight: number } };
      assert.ok(stats.tailer, '/stats carries the tailer stats');
      assert.equal(stats.pipeline.inFlight, 0);
    } finally {
      await svc.stop();
    }
  });

  test('an event dated far ahead or behind ships but stays out of the observers and the timeline', async () => {
    const observed: string[] = [];
    const timeline: string[] = [];
    let svcRef: { ackTracker: AckTracker } | null = null;
    const sink = storingSink(() => svcRef!.ackTracker);
    const { svc, tailer } = standInService(dir, [], [sink], {
      observers: [{ name: 'anomalies', write: (ce) => void observed.push(ce.event.message) }],
      incidents: () => ({
        add: (b) => {
          timeline.push(b.event.message);
          return null;
        },
      }),
    });
    svcRef = svc;
    const addr = await svc.start();
    try {
      const y2099 = Date.UTC(2099, 0, 1);
      const y2001 = Date.UTC(2001, 0, 1);
      await tailer().feed([
        'INFO api now-1',
        `ERROR api @${y2099} <b>from-2099</b>`,
        `ERROR api @${y2001} <b>from-2001</b>`,
        'ERROR api <b>now-2</b>',
      ]);
      await waitFor(() => tailer().commits.at(-1)?.[1] === tailer().file.size, 'checkpoint at the end');
      assert.equal(sink.stored.length, 4, 'all four shipped');
      assert.deepEqual(observed, ['now-1', '<b>now-2</b>']);
      assert.deepEqual(timeline, ['<b>now-2</b>']);
      const stats = svc.stats() as { health: { quarantined: { future: number; past: number } } };
      assert.deepEqual(stats.health.quarantined, { future: 1, past: 1 });
      const metrics = await (await fetch(`http://127.0.0.1:${addr.port}/metrics`)).text();
      assert.match(metrics, /crumbtrail_events_quarantined_total\{reason="future"\} 1/);
      assert.match(metrics, /crumbtrail_events_quarantined_total\{reason="past"\} 1/);
    } finally {
      await svc.stop();
    }
  });

  test('--output whose directory is missing pauses (not ready, with the reason), holds the checkpoint, and resumes', async () => {
    const outDir = join(dir, 'out-gone');
    const out = join(outDir, 'events.jsonl');
    const logs: string[] = [];
    const { svc, tailer } = standInService(dir, ['--output', out], [], { log: (l) => logs.push(l) });
    const addr = await svc.start();
    try {
      const feeding = tailer().feed(['INFO api a', 'INFO api b']);
      await waitFor(() => svc.readiness().reasons.some((r) => /output events paused/.test(r)), 'paused');
      const ready = (await (await fetch(`http://127.0.0.1:${addr.port}/readyz`)).json()) as {
        ready: boolean;
        reasons: string[];
      };
      assert.equal(ready.ready, false);
      assert.match(
        ready.reasons.join('\n'),
        /cannot write .*events\.jsonl: ENOENT \(the directory is gone\)/,
      );
      assert.ok(
        (tailer().commits.at(-1)?.[1] ?? 0) === 0,
        'no checkpoint past lines the output has not written',
      );
      mkdirSync(outDir);
      await feeding;
      await waitFor(() => svc.readiness().ready, 'ready again once the directory is back', 10_000);
      await waitFor(
        () => tailer().commits.at(-1)?.[1] === tailer().file.size,
        `checkpoint after resume ${JSON.stringify(tailer().commits)} ${tailer().file.size}`,
      );
      assert.deepEqual(
        readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { message: string }).message),
        ['a', 'b'],
      );
      assert.ok(logs.some((l) => l.startsWith('output paused:')));
      assert.ok(logs.some((l) => l.startsWith('output resumed:')));
      // The directory vanishes while the file is open: writes to the unlinked file would go nowhere.
      rmSync(outDir, { recursive: true });
      const again = tailer().feed(['INFO api c']);
      await waitFor(() => !svc.readiness().ready, 'paused again after the directory vanished');
      mkdirSync(outDir);
      await again;
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('"c"'), 'c written');
    } finally {
      await svc.stop();
    }
  });

  test('/errors shows lines a stage failed on only after redaction (they are read before the redact stage)', async () => {
    const { svc, tailer } = standInService(dir);
    const addr = await svc.start();
    try {
      await tailer().feed([
        'BOOM login user=ann@example.com password=hunter2 Authorization: Bearer abcdef123456',
      ]);
      await waitFor(
        () => svc.stats().pipeline !== undefined && (svc.stats().pipeline as { errors: number }).errors === 1,
        'the parse error',
      );
      const body = (await (await fetch(`http://127.0.0.1:${addr.port}/errors`)).json()) as {
        errors: { stage: string; line: string }[];
      };
      const line = body.errors[0]?.line ?? '';
      assert.equal(body.errors[0]?.stage, 'parse');
      assert.doesNotMatch(line, /hunter2|ann@example\.com|abcdef123456/);
      assert.match(line, /\[REDACTED\]/);
    } finally {
      await svc.stop();
    }
  });

  test('per-file bookkeeping is dropped once a file has rotated away and nothing is pending', async () => {
    const { svc, tailer } = standInService(dir);
    await svc.start();
    try {
      for (let i = 0; i < 20; i++) {
        const t = tailer();
        t.file = { fileId: `gen-${i}`, path: '/logs/a.log', readOffset: 0, committedOffset: 0, size: 0 };
        t.restartOffsets();
        await t.feed([`INFO api line-${i}`]);
        await waitFor(() => t.commits.at(-1)?.[0] === `gen-${i}`, `checkpoint of generation ${i}`);
      }
      await waitFor(() => svc.trackedFiles() <= 1, 'only the open file is tracked');
    } finally {
      await svc.stop();
    }
  });
});
