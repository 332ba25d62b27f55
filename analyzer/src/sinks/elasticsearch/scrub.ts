// Secrets must never reach logs, /stats, errors or metric labels. Errors from the client can quote request
// parameters or URLs; every text the sink lets out goes through a scrubber that knows the configured secrets.
import type { EsAuth } from './config.ts';

export type Scrubber = (text: string) => string;

export function secretScrubber(auth: EsAuth | undefined): Scrubber {
  const secrets: string[] = [];
  if (auth && 'apiKey' in auth) {
    secrets.push(auth.apiKey);
    // An encoded key may be "id:key" base64; its parts are secret too.
    const decoded = Buffer.from(auth.apiKey, 'base64').toString('utf8');
    if (/^[\x20-\x7e]+:[\x20-\x7e]+$/.test(decoded)) secrets.push(decoded, decoded.split(':')[1]!);
  } else if (auth) {
    secrets.push(auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  }
  const live = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = text;
    for (const s of live) if (out.includes(s)) out = out.split(s).join('[redacted]');
    // Userinfo in any URL and Authorization header values, whatever their origin.
    return out
      .replace(/(\/\/)[^/@\s]+@/g, '$1[redacted]@')
      .replace(/(authorization["']?\s*[:=]\s*["']?)(?:apikey|basic|bearer)\s+[^\s"',}]+/gi, '$1[redacted]');
  };
}
