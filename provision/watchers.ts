// Watcher watches (kibana/watchers/*.json): only on a licence that includes Watcher; on basic one line says
// why they are skipped and what replaces them (the Kibana alerting rules, which run on basic).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, estypes } from '@elastic/elasticsearch';
import type { Target } from './config.ts';
import { ProvisionError } from './errors.ts';
import { esCall } from './es-client.ts';
import { type License, licenseAllows } from './license.ts';
import { reconcile, type StepContext } from './reconcile.ts';

export interface WatchFile {
  id: string;
  watch: Omit<estypes.WatcherPutWatchRequest, 'id'>;
}

export function loadWatches(repoRoot: string): WatchFile[] {
  const dir = join(repoRoot, 'kibana', 'watchers');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Partial<WatchFile>;
      if (typeof parsed.id !== 'string' || typeof parsed.watch !== 'object' || parsed.watch === null) {
        throw new ProvisionError(`kibana/watchers/${f}: expected {"id": "...", "watch": {...}}`, true);
      }
      return parsed as WatchFile;
    });
}

export async function provisionWatches(
  ctx: StepContext,
  client: Client,
  target: Target,
  license: License,
  repoRoot: string,
): Promise<void> {
  const watches = loadWatches(repoRoot);
  if (!licenseAllows(license, 'gold')) {
    ctx.report.note(
      `watcher: skipped ${watches.length} watches: the ${license.type} licence (${license.status}) has no Watcher ` +
        '(gold, platinum, enterprise or trial needed); the Kibana .es-query rules provide the same alerts on basic',
    );
    for (const w of watches) {
      ctx.report.record({
        service: 'elasticsearch',
        kind: 'watch',
        id: w.id,
        outcome: 'skipped',
        detail: `licence ${license.type}`,
      });
    }
    return;
  }
  for (const w of watches) {
    await reconcile(ctx, {
      service: 'elasticsearch',
      kind: 'watch',
      id: w.id,
      desired: w.watch,
      read: async () => {
        const res = await esCall(
          target,
          `GET _watcher/watch/${w.id}`,
          () => client.watcher.getWatch({ id: w.id }),
          true,
        );
        return res?.found ? res.watch : undefined;
      },
      write: async () => {
        await esCall(target, `PUT _watcher/watch/${w.id}`, () =>
          client.watcher.putWatch({ id: w.id, ...w.watch }),
        );
      },
    });
  }
}
