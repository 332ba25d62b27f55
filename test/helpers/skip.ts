// One switch for every skip in the suite. By default a test layer whose tool or input is missing here
// (promtool, Chromium, ../shared/specs, a live stack) skips with a visible notice. With REQUIRE_ALL=1 (the
// users' CI workflow sets it) the same condition is a failing test instead: a runner that was meant to have
// everything cannot pass by skipping.
import { test } from 'node:test';

export const REQUIRE_ALL_ENV = 'REQUIRE_ALL';

export function requireAll(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[REQUIRE_ALL_ENV] === '1';
}

/**
 * The `skip` value for a test or describe whose prerequisite is missing: prints `skipped: <reason>` and returns
 * it; under REQUIRE_ALL=1 also registers a failing test that names the reason and the switch.
 */
export function skipOrFail(reason: string, env: NodeJS.ProcessEnv = process.env): string {
  const message = `skipped: ${reason}`;
  if (requireAll(env)) {
    test(`required (REQUIRE_ALL=1): ${reason}`, () => {
      throw new Error(
        `${reason}. REQUIRE_ALL=1 turns this skip into a failure: install what is missing or unset REQUIRE_ALL.`,
      );
    });
  } else {
    console.log(`# ${message}`);
  }
  return message;
}
