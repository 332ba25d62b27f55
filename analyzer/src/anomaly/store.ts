// SQLite persistence for the monitor (better-sqlite3: synchronous, so a recalculation is one transaction).
// Versioned migrations; WAL so readers (the HTTP API) do not block the writer.
import Database from 'better-sqlite3';
import type { PartialRow, SeriesBaseline } from './baseline.ts';
import { BUCKETS } from './buckets.ts';
import type { AnomalyQuery, AnomalyRecord, BaselineCell, BaselineScope } from './types.ts';

/** Each entry moves the schema one version up; never edit a shipped entry, append a new one. */
const MIGRATIONS: string[] = [
  `CREATE TABLE baseline_days (
     series TEXT NOT NULL, day INTEGER NOT NULL, hour_of_week INTEGER NOT NULL,
     n INTEGER NOT NULL, mean REAL NOT NULL, m2 REAL NOT NULL, sketch TEXT NOT NULL,
     PRIMARY KEY (series, day, hour_of_week));
   CREATE TABLE thresholds (
     series TEXT NOT NULL, scope TEXT NOT NULL, key INTEGER NOT NULL,
     n INTEGER NOT NULL, mean REAL NOT NULL, sd REAL NOT NULL, p50 REAL, p95 REAL,
     z_percentiles TEXT NOT NULL, sev_thresholds TEXT NOT NULL, computed_at INTEGER NOT NULL,
     PRIMARY KEY (series, scope, key));
   CREATE TABLE anomalies (
     id TEXT PRIMARY KEY, at INTEGER NOT NULL, series TEXT NOT NULL, sev INTEGER NOT NULL, record TEXT NOT NULL);`,
  `CREATE INDEX anomalies_at ON anomalies (at);
   CREATE INDEX anomalies_series_at ON anomalies (series, at);
   CREATE INDEX baseline_days_day ON baseline_days (day);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

interface ThresholdRow {
  series: string;
  scope: BaselineScope;
  key: number;
  n: number;
  mean: number;
  sd: number;
  p50: number | null;
  p95: number | null;
  z_percentiles: string;
  sev_thresholds: string;
}

interface PartialDbRow {
  series: string;
  day: number;
  hour_of_week: number;
  n: number;
  mean: number;
  m2: number;
  sketch: string;
}

export class AnomalyStore {
  readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.migrate();
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
    );
    const row = this.db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `anomaly store: database schema version ${current} is newer than this analyzer knows (${MIGRATIONS.length}); upgrade the analyzer or use another CRUMBTRAIL_ANOMALY_DB`,
      );
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db
          .prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)')
          .run(v + 1, Date.now());
      })();
    }
  }

  schemaVersion(): number {
    return (this.db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number }).v;
  }

  upsertPartials(rows: PartialRow[]): void {
    if (rows.length === 0) return;
    const st = this.db.prepare(
      `INSERT INTO baseline_days (series, day, hour_of_week, n, mean, m2, sketch) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (series, day, hour_of_week) DO UPDATE SET n = excluded.n, mean = excluded.mean,
       m2 = excluded.m2, sketch = excluded.sketch`,
    );
    this.db.transaction(() => {
      for (const r of rows) {
        st.run(
          r.series,
          r.day,
          r.hourOfWeek,
          r.moments.n,
          r.moments.mean,
          r.moments.m2,
          JSON.stringify(r.sketch),
        );
      }
    })();
  }

  loadPartials(firstDay: number): PartialRow[] {
    const rows = this.db
      .prepare('SELECT series, day, hour_of_week, n, mean, m2, sketch FROM baseline_days WHERE day >= ?')
      .all(firstDay) as PartialDbRow[];
    return rows.map((r) => ({
      series: r.series,
      day: r.day,
      hourOfWeek: r.hour_of_week,
      moments: { n: r.n, mean: r.mean, m2: r.m2 },
      sketch: JSON.parse(r.sketch),
    }));
  }

  deletePartialsBefore(firstDay: number): number {
    return this.db.prepare('DELETE FROM baseline_days WHERE day < ?').run(firstDay).changes;
  }

  /** Replace the whole threshold table in one transaction (readers see old or new, never a mix). */
  replaceThresholds(models: Iterable<SeriesBaseline>, computedAt: number): number {
    const ins = this.db.prepare(
      `INSERT INTO thresholds (series, scope, key, n, mean, sd, p50, p95, z_percentiles, sev_thresholds, computed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let cells = 0;
    this.db.transaction(() => {
      this.db.exec('DELETE FROM thresholds');
      for (const m of models) {
        for (const c of [...m.bucket, ...m.hour, m.global]) {
          if (!c) continue;
          ins.run(
            m.series,
            c.scope,
            c.key,
            c.n,
            c.mean,
            c.sd,
            Number.isFinite(c.p50) ? c.p50 : null,
            Number.isFinite(c.p95) ? c.p95 : null,
            JSON.stringify(c.zPercentiles),
            JSON.stringify(c.sevThresholds),
            computedAt,
          );
          cells++;
        }
      }
    })();
    return cells;
  }

  loadThresholds(): Map<string, SeriesBaseline> {
    const out = new Map<string, SeriesBaseline>();
    const rows = this.db.prepare('SELECT * FROM thresholds').all() as ThresholdRow[];
    for (const r of rows) {
      let m = out.get(r.series);
      if (!m) {
        m = {
          series: r.series,
          bucket: new Array<BaselineCell | undefined>(BUCKETS).fill(undefined),
          hour: new Array<BaselineCell | undefined>(24).fill(undefined),
          global: undefined,
        };
        out.set(r.series, m);
      }
      const cell: BaselineCell = {
        scope: r.scope,
        key: r.key,
        n: r.n,
        mean: r.mean,
        sd: r.sd,
        p50: r.p50 ?? Number.NaN,
        p95: r.p95 ?? Number.NaN,
        zPercentiles: JSON.parse(r.z_percentiles),
        sevThresholds: JSON.parse(r.sev_thresholds),
      };
      if (r.scope === 'bucket') m.bucket[r.key] = cell;
      else if (r.scope === 'hour') m.hour[r.key] = cell;
      else m.global = cell;
    }
    return out;
  }

  insertAnomaly(a: AnomalyRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO anomalies (id, at, series, sev, record) VALUES (?, ?, ?, ?, ?)')
      .run(a.id, a.at, a.series, a.sev, JSON.stringify(a));
  }

  queryAnomalies(q: AnomalyQuery): AnomalyRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.sev !== undefined) {
      where.push('sev <= ?');
      args.push(q.sev);
    }
    if (q.series !== undefined) {
      where.push('series = ?');
      args.push(q.series);
    }
    if (q.since !== undefined) {
      where.push('at >= ?');
      args.push(q.since);
    }
    const limit = Math.min(Math.max(1, q.limit ?? 200), 5000);
    const sql = `SELECT record FROM anomalies ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, sev ASC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as { record: string }[]).map((r) => JSON.parse(r.record));
  }

  getAnomaly(id: string): AnomalyRecord | undefined {
    const r = this.db.prepare('SELECT record FROM anomalies WHERE id = ?').get(id) as
      | { record: string }
      | undefined;
    return r ? JSON.parse(r.record) : undefined;
  }

  deleteAnomaliesBefore(ms: number): number {
    return this.db.prepare('DELETE FROM anomalies WHERE at < ?').run(ms).changes;
  }

  countAnomalies(): number {
    return (this.db.prepare('SELECT COUNT(*) AS c FROM anomalies').get() as { c: number }).c;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)
      ?.value;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
