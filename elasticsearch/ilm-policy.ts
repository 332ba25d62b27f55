// ILM policy for every crumbtrail data stream: roll over while hot, delete after the retention period.
import type { estypes } from '@elastic/elasticsearch';

export const ILM_POLICY_NAME = 'crumbtrail-logs';

/** Retention comes from RETENTION_DAYS (default 30, as in .env.example) so a laptop disk does not fill up. */
export function ilmPolicy(retentionDays: number): estypes.IlmPutLifecycleRequest {
  return retentionPolicy(ILM_POLICY_NAME, retentionDays, { max_primary_shard_size: '10gb', max_age: '1d' });
}

/** Roll over while hot (at `rollover`), delete `retentionDays` after rollover. */
export function retentionPolicy(
  name: string,
  retentionDays: number,
  rollover: estypes.IlmRolloverAction,
): estypes.IlmPutLifecycleRequest {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(`RETENTION_DAYS must be a whole number of days >= 1 (got ${retentionDays})`);
  }
  return {
    name,
    policy: {
      _meta: { managed_by: 'crumbtrail provision' },
      phases: {
        hot: {
          // Explicit min_age: ES adds "0ms" itself, writing it keeps the idempotency compare exact.
          min_age: '0ms',
          actions: { rollover },
        },
        delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
      },
    },
  } satisfies estypes.IlmPutLifecycleRequest;
}
