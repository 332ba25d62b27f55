// The live smoke run: every service healthy, then the incident drill through every hop; a failing hop is
// named and its service's `docker compose logs` dumped. reportHops is shared with the native drill.
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

/** Where a failing hop's evidence comes from: compose logs (live) or the harness' captured output (native). */
export type HopLogs = (service: string) => Promise<{ title: string; text: string }>;

/** Prints the hop table; for a failed hop, names it and dumps its service's logs. Returns the failed hop. */
export async function reportHops(
  hops: readonly HopResult[],
  print: (line: string) => void,
  logsFor: HopLogs,
): Promise<HopResult | undefined> {
  print(hopTable(hops));
  const failed = hops.find((h) => !h.ok);
  if (failed) {
    print(new DrillHopError(failed).message);
    const logs = await logsFor(failed.service);
    print(`--- ${logs.title} ---\n${logs.text}`);
  }
  return failed;
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
    const failed = await reportHops(hops, print, async (service) => ({
      title: `docker compose logs ${service}`,
      text: await composeLogs(repoRoot, service),
    }));
    return { ok: !failed, health, hops };
  } finally {
    await es.close();
  }
}
