// `npm start`: the analyzer as a live service. Thin: parse config, wire the real modules, handle signals.
// A bad config value prints one line naming the key and exits 2.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { anomalyConfigFromEnv, defaultAnomalyConfig } from '../anomaly/config.ts';
import { AnomalyMonitor } from '../anomaly/monitor.ts';
import { anomalyRoutes } from '../anomaly/routes.ts';
import { AnalyzerMetrics } from '../metrics/analyzer-metrics.ts';
import { AnalyzerService, type EventObserver } from '../service/app.ts';
import { loadConfig, USAGE } from '../service/config.ts';
import type { MountedHandler } from '../service/http.ts';
import { createStageFactories } from '../service/stages.ts';
import {
  createServiceSink,
  elasticsearchConfigFromEnv,
  lineLogger,
  secretScrubber,
} from '../sinks/elasticsearch/index.ts';
import { createTailer } from '../source/tailer.ts';
import { templateRoutes } from '../templates/routes.ts';
import { TemplateStage } from '../templates/stage.ts';
import { exitFor } from './usage-error.ts';

const log = (line: string): void => {
  process.stderr.write(`crumbtrail: ${line}\n`);
};

function fail(message: string, code: number): never {
  log(message);
  process.exit(code);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig({ argv, env: process.env });
  mkdirSync(config.stateDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, CRUMBTRAIL_STATE_DIR: config.stateDir };
  if (config.ship) env.CRUMBTRAIL_SHIP = config.ship;
  const esConfig = elasticsearchConfigFromEnv(env);

  const metrics = new AnalyzerMetrics({
    componentCap: config.componentLabelCap,
    fileCap: config.fileLabelCap,
  });
  const observers: EventObserver[] = [];
  const mounted: MountedHandler[] = [];
  let monitor: AnomalyMonitor | null = null;
  if (config.anomalies) {
    const base = defaultAnomalyConfig({ dbPath: join(config.stateDir, 'anomalies.sqlite') });
    monitor = new AnomalyMonitor({ config: anomalyConfigFromEnv(env, base), registry: metrics.registry });
    observers.push(monitor);
    mounted.push(anomalyRoutes(monitor));
  }

  // One template stage shared by the pipeline and /api/templates.
  const templates = new TemplateStage();
  const service = new AnalyzerService(config, {
    metrics,
    createTailer,
    stageFactories: { ...createStageFactories(metrics.registry), templates: () => templates },
    routes: [templateRoutes(templates)],
    observers,
    mounted,
    sinks: ({ ackTracker }) =>
      esConfig
        ? [
            createServiceSink(esConfig, {
              acks: ackTracker,
              registry: metrics.registry,
              // The service's own log line, scrubbed once more against the configured credentials.
              log: lineLogger(log, secretScrubber(esConfig.auth)),
              // Anomalies go to their own data stream as non-acked documents, bounded inside the sink.
              anomalies: monitor,
            }),
          ]
        : [],
    log,
  });

  let stopping: Promise<void> | null = null;
  const shutdown = (signal: string): void => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    log(`${signal}: stopping (flushing pipeline and sinks, saving checkpoints)`);
    stopping = service.stop().then(
      () => process.exit(0),
      (err: unknown) => fail(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`, 1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const addr = await service.start();
  monitor?.start();
  const dash = config.dashboard ? ` dashboard http://${addr.host}:${addr.dashboardPort ?? addr.port}/` : '';
  log(
    `listening on http://${addr.host}:${addr.port} (metrics /metrics)${dash}; following ${config.globs.join(', ')}`,
  );
}

main().catch((err: unknown) => {
  const { message, code } = exitFor(err);
  fail(message, code);
});
