// Elasticsearch's own grok engine as a child process: test/engine/grok/GrokCheck.java, compiled at test time
// (javac, JDK 21+) against the grok library, Joni and JCodings of the distribution under test (its lib/), and
// spoken to over stdin/stdout, one request per line. The integ-test-zip has no ingest-common module, so the
// grok *processor* (and `_ingest/pipeline/_simulate` of our pipeline) cannot run there; this is the same
// org.elasticsearch.grok.Grok the processor wraps, with the same pattern bank.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Engine } from './es-node.ts';

const SOURCE = new URL('../engine/grok/GrokCheck.java', import.meta.url).pathname;

export type GrokCaptures = Record<string, string | number | boolean | null | unknown[]>;

export interface GrokRequest {
  /** Tried in order, as the processor's `patterns` (combined with Grok.combinePatterns). */
  patterns: string[];
  /** The processor's `pattern_definitions`. */
  definitions?: Record<string, string>;
  ecsCompatibility?: 'disabled' | 'v1';
  text: string;
}

export class GrokEngine {
  private seq = 0;
  private readonly waiting = new Map<
    string,
    (r: { match?: boolean; captures?: GrokCaptures; error?: string }) => void
  >();

  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly dir: string,
    /** The grok jar in use, e.g. elasticsearch-grok-9.5.0.jar. */
    readonly library: string,
  ) {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const r = JSON.parse(line) as { id: string; match?: boolean; captures?: GrokCaptures; error?: string };
      this.waiting.get(r.id)?.(r);
      this.waiting.delete(r.id);
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d: string) => process.stderr.write(`[grok-engine] ${d}`));
  }

  static start(engine: Engine): GrokEngine {
    const lib = join(engine.home, 'lib');
    const jars = readdirSync(lib).filter((n) => /^(elasticsearch-grok|joni|jcodings)-[\d.]+\.jar$/.test(n));
    const grokJar = jars.find((j) => j.startsWith('elasticsearch-grok'));
    if (!grokJar || jars.length !== 3)
      throw new Error(`grok, joni and jcodings jars not found in ${lib}: ${jars}`);
    const cp = jars.map((j) => join(lib, j)).join(':');
    const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-grok-'));
    execFileSync(join(engine.javaHome, 'bin/javac'), ['-d', dir, '-cp', cp, SOURCE], { stdio: 'inherit' });
    const proc = spawn(join(engine.javaHome, 'bin/java'), ['-Xmx128m', '-cp', `${dir}:${cp}`, 'GrokCheck'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new GrokEngine(proc, dir, grokJar);
  }

  /** The processor's captures for `text`, or null when no pattern matches. Throws on a pattern it refuses. */
  async captures(req: GrokRequest): Promise<GrokCaptures | null> {
    const id = String(++this.seq);
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const defs = Object.entries(req.definitions ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    const line = [
      id,
      b64(req.patterns.join('\n')),
      b64(defs),
      req.ecsCompatibility ?? 'disabled',
      b64(req.text),
    ];
    const res = await new Promise<{ match?: boolean; captures?: GrokCaptures; error?: string }>((resolve) => {
      this.waiting.set(id, resolve);
      this.proc.stdin.write(`${line.join('\t')}\n`);
    });
    if (res.error) throw new Error(`grok engine: ${res.error}`);
    return res.match ? (res.captures ?? {}) : null;
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.stdin.end();
    await exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
