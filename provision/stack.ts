// Is the compose stack running here? Docker labels say so (com.docker.compose.project=crumbtrail), or STACK=live.
import Docker from 'dockerode';

export const COMPOSE_PROJECT = 'crumbtrail';

export interface StackDetection {
  live: boolean;
  reason: string;
  services: string[];
}

export async function detectStack(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<StackDetection> {
  if (env.STACK === 'live') return { live: true, reason: 'STACK=live', services: [] };
  if (env.STACK === 'none') return { live: false, reason: 'STACK=none', services: [] };
  try {
    const docker = new Docker();
    const containers = await Promise.race([
      docker.listContainers({ filters: { label: [`com.docker.compose.project=${COMPOSE_PROJECT}`] } }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('Docker did not answer in 3s')), 3000).unref(),
      ),
    ]);
    const services = containers
      .map((c) => c.Labels['com.docker.compose.service'] ?? c.Names[0] ?? '?')
      .sort();
    return containers.length > 0
      ? {
          live: true,
          reason: `compose project ${COMPOSE_PROJECT}: ${services.length} containers running`,
          services,
        }
      : {
          live: false,
          reason: `no running containers labelled com.docker.compose.project=${COMPOSE_PROJECT}`,
          services,
        };
  } catch (err) {
    return { live: false, reason: `no Docker engine reachable (${(err as Error).message})`, services: [] };
  }
}
