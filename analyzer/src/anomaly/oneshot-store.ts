// `--anomaly-db PATH`: the learned thresholds of an existing anomaly store (the service's
// <state-dir>/anomalies.sqlite), opened read-only so a one-shot run can never change the service's history.
// Kept apart from oneshot.ts so the native SQLite module loads only when asked for.

import Database from 'better-sqlite3';
import { UsageError } from '../core/usage-error.ts';
import type { SeriesBaseline } from './baseline.ts';
import { AnomalyStore, SCHEMA_VERSION } from './store.ts';

export class AnomalyDbError extends UsageError {}

/** Series → learned baseline, read from the store's thresholds table. Throws AnomalyDbError with a fix. */
export function loadStoredBaselines(path: string): Map<string, SeriesBaseline> {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new AnomalyDbError(
      `--anomaly-db '${path}': cannot open read-only (${(err as Error).message}); give the service's <state-dir>/anomalies.sqlite`,
    );
  }
  try {
    let version: number | null;
    try {
      version = (db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null }).v;
    } catch {
      throw new AnomalyDbError(
        `--anomaly-db '${path}' is not an anomaly store (no schema_version table); give the service's <state-dir>/anomalies.sqlite`,
      );
    }
    if (version !== SCHEMA_VERSION) {
      throw new AnomalyDbError(
        `--anomaly-db '${path}' has schema version ${version ?? 'none'}, this analyzer reads ${SCHEMA_VERSION}; let the service open it once (it migrates) or use a matching analyzer`,
      );
    }
    // The store's own row → cell mapping, run on this read-only handle (loadThresholds only reads `db`).
    // Reading is all a one-shot run may do, and AnomalyStore's constructor migrates and switches to WAL.
    const models = AnomalyStore.prototype.loadThresholds.call({ db } as Pick<
      AnomalyStore,
      'db'
    > as AnomalyStore);
    if (models.size === 0) {
      throw new AnomalyDbError(
        `--anomaly-db '${path}' has no learned thresholds yet (the service recalculates nightly, or POST /api/monitor/recalculate)`,
      );
    }
    return models;
  } finally {
    db.close();
  }
}
