// Globs → (fixed directory, file-name matcher). Only the file-name part may hold wildcards: we watch one
// directory per glob (fs.watch on a directory is cheap; recursive watching is not portable on Node 20).

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { UsageError } from '../core/usage-error.ts';

export interface WatchedDir {
  dir: string;
  /** The globs that live in this directory, for messages. */
  globs: string[];
  /** True when a file name in `dir` matches one of the globs. */
  matches(name: string): boolean;
}

export class GlobError extends UsageError {
  override name = 'GlobError';
}

/** Groups globs by directory. Throws GlobError for a wildcard in the directory part or an empty glob. */
export function watchedDirs(globs: readonly string[]): WatchedDir[] {
  if (globs.length === 0)
    throw new GlobError('no glob given: pass at least one --glob (e.g. /var/log/app/*.log)');
  const byDir = new Map<string, { globs: string[]; matchers: ((s: string) => boolean)[] }>();
  for (const raw of globs) {
    const glob = raw.trim();
    if (glob === '') throw new GlobError('empty glob: pass a pattern such as /var/log/app/*.log');
    const abs = path.resolve(glob);
    const dir = path.dirname(abs);
    const file = path.basename(abs);
    if (picomatch.scan(dir).isGlob) {
      throw new GlobError(
        `glob ${JSON.stringify(raw)}: wildcards are only supported in the file name, not in the directory ` +
          `(${JSON.stringify(dir)}); list one glob per directory instead`,
      );
    }
    const entry = byDir.get(dir) ?? { globs: [], matchers: [] };
    entry.globs.push(glob);
    entry.matchers.push(picomatch(file, { dot: true }));
    byDir.set(dir, entry);
  }
  return [...byDir].map(([dir, e]) => ({
    dir,
    globs: e.globs,
    matches: (name: string) => e.matchers.some((m) => m(name)),
  }));
}

/** Absolute paths of the directory entries matching the globs. A missing directory lists as empty. */
export async function listMatches(w: WatchedDir): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(w.dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return [];
    throw err;
  }
  return names
    .filter((n) => w.matches(n))
    .sort()
    .map((n) => path.join(w.dir, n));
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
