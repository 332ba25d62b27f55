// What ties two signals together, as an operator would see it: the same trace, a shared entity value (an order id,
// a block id, a request id, a user…), the same message family in the same component, or only the same component
// or host. The timeline uses these keys to decide how far back a failure's trail reaches.
import type { FieldValue, LogEvent } from '../core/types.ts';

/** How strongly a signal is tied to a trail; a stronger tie may reach further back. */
export type LinkStrength = 'strong' | 'family' | 'weak';

export interface LinkKeys {
  /** Trace ids and entity values: the same request, order, block, user… */
  strong: string[];
  /** The message family within its component (the template id when the template stage gave one). */
  family: string;
  /** The component and host: the same place, not necessarily the same story. */
  weak: string[];
}

/** An event that may carry a template id (added by the template miner when it runs). */
type MaybeTemplated = LogEvent & { templateId?: string | number };

/**
 * Field names whose values identify one thing (last dotted segment, case-insensitive). Host-like names are weak:
 * on a single-host log every line shares them.
 */
const ENTITY_FIELD =
  /^(?:[a-z0-9]+[_-])*(?:id|ids|uuid|guid|xid|txid|order|txn|transaction|request|req|session|sid|user|username|login|account|client|block|blk|job|task|container|pod|instance|volume|device|disk|queue|topic|partition|instrument|database|db|table|peer|upstream|remote|client_ip|remote_addr|src_ip|source_ip|ip|pid|path|url|uri)$|[a-z]Id$/i;
const HOST_FIELD = /^(?:host|hostname|host_name|node|nodename|server|machine)$/i;

/** Entity-like tokens inside a message: block ids, UUIDs, IPs (with port), long hex, prefixed numeric ids. */
const ENTITY_TOKEN =
  /\bblk_-?\d+\b|\b0x[0-9a-f]{8,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{2,5})?\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,64}\b|\b[A-Za-z][\w-]*[-_]\d{3,}[\w-]*/gi;
/** Values that say nothing about identity. */
const MEANINGLESS = new Set([
  'true',
  'false',
  'null',
  'none',
  'nil',
  'undefined',
  'unknown',
  'n/a',
  '-',
  // Loopback: on a single machine every client is it.
  '127.0.0.1',
  '::1',
  'localhost',
]);
const MAX_STRONG = 12;
const MAX_VALUE_CHARS = 128;

const NOT_ENTITY = 0;
const ENTITY = 1;
const HOST = 2;
/** Field names repeat on every line: judge each once (bounded; past the cap, names are judged every time). */
const kinds = new Map<string, number>();
const MAX_KINDS = 4096;

function fieldKind(name: string): number {
  const known = kinds.get(name);
  if (known !== undefined) return known;
  const last = name.slice(name.lastIndexOf('.') + 1);
  const kind = HOST_FIELD.test(last) ? HOST : ENTITY_FIELD.test(last) ? ENTITY : NOT_ENTITY;
  if (kinds.size < MAX_KINDS) kinds.set(name, kind);
  return kind;
}

/** The link keys of one event. Cheap: a handful of fields and one regex pass over the message. */
export function linkKeys(e: LogEvent): LinkKeys {
  const strong: string[] = [];
  const weak: string[] = [];
  const add = (list: string[], key: string): void => {
    if (list.length < MAX_STRONG && !list.includes(key)) list.push(key);
  };
  const trace = e.traceId ?? asString(e.fields.trace_id) ?? asString(e.fields['trace.id']);
  if (trace) add(strong, `t:${trace.toLowerCase()}`);
  for (const name in e.fields) {
    const kind = fieldKind(name);
    if (kind === NOT_ENTITY) continue;
    const v = entityValue(e.fields[name]);
    if (v === null) continue;
    if (kind === HOST) add(weak, `h:${v}`);
    else if (!isSmallNumber(v)) add(strong, `v:${v}`);
  }
  const msg = e.message.length > 4096 ? e.message.slice(0, 4096) : e.message;
  // Every entity token holds a digit: most messages without one skip the scan.
  if (/\d/.test(msg))
    for (const m of msg.matchAll(ENTITY_TOKEN)) {
      const v = m[0].toLowerCase();
      if (!MEANINGLESS.has(v)) add(strong, `v:${v}`);
    }
  const place = placeOf(e).toLowerCase();
  if (place !== '') add(weak, `c:${place}`);
  const tid = (e as MaybeTemplated).templateId;
  const family = `f:${place}:${tid !== undefined ? `#${tid}` : messageFamily(msg)}`;
  return { strong, family, weak };
}

/**
 * Where an event comes from: its component, or for formats that name none (PostgreSQL's stderr log) the file it
 * was read from, without directory and extension ("postgresql.log" → "postgresql").
 */
export function placeOf(e: LogEvent): string {
  if (e.component !== '') return e.component;
  const base = e.source.slice(e.source.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base === '-' ? '' : base;
}

/**
 * The message's family without a template miner: its first words with every variable part (numbers, ids,
 * key=value values, quoted text) masked. "Got exception while serving blk_12 to /10.0.0.1" and the same line
 * for another block fall in one family.
 */
export function messageFamily(message: string): string {
  const words: string[] = [];
  for (const raw of message.split(/\s+/)) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    const w = eq > 0 ? `${raw.slice(0, eq)}=*` : /\d|^["'[(<{/]/.test(raw) ? '*' : raw.toLowerCase();
    if (w === '*' && words[words.length - 1] === '*') continue;
    words.push(w);
    if (words.length >= 6) break;
  }
  return words.join(' ');
}

function asString(v: FieldValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function entityValue(v: FieldValue | undefined): string | null {
  if (v === null || v === undefined || typeof v === 'boolean') return null;
  const s = String(v).toLowerCase();
  if (s.length < 3 || s.length > MAX_VALUE_CHARS || MEANINGLESS.has(s)) return null;
  return s;
}

/** Small numbers (counts, codes, ports) are not identities; ids that are numbers have at least four digits. */
function isSmallNumber(v: string): boolean {
  return /^-?\d{1,3}(?:\.\d+)?$/.test(v);
}
