// Stage 'templates' (after classify, before sampling): gives every parsed event its template and stable
// template id, and turns the template signals into breadcrumbs where no rule matched — a rule's match wins,
// it is the more specific explanation. Also keeps what the report and /api/templates show, bounded.
import {
  type Breadcrumb,
  CATEGORY_SYMBOL,
  type ClassifiedEvent,
  type TemplateRow,
  type TemplateSummary,
} from '../core/types.ts';
import type { Stage } from '../pipeline/stage.ts';
import { type Cluster, type MinerOptions, TemplateMiner } from './miner.ts';
import { type SignalOptions, TemplateSignals } from './signals.ts';

export interface TemplateStageOptions {
  miner?: Partial<MinerOptions>;
  signals?: Partial<SignalOptions>;
  /** Templates listed in the summary. */
  topCap?: number;
  /** Signals kept with their reasons (all are counted). */
  signalCap?: number;
}

const MINUTE = 60_000;
const MAX_MINUTES = 100_000;

export class TemplateStage implements Stage<ClassifiedEvent, ClassifiedEvent> {
  readonly name = 'templates';
  readonly miner: TemplateMiner;
  private readonly signals: TemplateSignals;
  private readonly topCap: number;
  private readonly signalCap: number;
  private events = 0;
  private readonly newPerMinute = new Map<number, number>();
  private readonly kept: TemplateSummary['signals'] = [];

  constructor(opts: TemplateStageOptions = {}) {
    this.miner = new TemplateMiner(opts.miner);
    this.signals = new TemplateSignals(opts.signals);
    this.topCap = opts.topCap ?? 50;
    this.signalCap = opts.signalCap ?? 500;
  }

  process(item: ClassifiedEvent, emit: (out: ClassifiedEvent) => void): void {
    const e = item.event;
    // Unparsed lines have no message structure to learn from (binary, stray text): left without a template.
    if (e.format !== 'unparsed') {
      const t = e.timestamp;
      const { cluster, created } = this.miner.add(e.message, t, e.component);
      this.events++;
      e.template = cluster.template;
      e.templateId = cluster.id;
      if (created && t !== null) this.countNew(t);
      const signal = this.signals.observe(cluster, created, t, e.component);
      if (signal !== null) {
        this.keep(signal.kind, cluster, item, signal.reason);
        if (item.breadcrumb === null) item.breadcrumb = this.breadcrumb(item, signal.kind, signal.reason);
      }
    }
    emit(item);
  }

  private breadcrumb(item: ClassifiedEvent, kind: 'novel' | 'burst', reason: string): Breadcrumb {
    const category = kind === 'novel' ? 'abnormal_input' : 'stress';
    return {
      event: item.event,
      category,
      symbol: CATEGORY_SYMBOL[category],
      ruleId: kind === 'novel' ? 'template-novel' : 'template-burst',
      severity: 4,
      reason,
    };
  }

  private countNew(t: number): void {
    const m = t - (t % MINUTE);
    const n = this.newPerMinute.get(m);
    if (n !== undefined) this.newPerMinute.set(m, n + 1);
    else if (this.newPerMinute.size < MAX_MINUTES) this.newPerMinute.set(m, 1);
  }

  private keep(kind: 'novel' | 'burst', c: Cluster, item: ClassifiedEvent, reason: string): void {
    if (this.kept.length >= this.signalCap) return;
    this.kept.push({
      kind,
      at: item.event.timestamp,
      component: item.event.component,
      templateId: c.id,
      template: c.template,
      reason,
    });
  }

  /** The largest templates, at most `limit`. */
  top(limit = this.topCap): TemplateRow[] {
    const all = this.miner.clusters();
    return [...all]
      .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map(row);
  }

  /** One template by id (the API). */
  find(id: string): TemplateRow | null {
    const c = this.miner.clusters().find((x) => x.id === id);
    return c ? row(c) : null;
  }

  summary(topLimit = this.topCap): TemplateSummary {
    const s = this.miner.stats();
    return {
      templates: s.clusters,
      events: this.events,
      top: this.top(topLimit),
      newPerMinute: [...this.newPerMinute]
        .sort((a, b) => a[0] - b[0])
        .map(([minute, count]) => ({ minute, count })),
      signals: [...this.kept],
      signalCounts: { ...this.signals.counts },
      caps: {
        childCapRouted: s.childCapRouted,
        leafCapMerged: s.leafCapMerged,
        totalCapOverflow: s.totalCapOverflow,
        tokensCut: s.tokensCut,
      },
    };
  }
}

function row(c: Cluster): TemplateRow {
  return {
    id: c.id,
    template: c.template,
    count: c.count,
    component: c.component,
    firstSeen: c.firstSeen,
    lastSeen: c.lastSeen,
  };
}
