// The live smoke run: every service healthy, then the incident drill through every hop; a failing hop is
// named and its service's `docker compose logs` dumped.
import { type ProvisionConfig, parseArgs } from './config.ts';
import { composeLogs, DrillHopError, type HopResult, hopTable, runDrill } from './drill.ts';
import { createEsClient } from './es-client.ts';
import { checkHealth, type ServiceHealth, smokeUrls } from './health.ts';

export interface SmokeResult {
  ok: boolean;
  health: ServiceHealth[];
  hops: HopResult[];
}

export function smokeConfig(
  repoRoot: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProvisionConfig {
  return parseArgs([], env, repoRoot);
}

export async function runSmoke(repoRoot: string, print: (line: string) => void): Promise<SmokeResult> {
  const config = smokeConfig(repoRoot);
  const urls = smokeUrls(config.env);
  const health = await checkHealth(config, urls);
  for (const h of health) print(`  ${h.ok ? 'ok  ' : 'FAIL'} ${h.service.padEnd(14)} ${h.detail}`);
  const sick = health.filter((h) => !h.ok);
  if (sick.length > 0) {
    for (const h of sick)
      print(`--- docker compose logs ${h.service} ---\n${await composeLogs(repoRoot, h.service)}`);
    return { ok: false, health, hops: [] };
  }
  const es = createEsClient(config.es);
  try {
    const { hops } = await runDrill(
      {
        config,
        es,
        ...urls,
        cwd: repoRoot,
        hopTimeoutMs: Number(config.env.DRILL_HOP_TIMEOUT_MS ?? 240_000),
      },
      print,
    );
    print(hopTable(hops));
    const failed = hops.find((h) => !h.ok);
    if (failed) {
      print(new DrillHopError(failed).message);
      print(`--- docker compose logs ${failed.service} ---\n${await composeLogs(repoRoot, failed.service)}`);
    }
    return { ok: !failed, health, hops };
  } finally {
    await es.close();
  }
}
