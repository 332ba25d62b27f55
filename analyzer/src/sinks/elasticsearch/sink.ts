// The Elasticsearch sink: at-least-once, never duplicated (deterministic _id + op_type create), never dropped.
//
// Items wait in a queue; batches (by count, bytes or age) go out through the client's transport as one _bulk
// request each. Every item is in at most one request at a time. Per item: 2xx or 409 (already stored) → ack;
// 429/5xx → back into the queue (front), retried after a capped, fully jittered exponential backoff, forever;
// other 4xx → dead-letter file, then ack. A failed request (refused, timeout, 429, 5xx) re-queues its whole batch.
// The queue is bounded: past maxQueueEvents/maxQueueBytes `saturated` turns true and the service stops reading.
//
// Duplicates across a rollover: `create` conflicts only inside one backing index, so a document stored before a
// rollover and re-sent after it would be stored twice. Each document carries its _id in crumbtrail.event_id, and
// on the two paths where a resend can happen — the first documents after start (lines re-read from the last
// checkpoint) and a batch whose request failed with an unknown outcome (timeout, connection lost) — the sink
// asks the data stream (a terms query on crumbtrail.event_id, all backing indices) which ids are stored and
// acks those without sending them. See resend-check.ts for how long the start window stays open.
import { Client, errors, type TransportResult } from '@elastic/elasticsearch';
import type { Registry } from 'prom-client';
import type { AckTracker } from '../../core/ack.ts';
import type { ClassifiedEvent } from '../../core/types.ts';
import type { AckingSink } from '../sink.ts';
import { fullJitterDelay } from './backoff.ts';
import type { ElasticsearchSinkConfig } from './config.ts';
import { type DeadLetter, DeadLetterFile } from './dead-letter.ts';
import {
  ackKey,
  breadcrumbDocument,
  createAction,
  datasetOf,
  documentId,
  type ShippableEvent,
} from './document.ts';
import { createEsMetrics, type EsMetrics, type RetryReason } from './metrics.ts';
import { ResendWindow, storedIds } from './resend-check.ts';
import { type Scrubber, secretScrubber } from './scrub.ts';

export interface SinkLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface ElasticsearchSinkDeps {
  acks: AckTracker;
  registry: Registry;
  log?: SinkLogger;
  /** For tests: deterministic jitter. */
  random?: () => number;
}

export interface ElasticsearchSink extends AckingSink {
  /**
   * Queue any document that is not a log event (e.g. an anomaly) for `index` with a caller-chosen idempotent `id`.
   * Nothing is acked for it. Such documents may fill at most a tenth of the queue (documentQueueCap), so they can
   * never hold the service in backpressure on their own; past that bound (or once closed) the document is refused:
   * false is returned and it is counted in stats().documentsDropped.
   */
  writeDocument(index: string, id: string, doc: Record<string, unknown>, onStored?: () => void): boolean;
}

/** Non-acked documents (anomalies) the queue holds at most: a tenth of maxQueueEvents, at least one. */
export function documentQueueCap(cfg: Pick<ElasticsearchSinkConfig, 'maxQueueEvents'>): number {
  return Math.max(1, Math.floor(cfg.maxQueueEvents / 10));
}

interface QueueItem {
  id: string;
  index: string;
  /** The NDJSON pair, action line + document line, each newline-terminated. */
  ndjson: string;
  bytes: number;
  enqueuedAt: number;
  ackKey?: string;
  nextOffset?: number;
  onStored?: () => void;
  /** Sent alone after a whole-request 400/413 on a multi-item batch: finds the one bad document. */
  solo: boolean;
  /** A request carrying it failed with an unknown outcome: ask whether it is stored before sending again. */
  verify: boolean;
}

type ItemOutcome = 'stored' | 'retry' | 'dead';

// Keep the response small on real clusters; the stand-in ignores it. Order of `items` is unaffected.
const FILTER_PATH = 'errors,items.*._id,items.*.status,items.*.error.type,items.*.error.reason';
const LOW_WATER = 0.5;

export function createElasticsearchSink(
  cfg: ElasticsearchSinkConfig,
  deps: ElasticsearchSinkDeps,
): ElasticsearchSink {
  return new EsSink(cfg, deps);
}

class EsSink implements ElasticsearchSink {
  readonly name = 'elasticsearch';
  private readonly client: Client;
  private readonly metrics: EsMetrics;
  private readonly scrub: Scrubber;
  private readonly deadLetters: DeadLetterFile;
  private readonly log: SinkLogger;
  private readonly random: () => number;
  private readonly dataset: string;

  /** Items waiting to be sent; retries go to `retry`, which is served first. */
  private pending: QueueItem[] = [];
  private head = 0;
  private retry: QueueItem[] = [];
  private queuedItems = 0; // pending + retry + in flight
  private queuedBytes = 0;
  /** Queued or in-flight items that carry no ack (writeDocument), bounded by documentQueueCap. */
  private queuedDocuments = 0;
  private documentsDropped = 0;
  private readonly maxDocuments: number;
  private waitingBytes = 0; // pending + retry, not in flight: the byte trigger of a batch
  private inFlightRequests = 0;
  private readonly controllers = new Set<AbortController>();

  private pauseUntil = 0;
  private failureStreak = 0;
  private lastFailure: RetryReason | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private readonly probeTimer: NodeJS.Timeout;
  private probing = false;
  private lastContactAt = 0;

  private up = false;
  private isSaturated = false;
  private flushWaiters: (() => void)[] = [];
  private closed = false;

  private counts = { written: 0, acked: 0, deadLettered: 0, retried: 0, batches: 0, failedRequests: 0 };
  private readonly resend: ResendWindow;
  private lastError = '';
  /** The cluster refused our credentials (401) or privileges (403): reachable, but nothing can be stored. */
  private authFailure: { status: number; from: 'bulk' | 'probe' } | null = null;

  constructor(
    private readonly cfg: ElasticsearchSinkConfig,
    deps: ElasticsearchSinkDeps,
  ) {
    this.acks = deps.acks;
    this.metrics = createEsMetrics(deps.registry);
    this.scrub = secretScrubber(cfg.auth);
    this.deadLetters = new DeadLetterFile(cfg.deadLetterPath);
    this.log = deps.log ?? stderrLogger;
    this.random = deps.random ?? Math.random;
    this.dataset = datasetOf(cfg.dataStream);
    this.maxDocuments = documentQueueCap(cfg);
    this.resend = new ResendWindow(cfg.maxQueueEvents);
    this.client = new Client({
      node: cfg.url,
      ...(cfg.auth ? { auth: cfg.auth } : {}),
      ...(cfg.caPem ? { tls: { ca: cfg.caPem } } : {}),
      // Our loop owns every retry (with metrics and jitter); the transport must not add hidden ones.
      maxRetries: 0,
      requestTimeout: cfg.requestTimeoutMs,
      // Mask credentials in any error the client builds (default is 'replace'; stated here on purpose).
      redaction: { type: 'replace', additionalKeys: ['authorization', 'apiKey', 'password'] },
    });
    this.metrics.up.set(0);
    this.metrics.queue.set(0);
    this.probeTimer = setInterval(() => void this.probe(), cfg.probeIntervalMs);
    this.probeTimer.unref();
    void this.probe();
  }

  private readonly acks: AckTracker;

  accepts(item: ClassifiedEvent): boolean {
    return this.cfg.shipMode === 'all' || item.breadcrumb !== null;
  }

  write(item: ShippableEvent): void {
    if (this.closed) return; // not acked: the line is read again after restart
    const e = item.event;
    const key = ackKey(item);
    const id = documentId(key, e.offset);
    const doc = breadcrumbDocument(item, {
      maxMessageChars: this.cfg.maxMessageChars,
      dataset: this.dataset,
    });
    this.enqueue(this.cfg.dataStream, id, doc, { ackKey: key, nextOffset: e.nextOffset });
  }

  writeDocument(index: string, id: string, doc: Record<string, unknown>, onStored?: () => void): boolean {
    if (this.closed || this.queuedDocuments >= this.maxDocuments) {
      this.documentsDropped++;
      // First refusal, then every 100th: an outage must not turn into a log flood.
      if (!this.closed && this.documentsDropped % 100 === 1)
        this.log.warn('document queue full; document not shipped', {
          index,
          dropped: this.documentsDropped,
          cap: this.maxDocuments,
        });
      return false;
    }
    this.queuedDocuments++;
    this.enqueue(index, id, doc, onStored ? { onStored } : {});
    return true;
  }

  get saturated(): boolean {
    return this.isSaturated;
  }

  ready(): boolean {
    return this.up && !this.closed && this.authFailure === null;
  }

  notReadyReason(): string {
    if (this.closed) return 'closed';
    if (this.authFailure) return authReason(this.authFailure.status);
    if (!this.up) return `unreachable${this.lastError ? ` (${this.lastError})` : ''}`;
    return '';
  }

  /** 401/403 → not ready with the reason, one log line per episode; any success of the same kind clears it. */
  private noteAuth(status: number | null, from: 'bulk' | 'probe'): void {
    if (status === 401 || status === 403) {
      if (this.authFailure === null) this.log.error(`${authReason(status)}; retrying`, { status });
      this.authFailure = { status, from };
      return;
    }
    // A probe that passes says nothing about bulk privileges: only a stored batch clears a bulk refusal.
    if (this.authFailure && (from === 'bulk' || this.authFailure.from === 'probe')) {
      this.authFailure = null;
      this.log.info('elasticsearch accepts the credentials again', {});
    }
  }

  async flush(timeoutMs: number): Promise<void> {
    if (this.queuedItems === 0) return;
    let timeout: NodeJS.Timeout | undefined;
    let waiter: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      waiter = resolve;
      this.flushWaiters.push(resolve);
      timeout = setTimeout(resolve, timeoutMs);
      this.pump();
    });
    clearTimeout(timeout);
    this.flushWaiters = this.flushWaiters.filter((w) => w !== waiter);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.probeTimer);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // In-flight requests are abandoned, not awaited: their items stay un-acked and are re-read after restart.
    for (const c of this.controllers) c.abort();
    for (const w of this.flushWaiters.splice(0)) w();
    await this.client.close().catch(() => undefined);
  }

  stats(): Record<string, number | string | boolean> {
    return {
      url: this.scrub(this.cfg.url),
      dataStream: this.cfg.dataStream,
      up: this.up,
      saturated: this.isSaturated,
      queued: this.queuedItems,
      queuedBytes: this.queuedBytes,
      queuedDocuments: this.queuedDocuments,
      documentsDropped: this.documentsDropped,
      inFlightRequests: this.inFlightRequests,
      written: this.counts.written,
      acked: this.counts.acked,
      deadLettered: this.counts.deadLettered,
      retried: this.counts.retried,
      batches: this.counts.batches,
      failedRequests: this.counts.failedRequests,
      backoffMs: Math.max(0, this.pauseUntil - Date.now()),
      lastError: this.lastError,
      ...this.resend.stats(),
    };
  }

  // ---- queue ----

  private enqueue(
    index: string,
    id: string,
    doc: Record<string, unknown>,
    ack: { ackKey?: string; nextOffset?: number; onStored?: () => void },
  ): void {
    // The _id, stored: the only way to find this document again across the data stream's backing indices.
    const crumbtrail = { ...(doc.crumbtrail as Record<string, unknown> | undefined), event_id: id };
    const ndjson =
      JSON.stringify(createAction(index, id)) + '\n' + JSON.stringify({ ...doc, crumbtrail }) + '\n';
    const item: QueueItem = {
      id,
      index,
      ndjson,
      bytes: Buffer.byteLength(ndjson),
      enqueuedAt: Date.now(),
      solo: false,
      verify: false,
      ...ack,
    };
    this.pending.push(item);
    this.queuedItems++;
    this.queuedBytes += item.bytes;
    this.waitingBytes += item.bytes;
    this.counts.written++;
    this.updateQueueState();
    if (this.waitingItems() >= this.cfg.batchSize || this.waitingBytesAtLeast(this.cfg.batchBytes))
      this.pump();
    else this.schedule(item.enqueuedAt + this.cfg.flushIntervalMs);
  }

  private waitingItems(): number {
    return this.pending.length - this.head + this.retry.length;
  }

  private waitingBytesAtLeast(limit: number): boolean {
    return this.waitingBytes >= limit && this.waitingItems() > 0;
  }

  private oldestWaiting(): QueueItem | undefined {
    return this.retry[0] ?? this.pending[this.head];
  }

  private updateQueueState(): void {
    this.metrics.queue.set(this.queuedItems);
    const over = this.queuedItems >= this.cfg.maxQueueEvents || this.queuedBytes >= this.cfg.maxQueueBytes;
    const under =
      this.queuedItems <= this.cfg.maxQueueEvents * LOW_WATER &&
      this.queuedBytes <= this.cfg.maxQueueBytes * LOW_WATER;
    if (!this.isSaturated && over) this.isSaturated = true;
    else if (this.isSaturated && under) this.isSaturated = false;
    if (this.queuedItems === 0 && this.flushWaiters.length > 0)
      for (const w of this.flushWaiters.splice(0)) w();
  }

  private schedule(at: number): void {
    if (this.closed) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(0, at - Date.now()),
    );
  }

  /** Start as many batches as allowed now; otherwise arrange to be called again when one could start. */
  private pump(): void {
    while (!this.closed && this.inFlightRequests < this.cfg.concurrency && this.waitingItems() > 0) {
      const now = Date.now();
      if (now < this.pauseUntil) {
        this.schedule(this.pauseUntil);
        return;
      }
      const oldest = this.oldestWaiting()!;
      const due =
        this.flushWaiters.length > 0 ||
        this.retry.length > 0 ||
        this.waitingItems() >= this.cfg.batchSize ||
        this.waitingBytesAtLeast(this.cfg.batchBytes) ||
        now >= oldest.enqueuedAt + this.cfg.flushIntervalMs;
      if (!due) {
        this.schedule(oldest.enqueuedAt + this.cfg.flushIntervalMs);
        return;
      }
      void this.send(this.takeBatch());
    }
  }

  private takeBatch(): QueueItem[] {
    const batch: QueueItem[] = [];
    let bytes = 0;
    const fits = (it: QueueItem): boolean => {
      if (batch.length === 0) return true;
      if (it.solo || batch[0]!.solo) return false;
      return batch.length < this.cfg.batchSize && bytes + it.bytes <= this.cfg.batchBytes;
    };
    while (this.retry.length > 0 && fits(this.retry[0]!)) {
      const it = this.retry.shift()!;
      batch.push(it);
      bytes += it.bytes;
    }
    while (this.head < this.pending.length && fits(this.pending[this.head]!)) {
      const it = this.pending[this.head++]!;
      batch.push(it);
      bytes += it.bytes;
    }
    this.waitingBytes -= bytes;
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  // ---- one bulk request ----

  private async send(all: QueueItem[]): Promise<void> {
    this.inFlightRequests++;
    this.counts.batches++;
    const controller = new AbortController();
    this.controllers.add(controller);
    const t0 = performance.now();
    let outcomes: ItemOutcome[] | null = null;
    let failure: RetryReason | null = null;
    let itemErrors: unknown[] = [];
    let batch = all;
    try {
      batch = await this.skipStored(all, controller.signal);
      if (batch.length === 0) outcomes = [];
      else {
        const res: TransportResult<unknown, unknown> = await this.client.transport.request(
          {
            method: 'POST',
            path: '/_bulk',
            querystring: { filter_path: FILTER_PATH },
            bulkBody: batch.map((i) => i.ndjson).join(''),
          },
          { meta: true, signal: controller.signal, requestTimeout: this.cfg.requestTimeoutMs, maxRetries: 0 },
        );
        this.contact(true);
        this.noteAuth(null, 'bulk');
        const parsed = readBulkResponse(res.body, batch);
        if (parsed === null) failure = 'bad_response';
        else ({ outcomes, errors: itemErrors } = parsed);
      }
    } catch (err) {
      failure = this.classifyFailure(err, batch);
      const status = err instanceof errors.ResponseError ? (err.statusCode ?? 0) : 0;
      if (batch.length === 1 && (status === 400 || status === 413)) {
        // One document the cluster refuses as a whole request (too large, unparsable): dead-letter it.
        outcomes = ['dead'];
        itemErrors = [{ status, error: responseErrorBody(err) }];
        failure = null;
      }
    } finally {
      this.metrics.batchSeconds.observe((performance.now() - t0) / 1000);
      this.controllers.delete(controller);
    }

    if (this.closed) {
      this.inFlightRequests--;
      return; // abandoned: nothing acked, nothing re-queued
    }
    if (outcomes === null) {
      this.counts.failedRequests++;
      if (failure !== null) this.noteFailure(failure, batch.length);
      // The request may have been stored before the answer was lost: check before sending it again.
      if (failure === 'timeout' || failure === 'connection' || failure === 'bad_response')
        for (const it of batch) it.verify = true;
      this.requeue(batch);
    } else {
      await this.settle(batch, outcomes, itemErrors);
    }
    this.inFlightRequests--;
    this.updateQueueState();
    this.pump();
  }

  /**
   * The resend path only: items re-read after start (the window) or whose last request had an unknown outcome
   * are looked up by crumbtrail.event_id across each data stream; the stored ones are acked here, not sent.
   * Throws like a bulk request would (the caller re-queues the batch).
   */
  private async skipStored(batch: QueueItem[], signal: AbortSignal): Promise<QueueItem[]> {
    const inWindow = this.resend.open;
    const check = inWindow ? batch : batch.filter((it) => it.verify);
    if (check.length === 0 || this.resend.disabled) return batch;
    const t0 = performance.now();
    let stored: Set<string>;
    try {
      stored = await storedIds(this.client, check, {
        signal,
        requestTimeoutMs: this.cfg.requestTimeoutMs,
      });
    } catch (err) {
      if (err instanceof errors.ResponseError && (err.statusCode === 403 || err.statusCode === 401)) {
        // Without the `read` privilege there is nothing to ask: ship at least once, say what that risks.
        this.resend.disable();
        this.log.warn(
          'cannot search the data stream (no read privilege): a resend after a rollover may store a duplicate',
          { status: err.statusCode },
        );
        return batch;
      }
      throw err;
    } finally {
      this.resend.noteCost(performance.now() - t0);
    }
    const keep: QueueItem[] = [];
    const skipped: QueueItem[] = [];
    for (const it of batch) {
      if (stored.has(it.id) && (inWindow || it.verify)) skipped.push(it);
      else keep.push(it);
      it.verify = false;
    }
    if (inWindow) this.resend.checked(check.length, check.length - skipped.length);
    this.resend.skipped(skipped.length, check.length);
    for (const it of skipped) this.ackItem(it);
    return keep;
  }

  /** Map a thrown client error to a retry reason (and note a whole-request rejection of one bad document). */
  private classifyFailure(err: unknown, batch: QueueItem[]): RetryReason | null {
    this.lastError = this.scrub(err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(
      0,
      500,
    );
    if (err instanceof errors.RequestAbortedError) return null;
    if (err instanceof errors.TimeoutError) {
      this.contact(false);
      return 'timeout';
    }
    if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError) {
      this.contact(false);
      return 'connection';
    }
    if (err instanceof errors.ResponseError) {
      const status = err.statusCode ?? 0;
      if (status === 429) {
        this.contact(true);
        return 'http_429';
      }
      if (status >= 500) {
        this.contact(false);
        return 'http_5xx';
      }
      this.contact(true);
      this.noteAuth(status, 'bulk');
      // A whole-request 400/413 means one document (or the request size) is the problem: split to find it.
      if ((status === 400 || status === 413) && batch.length > 1) for (const it of batch) it.solo = true;
      return 'http_other';
    }
    this.contact(false);
    return 'bad_response';
  }

  private async settle(batch: QueueItem[], outcomes: ItemOutcome[], itemErrors: unknown[]): Promise<void> {
    const dead: DeadLetter[] = [];
    const deadItems: QueueItem[] = [];
    const stored: QueueItem[] = [];
    const again: QueueItem[] = [];
    let retryReason: RetryReason | null = null;
    for (let i = 0; i < batch.length; i++) {
      const it = batch[i]!;
      const o = outcomes[i]!;
      if (o === 'stored') stored.push(it);
      else if (o === 'retry') {
        again.push(it);
        retryReason = itemStatus(itemErrors[i]) === 429 ? 'item_429' : (retryReason ?? 'item_5xx');
      } else {
        deadItems.push(it);
        dead.push(deadLetterOf(it, itemErrors[i]));
      }
    }
    if (dead.length > 0) {
      try {
        await this.deadLetters.append(dead);
        this.metrics.deadLetter.inc(dead.length);
        this.counts.deadLettered += dead.length;
        this.log.warn('elasticsearch rejected documents; written to the dead-letter file', {
          count: dead.length,
          path: this.cfg.deadLetterPath,
        });
        stored.push(...deadItems);
      } catch (err) {
        // Without a dead-letter record the document would be lost: keep retrying it instead.
        this.lastError = this.scrub(`dead-letter write failed: ${(err as Error).message}`);
        this.metrics.retries.inc({ reason: 'dead_letter_io' }, deadItems.length);
        again.push(...deadItems);
        retryReason ??= 'dead_letter_io';
      }
    }
    for (const it of stored) this.ackItem(it);
    if (again.length > 0) {
      if (retryReason !== 'dead_letter_io') this.metrics.retries.inc({ reason: retryReason! }, again.length);
      this.counts.retried += again.length;
      this.backoff(retryReason!);
      this.requeue(again);
    } else {
      this.failureStreak = 0;
      this.lastFailure = null;
    }
  }

  private ackItem(it: QueueItem): void {
    this.queuedItems--;
    this.queuedBytes -= it.bytes;
    this.counts.acked++;
    this.metrics.acked.inc();
    if (it.ackKey !== undefined && it.nextOffset !== undefined) this.acks.ack(it.ackKey, it.nextOffset);
    else this.queuedDocuments--;
    it.onStored?.();
  }

  private noteFailure(reason: RetryReason, items: number): void {
    this.metrics.retries.inc({ reason }, items);
    this.counts.retried += items;
    this.backoff(reason);
  }

  private backoff(reason: RetryReason): void {
    const wait = fullJitterDelay(
      this.failureStreak,
      this.cfg.retryBaseMs,
      this.cfg.maxRetryBackoffMs,
      this.random,
    );
    this.failureStreak++;
    this.lastFailure = reason;
    this.pauseUntil = Math.max(this.pauseUntil, Date.now() + wait);
  }

  /** Put items back at the front, in their original order, for the next batch. */
  private requeue(items: QueueItem[]): void {
    for (const it of items) this.waitingBytes += it.bytes;
    this.retry = items.concat(this.retry);
  }

  private contact(ok: boolean): void {
    this.lastContactAt = Date.now();
    if (ok !== this.up) {
      if (ok) this.log.info('elasticsearch reachable', { url: this.scrub(this.cfg.url) });
      else this.log.warn('elasticsearch unreachable; buffering and retrying', { error: this.lastError });
    }
    this.up = ok;
    this.metrics.up.set(ok ? 1 : 0);
  }

  /** GET / now and then while no bulk request tells us whether the cluster is there. */
  private async probe(): Promise<void> {
    if (this.closed || this.probing || this.inFlightRequests > 0) return;
    if (Date.now() - this.lastContactAt < this.cfg.probeIntervalMs && this.lastContactAt !== 0) return;
    this.probing = true;
    const controller = new AbortController();
    this.controllers.add(controller);
    try {
      await this.client.transport.request(
        { method: 'GET', path: '/' },
        {
          signal: controller.signal,
          requestTimeout: Math.min(this.cfg.requestTimeoutMs, 5000),
          maxRetries: 0,
        },
      );
      if (this.closed) return;
      this.contact(true);
      this.noteAuth(null, 'probe');
      // Back after an outage: do not sit out the rest of a long backoff.
      if (this.lastFailure === 'connection' || this.lastFailure === 'timeout') {
        this.pauseUntil = 0;
        this.pump();
      }
    } catch (err) {
      if (this.closed || err instanceof errors.RequestAbortedError) return;
      this.lastError = this.scrub(err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(
        0,
        500,
      );
      const status = err instanceof errors.ResponseError ? (err.statusCode ?? null) : null;
      this.contact(status !== null && status < 500);
      if (status !== null && status < 500) this.noteAuth(status, 'probe');
    } finally {
      this.controllers.delete(controller);
      this.probing = false;
    }
  }
}

function authReason(status: number): string {
  return status === 401
    ? 'elasticsearch answered 401 (authentication failed): check CRUMBTRAIL_ES_API_KEY or CRUMBTRAIL_ES_USERNAME/CRUMBTRAIL_ES_PASSWORD'
    : 'elasticsearch answered 403 (not authorized): the writer role needs create_doc and auto_configure on the data stream';
}

/** Check the response shape and sort every item; null when it cannot be trusted (then the batch is re-sent). */
function readBulkResponse(
  body: unknown,
  batch: QueueItem[],
): { outcomes: ItemOutcome[]; errors: unknown[] } | null {
  if (typeof body !== 'object' || body === null) return null;
  const items = (body as { items?: unknown }).items;
  if (!Array.isArray(items) || items.length !== batch.length) return null;
  const outcomes: ItemOutcome[] = [];
  const errs: unknown[] = [];
  for (let i = 0; i < items.length; i++) {
    const entry = items[i] as Record<string, unknown> | null;
    const r = (entry?.create ?? (entry ? Object.values(entry)[0] : undefined)) as
      | { status?: unknown; _id?: unknown; error?: unknown }
      | undefined;
    if (!r || typeof r.status !== 'number') return null;
    if (typeof r._id === 'string' && r._id !== batch[i]!.id) return null; // misaligned: trust nothing
    const s = r.status;
    errs.push({ status: s, error: r.error });
    if ((s >= 200 && s < 300) || s === 409) outcomes.push('stored');
    else if (s === 429 || s >= 500) outcomes.push('retry');
    else outcomes.push('dead');
  }
  return { outcomes, errors: errs };
}

function responseErrorBody(err: unknown): unknown {
  const body = (err as { meta?: { body?: unknown } }).meta?.body;
  const e = (body as { error?: unknown } | undefined)?.error;
  return e ?? null;
}

function itemStatus(e: unknown): number {
  return (e as { status?: number } | undefined)?.status ?? 0;
}

function deadLetterOf(it: QueueItem, err: unknown): DeadLetter {
  const docLine = it.ndjson.slice(it.ndjson.indexOf('\n') + 1, -1);
  let doc: unknown = docLine;
  try {
    doc = JSON.parse(docLine);
  } catch {
    // keep the raw line
  }
  const e = err as { status?: number; error?: unknown } | undefined;
  return {
    at: new Date().toISOString(),
    index: it.index,
    id: it.id,
    status: e?.status ?? 0,
    error: e?.error ?? null,
    doc,
  };
}

const stderrLogger: SinkLogger = {
  info: (message, data) =>
    process.stderr.write(JSON.stringify({ level: 'info', sink: 'es', message, ...data }) + '\n'),
  warn: (message, data) =>
    process.stderr.write(JSON.stringify({ level: 'warn', sink: 'es', message, ...data }) + '\n'),
  error: (message, data) =>
    process.stderr.write(JSON.stringify({ level: 'error', sink: 'es', message, ...data }) + '\n'),
};
