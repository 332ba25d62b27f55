// Bounded memory of recent breadcrumbs and trace ids, so an anomaly can carry what happened around it.
import type { ClassifiedEvent } from '../core/types.ts';
import type { ContextCrumb } from './types.ts';

const MESSAGE_MAX = 300;

class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;
  constructor(private readonly cap: number) {}
  push(x: T): void {
    if (this.items.length < this.cap) this.items.push(x);
    else {
      this.items[this.next] = x;
      this.next = (this.next + 1) % this.cap;
    }
  }
  /** Oldest first. */
  all(): T[] {
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}

interface TraceSeen {
  at: number;
  traceId: string;
}

export class ContextWindow {
  private readonly crumbs: Ring<ContextCrumb>;
  private readonly traces: Ring<TraceSeen>;

  constructor(capacity = 1000) {
    this.crumbs = new Ring(capacity);
    this.traces = new Ring(capacity);
  }

  observe(item: ClassifiedEvent): void {
    const e = item.event;
    if (e.timestamp === null) return;
    if (item.breadcrumb) {
      const c: ContextCrumb = {
        at: e.timestamp,
        component: e.component,
        category: item.breadcrumb.category,
        level: e.level,
        message: e.message.length > MESSAGE_MAX ? `${e.message.slice(0, MESSAGE_MAX)}…` : e.message,
      };
      if (e.traceId) c.traceId = e.traceId;
      this.crumbs.push(c);
    }
    // Trace ids of breadcrumbs and of warn-or-worse lines: the ones worth opening next to an anomaly.
    if (
      e.traceId &&
      (item.breadcrumb ||
        e.level === 'WARN' ||
        e.level === 'ERROR' ||
        e.level === 'CRITICAL' ||
        e.level === 'FATAL')
    ) {
      this.traces.push({ at: e.timestamp, traceId: e.traceId.slice(0, 64) });
    }
  }

  /** Breadcrumbs and trace ids in [from, to], newest first, bounded. */
  around(
    from: number,
    to: number,
    maxCrumbs: number,
    maxTraces: number,
  ): { crumbs: ContextCrumb[]; traceIds: string[] } {
    const crumbs = this.crumbs
      .all()
      .filter((c) => c.at >= from && c.at <= to)
      .reverse()
      .slice(0, maxCrumbs);
    const ids: string[] = [];
    for (const t of this.traces.all().reverse()) {
      if (ids.length >= maxTraces) break;
      if (t.at >= from && t.at <= to && !ids.includes(t.traceId)) ids.push(t.traceId);
    }
    return { crumbs, traceIds: ids };
  }
}
