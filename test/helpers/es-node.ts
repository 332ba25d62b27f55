// A real Elasticsearch node for the engine test layer: Elastic's integ-test-zip from Maven Central (fetched by
// .ci/elasticsearch.sh), one single-node cluster on 127.0.0.1 with a small heap and its data in a temp dir.
// Started in its own process group so stop()/kill9() reach the CLI launcher and the server JVM alike (no orphans).
//
// Elasticsearch refuses to run as root: as root the node runs as the system user `crumbtrail-es` (created by
// .ci/run), and its config/data/log dirs are chowned to it. Where Java 21+, Maven or the zip are missing,
// `engineAvailability()` says why, and the layer prints it and skips (REQUIRE_ALL=1 turns that into a failure).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const ES_USER = 'crumbtrail-es';

export interface Engine {
  /** The unpacked distribution (bin/elasticsearch, lib/, modules/). */
  home: string;
  /** A JDK 21+ (the integ-test-zip bundles none). */
  javaHome: string;
}

/** Where the distribution and a JDK are, or why the engine layer cannot run here. */
export function engineAvailability(): Engine | { skip: string } {
  const javaHome = findJdk21();
  if (!javaHome)
    return {
      skip: 'no JDK 21+ found (set ES_JAVA_HOME; Elasticsearch 9 needs Java 21 or later, e.g. Temurin 25)',
    };
  const home = findDistribution();
  if (home) return { home, javaHome };
  if (!hasCommand('mvn'))
    return { skip: 'Maven (mvn) is not installed: cannot fetch the Elasticsearch integ-test-zip' };
  try {
    // Fetch once (cached in ~/.m2 and the unpack dir); the script prints the path on its last line.
    const out = execFileSync('bash', [join(ROOT, '.ci/elasticsearch.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 300_000,
    });
    const fetched = out.trim().split('\n').pop() ?? '';
    if (existsSync(join(fetched, 'bin/elasticsearch'))) return { home: fetched, javaHome };
    return { skip: `.ci/elasticsearch.sh printed no distribution path (${fetched})` };
  } catch (err) {
    return { skip: `fetching the Elasticsearch integ-test-zip failed: ${(err as Error).message}` };
  }
}

/**
 * The layer's skip switch: prints the reason loudly (stdout and stderr) and returns it for `describe({skip})`;
 * with REQUIRE_ALL=1 it throws instead, so CI cannot pass by skipping.
 */
export function engineOrSkip(what: string): Engine | string {
  const e = engineAvailability();
  if (!('skip' in e)) return e;
  const msg = `ENGINE LAYER SKIPPED (${what}): ${e.skip}`;
  if (process.env.REQUIRE_ALL === '1') throw new Error(`${msg} — REQUIRE_ALL=1 forbids skipping`);
  const banner = `\n# ${'!'.repeat(78)}\n# ${msg}\n# ${'!'.repeat(78)}\n`;
  process.stdout.write(banner);
  process.stderr.write(banner);
  return msg;
}

function findDistribution(): string | null {
  const env = process.env.CRUMBTRAIL_ES_HOME;
  if (env) return existsSync(join(env, 'bin/elasticsearch')) ? env : null;
  const dirs = [
    '/var/cache/crumbtrail',
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'crumbtrail'),
  ];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    const found = readdirSync(d)
      .filter((n) => /^elasticsearch-9\.\d+\.\d+$/.test(n) && existsSync(join(d, n, 'bin/elasticsearch')))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (found.length > 0) return join(d, found[found.length - 1]!);
  }
  return null;
}

function javaMajor(javaHome: string): number {
  try {
    const release = readFileSync(join(javaHome, 'release'), 'utf8');
    const m = /JAVA_VERSION="(\d+)/.exec(release);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function findJdk21(): string | null {
  const candidates = [process.env.ES_JAVA_HOME, process.env.JAVA_HOME, '/usr/lib/jvm/temurin-25-jdk-amd64'];
  if (existsSync('/usr/lib/jvm'))
    for (const n of readdirSync('/usr/lib/jvm').sort().reverse()) candidates.push(join('/usr/lib/jvm', n));
  for (const c of candidates) if (c && existsSync(join(c, 'bin/java')) && javaMajor(c) >= 21) return c;
  return null;
}

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** uid/gid to run Elasticsearch as: ourselves, or the system user when we are root. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', ES_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', ES_USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `running as root, and Elasticsearch refuses root: create its user first (.ci/run does):\n` +
        `  useradd --system --no-create-home --shell /usr/sbin/nologin ${ES_USER}`,
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface EsNodeOptions {
  heapMb?: number;
  /** Wait this long for green (the 2-core CI machine is shared: JVM start takes 15–60 s). */
  startTimeoutMs?: number;
}

/** One running (or stopped) node; its data dir survives stop()/kill9() so start() brings the same cluster back. */
export class EsNode {
  readonly url: string;
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly dir: string;
  private starts = 0;

  private constructor(
    readonly engine: Engine,
    readonly port: number,
    private readonly opts: Required<EsNodeOptions>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.dir = mkdtempSync(join(tmpdir(), 'crumbtrail-es-'));
    const conf = join(this.dir, 'config');
    cpSync(join(engine.home, 'config'), conf, { recursive: true });
    for (const d of ['data', 'logs', 'tmp', 'home']) mkdirSync(join(this.dir, d));
    const as = runAs();
    if (as) chownTree(this.dir, as.uid, as.gid);
  }

  static async start(engine: Engine, opts: EsNodeOptions = {}): Promise<EsNode> {
    const node = new EsNode(engine, await freePort(), {
      heapMb: opts.heapMb ?? 512,
      startTimeoutMs: opts.startTimeoutMs ?? 180_000,
    });
    liveNodes.add(node);
    await node.start();
    return node;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** Start (or restart, with the same data and port) and wait for green. */
  async start(): Promise<void> {
    if (this.proc) throw new Error('EsNode.start: already running');
    this.starts++;
    const log = createWriteStream(join(this.dir, `console-${this.starts}.log`));
    const as = runAs();
    const args = [
      '-E',
      'discovery.type=single-node',
      '-E',
      'network.host=127.0.0.1',
      '-E',
      `http.port=${this.port}`,
      '-E',
      `path.data=${join(this.dir, 'data')}`,
      '-E',
      `path.logs=${join(this.dir, 'logs')}`,
      // This distribution carries x-pack-security (and would demand TLS + passwords): off, on loopback only.
      '-E',
      'xpack.security.enabled=false',
      '-E',
      'cluster.name=crumbtrail-test',
      // Our temp disk may be nearly full on CI; the default 85/90 % watermarks would turn the node read-only.
      '-E',
      'cluster.routing.allocation.disk.threshold_enabled=false',
    ];
    const proc = spawn(join(this.engine.home, 'bin/elasticsearch'), args, {
      detached: true, // own process group: kill(-pid) reaches the launcher and the server JVM
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(as ?? {}),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: join(this.dir, 'home'),
        ES_PATH_CONF: join(this.dir, 'config'),
        ES_JAVA_HOME: this.engine.javaHome,
        ES_TMPDIR: join(this.dir, 'tmp'),
        ES_JAVA_OPTS: `-Xms${this.opts.heapMb}m -Xmx${this.opts.heapMb}m`,
      },
    });
    proc.stdout!.pipe(log);
    proc.stderr!.pipe(log);
    this.proc = proc;
    this.exited = new Promise((resolve) =>
      proc.once('exit', () => {
        if (this.proc === proc) this.proc = null;
        resolve();
      }),
    );
    try {
      await waitFor(
        async () => {
          if (this.proc !== proc) throw new Error(`Elasticsearch exited during start:\n${this.logTail()}`);
          return (await this.health()) === 'green';
        },
        `Elasticsearch green on ${this.url}`,
        this.opts.startTimeoutMs,
        250,
      );
    } catch (err) {
      const why = await this.diagnose();
      await this.kill9();
      throw new Error(`${(err as Error).message}\n${why}\n--- node log ---\n${this.logTail()}`);
    }
  }

  /** 'green' | 'yellow' | 'red' | null (not answering). A 408 means "not there yet" (wait_for_status not met). */
  async health(): Promise<string | null> {
    try {
      const res = await fetch(`${this.url}/_cluster/health?wait_for_status=green&timeout=1s`, {
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as { status?: string };
      return res.status === 200 ? (body.status ?? null) : null;
    } catch {
      return null;
    }
  }

  /** Graceful stop: SIGTERM to the group, SIGKILL after 30 s. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM', 30_000);
  }

  /** kill -9 of the whole node (launcher and server JVM). */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL', 10_000);
  }

  /** Stop and delete the data dir. */
  async destroy(): Promise<void> {
    await this.stop();
    liveNodes.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Cluster health and unassigned shards, for a start that never turned green. */
  private async diagnose(): Promise<string> {
    const get = async (path: string): Promise<string> => {
      try {
        const r = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5000) });
        return (await r.text()).slice(0, 2000);
      } catch (err) {
        return `(${path}: ${(err as Error).message})`;
      }
    };
    return [
      `--- _cluster/health ---\n${await get('/_cluster/health')}`,
      `--- shards not started ---\n${await get('/_cat/shards?h=index,shard,prirep,state,unassigned.reason')}`,
      `--- allocation ---\n${await get('/_cluster/allocation/explain')}`,
    ].join('\n');
  }

  /** Last lines the node wrote to its console (for failure messages), stack frames left out. */
  logTail(lines = 40): string {
    try {
      const f = join(this.dir, `console-${this.starts}.log`);
      return readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => !/^\s+at /.test(l))
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no log)';
    }
  }

  private async signal(sig: NodeJS.Signals, graceMs: number): Promise<void> {
    const p = this.proc;
    if (!p?.pid) return;
    killGroup(p.pid, sig);
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
    ]);
    if (timedOut) {
      killGroup(p.pid, 'SIGKILL');
      await this.exited;
    }
    // The launcher may exit before the server JVM it started: wait until the group is empty.
    await waitFor(() => !groupAlive(p.pid!), `process group ${p.pid} gone`, 15_000, 50).catch(() => {
      killGroup(p.pid!, 'SIGKILL');
    });
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

// A test file that dies (or forgets destroy()) must not leave JVMs behind.
const liveNodes = new Set<EsNode>();
process.once('exit', () => {
  for (const n of liveNodes) if (n.pid) killGroup(n.pid, 'SIGKILL');
});
