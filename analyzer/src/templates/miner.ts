// A Drain-like streaming template miner (He et al., ICWS 2017): a fixed-depth prefix tree routes a masked
// message by its token count and its first tokens to a leaf; the leaf's clusters are compared by token
// similarity; the best one at or above the threshold absorbs the message (positions that differ become <*>),
// otherwise the message starts a new cluster. Memory is bounded: children per node, clusters per leaf and
// clusters in total are capped, and every time a cap decides something it is counted.
//
// A cluster's id is a hash of its first template text: stable across runs over the same input. When the
// template generalises later (a position becomes <*>), the cluster keeps its id, so events before and after
// the change stay in one group.
import { createHash } from 'node:crypto';
import { ownedString } from '../util/owned-string.ts';
import { hasMask, tokenize, WILDCARD } from './mask.ts';

export interface MinerOptions {
  /** Tree depth including the token-count layer and the leaf (Drain's depth): depth − 2 tokens route. */
  depth: number;
  /** Share of a template's tokens a message must match to join it. */
  similarity: number;
  maxChildren: number;
  maxClustersPerLeaf: number;
  maxClusters: number;
  /** Longer messages are cut to this many tokens (the rest is one <*>): bounds cost and memory per event. */
  maxTokens: number;
}

export const DEFAULT_MINER_OPTIONS: MinerOptions = {
  depth: 4,
  similarity: 0.78,
  maxChildren: 100,
  maxClustersPerLeaf: 200,
  maxClusters: 20_000,
  maxTokens: 80,
};

export interface Cluster {
  /** 12 hex chars of SHA-256 over the first template text. */
  readonly id: string;
  /** 0, 1, 2 … in creation order (an array index for per-template state elsewhere); -1 for the overflow. */
  readonly seq: number;
  tokens: string[];
  /** Current template text (tokens joined by one space). */
  template: string;
  count: number;
  /** Event time (ms) of the first and latest event, when timed. */
  firstSeen: number | null;
  lastSeen: number | null;
  /** Component of the first event. */
  component: string;
  /** Times the template generalised (a position became <*>). */
  generalised: number;
}

export interface MinerStats {
  clusters: number;
  messages: number;
  /** A node had maxChildren children: the token was routed to <*>. */
  childCapRouted: number;
  /** A leaf was full: the message joined its most similar cluster below the threshold. */
  leafCapMerged: number;
  /** The total cap was reached: the message joined the overflow template. */
  totalCapOverflow: number;
  /** Messages cut at maxTokens. */
  tokensCut: number;
}

export interface Match {
  cluster: Cluster;
  /** The message started this cluster. */
  created: boolean;
}

interface Node {
  children: Map<string, Node> | null;
  clusters: Cluster[] | null;
}

export class TemplateMiner {
  private readonly opts: MinerOptions;
  private readonly root = new Map<number, Node>();
  private readonly all: Cluster[] = [];
  private readonly scratch: string[] = [];
  private overflow: Cluster | null = null;
  private readonly counters = {
    messages: 0,
    childCapRouted: 0,
    leafCapMerged: 0,
    totalCapOverflow: 0,
    tokensCut: 0,
  };

  constructor(opts: Partial<MinerOptions> = {}) {
    this.opts = { ...DEFAULT_MINER_OPTIONS, ...opts };
  }

  stats(): MinerStats {
    return { clusters: this.all.length, ...this.counters };
  }

  clusters(): readonly Cluster[] {
    return this.all;
  }

  /** Mine one message: its cluster (created or absorbed into). */
  add(message: string, timestamp: number | null = null, component = ''): Match {
    this.counters.messages++;
    let tokens = tokenize(message, this.scratch);
    if (tokens.length > this.opts.maxTokens) {
      this.counters.tokensCut++;
      tokens = tokens.slice(0, this.opts.maxTokens);
      tokens.push(WILDCARD);
    }
    const leaf = this.leafFor(tokens);
    const clusters = leaf.clusters!;
    let best: Cluster | null = null;
    let bestSim = -1;
    let bestWild = -1;
    for (let k = 0; k < clusters.length; k++) {
      const c = clusters[k]!;
      // Similarity (inlined: this loop is the miner's hot path). Equal constants and equal typed masks
      // count; a <*> — a position that already varied — does not, as in Drain, so a template cannot keep
      // absorbing messages that differ from it in ever more places. Ties go to the more general template.
      const t = c.tokens;
      let same = 0;
      let wild = 0;
      for (let i = 0; i < t.length; i++) {
        const x = t[i]!;
        if (x === WILDCARD) wild++;
        else if (x === tokens[i]) same++;
      }
      const sim = same / t.length;
      if (sim > bestSim || (sim === bestSim && wild > bestWild)) {
        best = c;
        bestSim = sim;
        bestWild = wild;
      }
      if (sim === 1) break;
    }
    let created = false;
    if (best !== null && bestSim >= this.opts.similarity) {
      this.absorb(best, tokens);
    } else if (best !== null && clusters.length >= this.opts.maxClustersPerLeaf) {
      this.counters.leafCapMerged++;
      this.absorb(best, tokens);
    } else if (this.all.length >= this.opts.maxClusters) {
      this.counters.totalCapOverflow++;
      best = this.overflowCluster();
    } else {
      best = this.create(tokens, timestamp, component);
      clusters.push(best);
      created = true;
    }
    best.count++;
    if (timestamp !== null) {
      if (best.firstSeen === null) best.firstSeen = timestamp;
      best.lastSeen = timestamp;
    }
    return { cluster: best, created };
  }

  private leafFor(tokens: string[]): Node {
    let node: Node | undefined = this.root.get(tokens.length);
    if (node === undefined) {
      node = { children: new Map(), clusters: null };
      this.root.set(tokens.length, node);
    }
    const routed = Math.min(this.opts.depth - 2, tokens.length);
    for (let i = 0; i < routed; i++) {
      const children: Map<string, Node> = node.children!;
      const t = tokens[i]!;
      const key = hasDigit(t) || hasMask(t) ? WILDCARD : t;
      let next: Node | undefined = children.get(key);
      if (next === undefined) {
        let k = key;
        if (children.size >= this.opts.maxChildren) {
          this.counters.childCapRouted++;
          k = WILDCARD;
          next = children.get(k);
        }
        if (next === undefined) {
          next = { children: new Map(), clusters: null };
          children.set(k === WILDCARD ? k : ownedString(k), next);
        }
      }
      node = next;
    }
    if (node.clusters === null) {
      node.clusters = [];
      node.children = null;
    }
    return node;
  }

  private create(tokens: string[], timestamp: number | null, component: string): Cluster {
    const own = tokens.map(ownedString);
    const template = own.join(' ');
    const c: Cluster = {
      id: templateId(template),
      seq: this.all.length,
      tokens: own,
      template,
      count: 0,
      firstSeen: timestamp,
      lastSeen: timestamp,
      component: ownedString(component),
      generalised: 0,
    };
    this.all.push(c);
    return c;
  }

  private absorb(c: Cluster, tokens: string[]): void {
    let changed = false;
    const t = c.tokens;
    for (let i = 0; i < t.length; i++) {
      if (t[i] !== tokens[i] && t[i] !== WILDCARD) {
        t[i] = WILDCARD;
        changed = true;
      }
    }
    if (changed) {
      c.template = t.join(' ');
      c.generalised++;
    }
  }

  private overflowCluster(): Cluster {
    if (this.overflow === null) {
      this.overflow = {
        id: 'overflow',
        seq: -1,
        tokens: [WILDCARD],
        template: '<overflow: template cap reached>',
        count: 0,
        firstSeen: null,
        lastSeen: null,
        component: '',
        generalised: 0,
      };
    }
    return this.overflow;
  }
}

function hasDigit(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

export function templateId(template: string): string {
  return createHash('sha256').update(template).digest('hex').slice(0, 12);
}
