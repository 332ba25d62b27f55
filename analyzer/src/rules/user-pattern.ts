// User patterns (rule files given with --rules, redaction patterns from the config) run on every line, up to
// 1 MiB long, on the event loop: a backtracking RegExp such as ^(\w+\s?)+$ takes seconds on 30 characters and
// stops the whole service. They are compiled with RE2 (the `re2` bindings), whose matching time is linear in the
// input. Features RE2 cannot run in linear time (backreferences, lookaround) are refused when the file loads,
// with RE2's reason. Measured on the bench corpus (issue 14 note): RE2 ≈ 5× native RegExp per pattern·line,
// the pure-JS port re2js ≈ 125×; the shipped defaults are vetted and stay on native RegExp.
import { createRequire } from 'node:module';
import type RE2Type from 're2';

// Loaded on first use: runs without user patterns never load the native module.
let RE2: typeof RE2Type | null = null;
function re2(): typeof RE2Type {
  RE2 ??= createRequire(import.meta.url)('re2') as typeof RE2Type;
  return RE2;
}

/** Compile a user-supplied pattern in linear time. Throws an Error whose message says why RE2 refuses it. */
export function compileUserPattern(source: string, flags = 'i'): RegExp {
  const Engine = re2();
  try {
    return new Engine(source, flags);
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: /, '');
    throw new Error(
      /lookahead|lookbehind|backreference|\\\d|\(\?[=!<]/i.test(why) || /\(\?[=!<]|\\[1-9]/.test(source)
        ? `${why} (user patterns run in RE2, linear time: backreferences and lookaround are not supported)`
        : why,
    );
  }
}
