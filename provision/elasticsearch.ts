// Elasticsearch: ILM policy → component template → ingest pipeline → index templates (dependency order).
import type { Client } from '@elastic/elasticsearch';
import {
  ALERTS_HISTORY_ALIAS,
  alertsHistoryBootstrap,
  alertsHistoryPolicy,
  alertsHistoryTemplate,
} from '../elasticsearch/alerts-history.ts';
import { componentTemplate, ilmPolicy, indexTemplates, ingestPipeline } from '../elasticsearch/index.ts';
import type { Target } from './config.ts';
import { ProvisionError } from './errors.ts';
import { esCall } from './es-client.ts';
import { reconcile, type StepContext } from './reconcile.ts';
import { waitForHealthy, waitOptions } from './wait.ts';

const SERVICE = 'elasticsearch';
/** Oldest major whose APIs (data streams, composable templates, copy_from) we rely on. */
export const MIN_ES_MAJOR = 8;

/** Wait for green/yellow, then check the version. Returns the version number. */
export async function waitForElasticsearch(
  ctx: StepContext,
  client: Client,
  target: Target,
): Promise<string> {
  await waitForHealthy(
    `Elasticsearch at ${target.url}`,
    async () => {
      const h = await esCall(target, 'GET _cluster/health', () => client.cluster.health());
      return { ready: h.status === 'green' || h.status === 'yellow', detail: `cluster status ${h.status}` };
    },
    waitOptions(ctx),
  );
  const info = await esCall(target, 'GET /', () => client.info());
  const version = info.version.number;
  const major = Number(version.split('.')[0]);
  if (!(major >= MIN_ES_MAJOR)) {
    throw new ProvisionError(
      `Elasticsearch ${version} is too old: crumbtrail needs ${MIN_ES_MAJOR}.x or newer (the stack pins 9.5.1)`,
      true,
    );
  }
  return version;
}

export async function provisionElasticsearch(
  ctx: StepContext,
  client: Client,
  target: Target,
  retentionDays: number,
): Promise<void> {
  await reconcilePolicy(ctx, client, target, ilmPolicy(retentionDays));
  await reconcilePolicy(ctx, client, target, alertsHistoryPolicy(retentionDays));

  const { name: ctName, ...ctBody } = componentTemplate();
  await reconcile(ctx, {
    service: SERVICE,
    kind: 'component-template',
    id: ctName,
    desired: ctBody,
    read: async () => {
      const res = await esCall(
        target,
        `GET _component_template/${ctName}`,
        () => client.cluster.getComponentTemplate({ name: ctName }),
        true,
      );
      return res?.component_templates.find((t) => t.name === ctName)?.component_template;
    },
    write: async () => {
      await esCall(target, `PUT _component_template/${ctName}`, () =>
        client.cluster.putComponentTemplate({ name: ctName, ...ctBody }),
      );
    },
  });

  const { id: pipelineId, ...pipelineBody } = ingestPipeline();
  await reconcile(ctx, {
    service: SERVICE,
    kind: 'ingest-pipeline',
    id: pipelineId,
    desired: pipelineBody,
    read: async () => {
      const res = await esCall(
        target,
        `GET _ingest/pipeline/${pipelineId}`,
        () => client.ingest.getPipeline({ id: pipelineId }),
        true,
      );
      return res?.[pipelineId];
    },
    write: async () => {
      await esCall(target, `PUT _ingest/pipeline/${pipelineId}`, () =>
        client.ingest.putPipeline({ id: pipelineId, ...pipelineBody }),
      );
    },
  });

  for (const tpl of [...indexTemplates(), alertsHistoryTemplate()]) {
    const { name, ...body } = tpl;
    await reconcile(ctx, {
      service: SERVICE,
      kind: 'index-template',
      id: name,
      desired: body,
      read: async () => {
        const res = await esCall(
          target,
          `GET _index_template/${name}`,
          () => client.indices.getIndexTemplate({ name }),
          true,
        );
        return res?.index_templates.find((t) => t.name === name)?.index_template;
      },
      write: async () => {
        await esCall(target, `PUT _index_template/${name}`, () =>
          client.indices.putIndexTemplate({ name, ...body }),
        );
      },
    });
  }

  // Kibana's index connector and the watchers write alerts with plain `index` on this name: it must be a write
  // alias over rolled-over indices (a data stream refuses `index`), created once, before anything writes.
  const aliasThere = await esCall(target, `HEAD _alias/${ALERTS_HISTORY_ALIAS}`, () =>
    client.indices.existsAlias({ name: ALERTS_HISTORY_ALIAS }),
  );
  if (!aliasThere) {
    const boot = alertsHistoryBootstrap();
    if (ctx.dryRun) ctx.print(`would create ${boot.index} with write alias ${ALERTS_HISTORY_ALIAS}`);
    else await esCall(target, `PUT ${boot.index}`, () => client.indices.create(boot));
  }
}

async function reconcilePolicy(
  ctx: StepContext,
  client: Client,
  target: Target,
  { name, ...body }: ReturnType<typeof ilmPolicy>,
): Promise<void> {
  await reconcile(ctx, {
    service: SERVICE,
    kind: 'ilm-policy',
    id: name,
    desired: body,
    read: async () => {
      const res = await esCall(
        target,
        `GET _ilm/policy/${name}`,
        () => client.ilm.getLifecycle({ name }),
        true,
      );
      return res?.[name];
    },
    write: async () => {
      await esCall(target, `PUT _ilm/policy/${name}`, () => client.ilm.putLifecycle({ name, ...body }));
    },
  });
}
