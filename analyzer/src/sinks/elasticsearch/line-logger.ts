// The sink's logger on top of the service's own one-line log function, so its messages land in the same stream
// with the same prefix. The sink already scrubs what it logs; the scrubber here is a second net for any value a
// future log call might add. Only the small `data` the sink passes is printed, never a config object.
import type { Scrubber } from './scrub.ts';
import type { SinkLogger } from './sink.ts';

export function lineLogger(write: (line: string) => void, scrub: Scrubber = (t) => t): SinkLogger {
  const emit =
    (level: string) =>
    (message: string, data?: Record<string, unknown>): void => {
      const extra = data
        ? Object.entries(data)
            .map(([k, v]) => `${k}=${JSON.stringify(v) ?? 'undefined'}`)
            .join(' ')
        : '';
      write(scrub(`elasticsearch ${level}: ${message}${extra ? ` (${extra})` : ''}`));
    };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
