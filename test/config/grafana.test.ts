// Grafana: dashboards type-checked against @grafana/schema 13 with the TypeScript compiler, datasources checked
// for the kit's fixed uids, and every PromQL expression in the dashboards parsed by the real promtool.
//
// The type check is the strongest @grafana/schema offers offline: each dashboard's JSON is compiled as an
// object literal that `satisfies` the schema's `Dashboard` type, with each panel narrowed by its `type` to the
// panel plugin's own generated `Options` (stat, timeseries, bargauge) and timeseries field config
// (`GraphFieldConfig`), so excess properties, missing required options and wrong enum strings are errors.
// @grafana/schema has no Prometheus query type, so targets are checked as DataQuery + the Prometheus fields.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import ts from 'typescript';
import { parse } from 'yaml';
import { findBinary, REPO_ROOT, unknownMetrics } from '../helpers/native-stack.ts';
import { skipOrFail } from '../helpers/skip.ts';

const DASH_DIR = join(REPO_ROOT, 'grafana/dashboards');
const dashboards = readdirSync(DASH_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DASH_DIR, f), 'utf8')) as DashboardJson }));

interface PanelJson {
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
  panels?: PanelJson[];
}
interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
}

const DATASOURCE_UIDS = new Set([
  'crumbtrail-prometheus',
  'crumbtrail-elasticsearch',
  'crumbtrail-alertmanager',
]);

const PRELUDE = `
import type { Dashboard, DataQuery, FieldConfig, FieldConfigSource, GraphFieldConfig, Panel, RowPanel } from '@grafana/schema';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { Options as TimeSeriesOptions } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type { Options as BarGaugeOptions } from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';

// JSON has strings where the schema has string enums: map every enum to its literal values.
type Json<T> = T extends string
  ? \`\${T}\`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

interface PrometheusQuery extends DataQuery {
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  interval?: string;
  format?: 'time_series' | 'table' | 'heatmap';
  editorMode?: 'code' | 'builder';
}

type PanelOf<TType extends string, TOptions, TCustom> = Omit<Panel, 'type' | 'targets' | 'options' | 'fieldConfig'> & {
  type: TType;
  targets: PrometheusQuery[];
  options: TOptions;
  fieldConfig: Omit<FieldConfigSource, 'defaults'> & { defaults: Omit<FieldConfig, 'custom'> & { custom?: TCustom } };
};
type CheckedPanel =
  | PanelOf<'stat', StatOptions, never>
  | PanelOf<'timeseries', TimeSeriesOptions, GraphFieldConfig>
  | PanelOf<'bargauge', BarGaugeOptions, never>
  | (Omit<RowPanel, 'panels'> & { panels: CheckedPanel[] });
type CheckedDashboard = Omit<Dashboard, 'panels'> & { panels: CheckedPanel[] };
`;

/** Type-checks `json` as a CheckedDashboard; returns the compiler's diagnostics as text (empty when clean). */
function typeCheckDashboard(json: unknown): string[] {
  // The virtual file sits in the repo so module resolution finds node_modules/@grafana/schema.
  const virtualPath = join(REPO_ROOT, 'test/config/__grafana_dashboard_check__.ts');
  const source = `${PRELUDE}\nexport const dashboard = ${JSON.stringify(json, null, 2)} satisfies Json<CheckedDashboard>;\n`;
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, lang, onError, create) =>
    fileName === virtualPath
      ? ts.createSourceFile(fileName, source, lang, true)
      : getSourceFile(fileName, lang, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => f === virtualPath || fileExists(f);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => (f === virtualPath ? source : readFile(f));
  const program = ts.createProgram([virtualPath], options, host);
  const diags = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  return diags.map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return msg;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const text = d.file.text.split('\n')[line]?.trim() ?? '';
    return `line ${line + 1} (${text}): ${msg}`;
  });
}

function allPanels(panels: PanelJson[]): PanelJson[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

describe('Grafana dashboards against @grafana/schema (TypeScript compiler)', () => {
  test('there are dashboards', () => assert.ok(dashboards.length >= 2));

  for (const { file, json } of dashboards) {
    test(`${file}: satisfies Dashboard with per-plugin panel options`, () => {
      const errors = typeCheckDashboard(json);
      assert.deepEqual(errors, [], errors.join('\n'));
    });
  }

  const mutations: Array<[string, (stat: Record<string, unknown>) => void, RegExp]> = [
    [
      'a wrong enum string',
      (p) => ((p.options as Record<string, unknown>).graphMode = 'sparkles'),
      /sparkles/,
    ],
    [
      'a missing required option',
      (p) => delete (p.options as Record<string, unknown>).reduceOptions,
      /reduceOptions/,
    ],
    ['an unknown panel key', (p) => (p.colour = 'red'), /colour/],
  ];
  for (const [what, mutate, expected] of mutations) {
    test(`the checker rejects ${what} (it can fail)`, () => {
      const broken = structuredClone(dashboards[0]!.json);
      const stat = allPanels(broken.panels).find((p) => p.type === 'stat') as unknown as Record<
        string,
        unknown
      >;
      assert.ok(stat, 'no stat panel to break');
      mutate(stat);
      assert.match(typeCheckDashboard(broken).join('\n'), expected);
    });
  }

  for (const { file, json } of dashboards) {
    test(`${file}: uid, crumbtrail tag, only the kit's datasource uids, known metric families`, () => {
      assert.match(json.uid, /^crumbtrail-/);
      for (const p of allPanels(json.panels)) {
        if (p.type === 'row') continue;
        assert.ok(
          DATASOURCE_UIDS.has(p.datasource?.uid ?? ''),
          `${p.title}: datasource ${p.datasource?.uid}`,
        );
        for (const t of p.targets ?? []) {
          if (t.datasource)
            assert.ok(DATASOURCE_UIDS.has(t.datasource.uid ?? ''), `${p.title}: ${t.datasource.uid}`);
          if (t.expr) assert.deepEqual(unknownMetrics(t.expr), [], `${p.title}: ${t.expr}`);
        }
      }
    });
  }
});

const promtool = findBinary('promtool');
describe('dashboard PromQL parsed by the real promtool', {
  skip: promtool ? false : skipOrFail('dashboard PromQL: promtool not on PATH'),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'crumbtrail-grafana-promql-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every expression is valid PromQL (Grafana variables replaced by durations)', () => {
    const exprs = dashboards.flatMap(({ json }) =>
      allPanels(json.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '').filter(Boolean)),
    );
    assert.ok(exprs.length > 10);
    const rules = exprs.map((e, i) => ({
      record: `crumbtrail:dashboard_check_${i}`,
      expr: e
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$__interval', '1m')
        .replaceAll('$__range', '1h'),
    }));
    const file = join(dir, 'dashboard-exprs.yml');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboards', rules }] }));
    const r = spawnSync(promtool!, ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
});

describe('Grafana datasources (file-provisioned)', () => {
  const doc = parse(
    readFileSync(join(REPO_ROOT, 'grafana/provisioning/datasources/crumbtrail.yml'), 'utf8'),
  ) as {
    apiVersion: number;
    datasources: Array<{
      uid: string;
      type: string;
      url: string;
      jsonData?: Record<string, unknown>;
      secureJsonData?: Record<string, string>;
    }>;
  };
  const byUid = new Map(doc.datasources.map((d) => [d.uid, d]));

  test('fixed uids: crumbtrail-prometheus and crumbtrail-elasticsearch (index logs-crumbtrail.*)', () => {
    assert.equal(doc.apiVersion, 1);
    assert.equal(byUid.get('crumbtrail-prometheus')?.type, 'prometheus');
    assert.equal(byUid.get('crumbtrail-prometheus')?.url, 'http://prometheus:9090');
    const es = byUid.get('crumbtrail-elasticsearch');
    assert.equal(es?.type, 'elasticsearch');
    assert.equal(es?.jsonData?.index, 'logs-crumbtrail.*');
    assert.equal(es?.jsonData?.timeField, '@timestamp');
  });

  test('no credential is written in the file: the ES password comes from the environment', () => {
    const es = byUid.get('crumbtrail-elasticsearch');
    assert.equal(es?.secureJsonData?.basicAuthPassword, '$__file{/run/secrets/grafana_reader_password}');
  });

  test('dashboards are not file-provisioned (the HTTP API owns them)', () => {
    const entries = readdirSync(join(REPO_ROOT, 'grafana/provisioning'));
    assert.ok(
      !entries.includes('dashboards'),
      'grafana/provisioning/dashboards would fight `npm run provision`',
    );
  });
});
