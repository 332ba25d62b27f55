// A small service under test: the real AnalyzerService wiring with a stand-in tailer and tiny stages
// ("LEVEL component message"; lines starting with a space are continuations; "BOOM" makes the parser throw).
// The real modules are exercised in test/integration/service-*.test.ts.
import type { ClassifiedEvent, Level, LogEvent, RawLine } from '../../analyzer/src/core/types.ts';
import type { Stage } from '../../analyzer/src/pipeline/stage.ts';
import { AnalyzerService, type ServiceDeps } from '../../analyzer/src/service/app.ts';
import { loadConfig } from '../../analyzer/src/service/config.ts';
import type { StageFactories } from '../../analyzer/src/service/stages.ts';
import type { AckingSink } from '../../analyzer/src/sinks/sink.ts';
import { TailerStandIn } from './tailer-standin.ts';

/** Timestamp of a line: "@<epoch ms> " at the start of the message sets it, else the wall clock. */
function stamp(words: string[]): number {
  const m = /^@(\d+)$/.exec(words[0] ?? '');
  if (!m) return Date.now();
  words.shift();
  return Number(m[1]);
}

/** "LEVEL component message": a tiny parser; lines starting with a space are continuations. */
export const fakeStages: StageFactories = {
  parse: () => ({
    name: 'parse',
    process(l: RawLine, emit: (e: LogEvent) => void) {
      const text = l.bytes.toString();
      if (text.startsWith('BOOM')) throw new Error('parser exploded');
      const [level, component, ...rest] = text.split(' ');
      const timestamp = stamp(rest);
      emit({
        source: l.source,
        fileId: l.fileId,
        offset: l.offset,
        nextOffset: l.nextOffset,
        lineNo: l.lineNo,
        format: text.startsWith(' ') ? 'unparsed' : 'plain',
        timestamp,
        level: (level || 'UNKNOWN') as Level,
        component: component ?? '',
        message: rest.join(' '),
        fields: {},
      });
    },
  }),
  multiline: (): Stage<LogEvent, LogEvent> => {
    let held: LogEvent | null = null;
    return {
      name: 'multiline',
      process(e, emit) {
        if (e.format === 'unparsed' && held) {
          held.nextOffset = e.nextOffset;
          return;
        }
        if (held) emit(held);
        held = e;
      },
      flush(emit) {
        if (held) emit(held);
        held = null;
      },
    };
  },
  classify: () => ({
    name: 'classify',
    process(e: LogEvent, emit: (c: ClassifiedEvent) => void) {
      emit({
        event: e,
        breadcrumb: e.message.includes('<b>')
          ? { event: e, category: 'trigger', symbol: '🔴', ruleId: 't', severity: 2 }
          : null,
      });
    },
  }),
};

export function standInService(
  dir: string,
  extra: string[] = [],
  sinks: AckingSink[] = [],
  deps: Partial<ServiceDeps> = {},
  env: Record<string, string> = {},
  timing = { idleFlushMs: 50, commitIntervalMs: 20 },
) {
  let tailer!: TailerStandIn;
  const config = loadConfig({
    argv: [
      '--glob',
      '/logs/*.log',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--idle-flush-ms',
      String(timing.idleFlushMs),
      '--commit-interval-ms',
      String(timing.commitIntervalMs),
      '--state-dir',
      dir,
      ...extra,
    ],
    env,
    cwd: dir,
  });
  const svc = new AnalyzerService(config, {
    createTailer: (_o, onLines) => {
      tailer = new TailerStandIn(onLines);
      return tailer;
    },
    stageFactories: fakeStages,
    sinks: () => sinks,
    incidents: () => ({ add: () => null }),
    log: () => {},
    ...deps,
  });
  return { svc, tailer: () => tailer };
}
