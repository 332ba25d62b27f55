// Prometheus owns its rules as files; provisioning only checks they are loaded and asks for a reload.
import type { Target } from './config.ts';
import { ServiceHttp } from './http.ts';
import type { StepContext } from './reconcile.ts';
import { waitForHealthy, waitOptions } from './wait.ts';

export function prometheusHttp(target: Target): ServiceHttp {
  return new ServiceHttp('Prometheus', target, 'PROMETHEUS_URL');
}

export async function waitForPrometheus(ctx: StepContext, http: ServiceHttp): Promise<string> {
  return waitForHealthy(
    `Prometheus at ${http.target.url}`,
    async () => {
      const res = await http.get('/-/ready', { expect: [503] });
      return { ready: res.status === 200, detail: res.status === 200 ? 'ready' : `HTTP ${res.status}` };
    },
    waitOptions(ctx),
  );
}

interface RulesBody {
  data?: { groups?: { name: string; rules?: { name: string; type: string }[] }[] };
}

export async function provisionPrometheus(ctx: StepContext, http: ServiceHttp): Promise<void> {
  if (!ctx.dryRun) {
    const res = await http.request('POST', '/-/reload', { expect: [403, 405] });
    if (res.status === 200) ctx.report.note('prometheus    configuration reloaded (POST /-/reload)');
    else {
      ctx.report.note(
        'prometheus    reload refused (HTTP ' +
          res.status +
          '): the lifecycle API is off (start Prometheus with --web.enable-lifecycle, or restart it to load rule changes)',
      );
    }
  }
  const rules = (await http.get('/api/v1/rules')).body as RulesBody;
  const groups = rules.data?.groups ?? [];
  const alerting = groups.flatMap((g) => g.rules ?? []).filter((r) => r.type === 'alerting');
  ctx.report.record({
    service: 'prometheus',
    kind: 'rule-groups',
    id: groups.map((g) => g.name).join(',') || '(none)',
    outcome: groups.length > 0 ? 'checked' : 'failed',
    detail:
      groups.length > 0
        ? `${groups.length} groups, ${alerting.length} alerting rules loaded`
        : 'no rule groups loaded: check rule_files in prometheus.yml and `promtool check config`',
  });
}
