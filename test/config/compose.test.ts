// docker-compose.yml: validated against the Compose Specification JSON schema (../shared/specs, ajv), then
// our own reference checks (no Docker engine needed): dependencies exist and are conditioned right, durations
// parse, ports bind to CRUMBTRAIL_BIND, images are pinned by .env versions, secrets have no defaults,
// long-running services have healthchecks, every ${VAR} is documented in .env.example.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import { parse } from 'yaml';
import { parseEnvFile, SECRET_VARIABLES } from '../../scripts/lib/env-file.ts';
import { REPO_ROOT } from '../helpers/native-stack.ts';
import { skipOrFail } from '../helpers/skip.ts';

const COMPOSE_PATH = join(REPO_ROOT, 'docker-compose.yml');
const composeText = readFileSync(COMPOSE_PATH, 'utf8');

interface Healthcheck {
  test?: string | string[];
  interval?: string;
  timeout?: string;
  start_period?: string;
  retries?: number;
}
interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: Healthcheck;
  restart?: string;
  profiles?: string[];
  volumes?: string[];
  command?: string[] | string;
  entrypoint?: string[] | string;
}
const compose = parse(composeText) as { name?: string; version?: string; services: Record<string, Service> };
const services = Object.entries(compose.services);
const ONE_SHOTS = new Set(['setup', 'provision', 'demo']);

/** ajv with the draft-07 meta-schema also under the https id the Compose spec declares. */
function composeValidator(schema: object) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema({ ...draft07, $id: 'https://json-schema.org/draft-07/schema' });
  return ajv.compile(schema);
}

// Resolved relative to the repo root's parent, as in CI: ../shared/specs/compose/compose-spec.json.
const SPEC = join(REPO_ROOT, '..', 'shared', 'specs', 'compose', 'compose-spec.json');
const specMissing = existsSync(SPEC)
  ? false
  : skipOrFail(`compose schema: ${SPEC} not found (the shared specs are not on this machine)`);

describe('docker-compose.yml against the Compose Specification schema', { skip: specMissing }, () => {
  test('validates with ajv', () => {
    const schema = JSON.parse(readFileSync(SPEC, 'utf8')) as object;
    const validate = composeValidator(schema);
    const ok = validate(compose);
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  });

  test('the validator rejects a broken file (the check can fail)', () => {
    const schema = JSON.parse(readFileSync(SPEC, 'utf8')) as object;
    const validate = composeValidator(schema);
    assert.equal(validate({ services: { x: { image: 'a', helthcheck: { test: ['NONE'] } } } }), false);
  });
});

/** Go duration as Compose parses it: 1m30s, 10s, 500ms. */
const DURATION = /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/;

describe('compose reference checks', () => {
  test('Compose spec top level: no version key, project name crumbtrail', () => {
    assert.equal(compose.version, undefined);
    assert.equal(compose.name, 'crumbtrail');
  });

  for (const [name, svc] of services) {
    test(`${name}: depends_on targets exist with the right condition`, () => {
      const deps = svc.depends_on ?? {};
      assert.ok(!Array.isArray(deps), `${name}: use the long depends_on form with a condition`);
      for (const [target, { condition }] of Object.entries(deps)) {
        assert.ok(compose.services[target], `${name} depends on unknown service ${target}`);
        const want = ONE_SHOTS.has(target) ? 'service_completed_successfully' : 'service_healthy';
        assert.equal(condition, want, `${name} -> ${target}`);
        if (want === 'service_healthy')
          assert.ok(compose.services[target]?.healthcheck, `${target} needs a healthcheck`);
      }
    });

    test(`${name}: long-running services restart unless-stopped and have a real healthcheck`, () => {
      if (ONE_SHOTS.has(name)) {
        assert.equal(svc.restart, 'no', `${name} is a one-shot`);
        return;
      }
      assert.equal(svc.restart, 'unless-stopped');
      const hc = svc.healthcheck;
      assert.ok(hc?.test && hc.test.length > 0, `${name} has no healthcheck`);
      for (const k of ['interval', 'timeout', 'start_period'] as const) {
        if (hc[k] !== undefined) assert.match(hc[k], DURATION, `${name}.healthcheck.${k}`);
      }
    });

    test(`${name}: published ports bind to CRUMBTRAIL_BIND (127.0.0.1 by default)`, () => {
      for (const p of svc.ports ?? []) {
        assert.match(p, /^\$\{CRUMBTRAIL_BIND:-127\.0\.0\.1\}:\$\{[A-Z_]+_PORT:-\d+\}:\d+$/, `${name}: ${p}`);
      }
    });

    test(`${name}: image pinned by a .env version variable`, () => {
      if (svc.build !== undefined) return; // built here; base images are pinned in the Dockerfile
      assert.match(svc.image ?? '', /:\$\{[A-Z_]+_VERSION\}$/, `${name}: ${svc.image}`);
    });
  }

  test('no secret has a default value in compose', () => {
    for (const secret of Object.keys(SECRET_VARIABLES)) {
      const uses = composeText.match(new RegExp(`\\$\\{${secret}[^}]*\\}`, 'g')) ?? [];
      for (const u of uses) assert.equal(u, `\${${secret}}`, `secret with a default or modifier: ${u}`);
    }
  });

  test('ES healthcheck fails on a red cluster; Kibana needs overall available or degraded (provision checks the rest)', () => {
    const es = JSON.stringify(compose.services.elasticsearch?.healthcheck?.test);
    assert.match(es, /wait_for_status=yellow/);
    assert.match(es, /-u \\"elastic:\$\$\(cat \/run\/secrets\/elastic_password\)\\"/);
    assert.match(es, /curl -f/);
    const kb = JSON.stringify(compose.services.kibana?.healthcheck?.test);
    assert.match(kb, /api\/status/);
    assert.match(kb, /(available|degraded)/);
  });

  test('shippers wait for provision; they read the app-log volume read-only', () => {
    for (const s of ['filebeat', 'analyzer']) {
      const deps = compose.services[s]?.depends_on as Record<string, { condition: string }>;
      assert.equal(deps.provision?.condition, 'service_completed_successfully', s);
      assert.ok(compose.services[s]?.volumes?.includes('app-logs:/var/log/app:ro'), s);
    }
  });

  test('Filebeat permissions are never bypassed', () => {
    const files = [COMPOSE_PATH, join(REPO_ROOT, 'filebeat/Dockerfile')];
    for (const f of files) {
      const code = readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*#/.test(l));
      assert.ok(!code.some((l) => /strict\.perms/.test(l.replace(/#.*$/, ''))), `${f} passes --strict.perms`);
    }
    const dockerfile = readFileSync(join(REPO_ROOT, 'filebeat/Dockerfile'), 'utf8');
    assert.match(dockerfile, /FROM docker\.elastic\.co\/beats\/filebeat:\$\{ELASTIC_VERSION\}/);
    assert.match(dockerfile, /chown root:root/);
    assert.match(dockerfile, /chmod 0644/);
  });

  test('the provision service gets every variable a Kibana connector requires (a host run reads them from .env)', () => {
    const env = (compose.services.provision as { environment?: Record<string, string> }).environment ?? {};
    const dir = join(REPO_ROOT, 'kibana/connectors');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { requiresEnv?: string[] };
      for (const v of c.requiresEnv ?? []) {
        assert.equal(
          env[v],
          `\${${v}:-}`,
          `provision lacks ${v} (${f}): compose and host runs would flip the connector`,
        );
      }
    }
  });

  test('secrets reach the services as Compose secrets (files), not environment values, where the image reads *_FILE', () => {
    const top = (compose as { secrets?: Record<string, { environment?: string }> }).secrets ?? {};
    for (const [name, def] of Object.entries(top)) {
      assert.ok(
        def.environment && SECRET_VARIABLES[def.environment],
        `secret ${name} comes from a known .env secret`,
      );
    }
    const envOf = (svc: string) =>
      (compose.services[svc] as { environment?: Record<string, string> }).environment ?? {};
    for (const svc of ['setup', 'elasticsearch', 'grafana', 'provision']) {
      for (const [k, v] of Object.entries(envOf(svc))) {
        assert.doesNotMatch(
          String(v),
          /\$\{[A-Z_]*(PASSWORD|_KEY)\}/,
          `${svc}.${k} carries a secret in its environment`,
        );
      }
      const mounted = (compose.services[svc] as { secrets?: string[] }).secrets ?? [];
      for (const v of Object.values(envOf(svc))) {
        const m = /^\/run\/secrets\/(.+)$/.exec(String(v));
        if (m) {
          assert.ok(mounted.includes(m[1]!), `${svc} reads ${v} but does not mount secret ${m[1]}`);
          assert.ok(top[m[1]!], `secret ${m[1]} is not defined at the top level`);
        }
      }
    }
  });

  test('healthchecks use a tool the image ships (Grafana: curl; Prometheus/Alertmanager busybox: wget)', () => {
    const hc = (svc: string) => JSON.stringify(compose.services[svc]?.healthcheck?.test);
    assert.match(hc('grafana'), /"curl"/);
    for (const svc of ['prometheus', 'alertmanager']) assert.match(hc(svc), /"wget"/);
  });

  test('optional container logs and the demo sit behind profiles', () => {
    assert.deepEqual(compose.services['filebeat-containers']?.profiles, ['containers']);
    assert.deepEqual(compose.services.demo?.profiles, ['demo']);
  });

  test('every variable used in compose is documented in .env.example', () => {
    const example = parseEnvFile(readFileSync(join(REPO_ROOT, '.env.example'), 'utf8'), '.env.example');
    const documented = new Map(example.entries.map((e) => [e.name, e]));
    const used = new Set([...composeText.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
    assert.ok(used.size > 20, `only ${used.size} variables found`);
    for (const v of used) {
      const e = documented.get(v);
      assert.ok(e, `${v} is used in docker-compose.yml but missing from .env.example`);
      assert.ok(e.doc.length > 0, `${v} has no comment in .env.example`);
    }
  });
});
