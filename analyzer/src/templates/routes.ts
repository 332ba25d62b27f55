// GET /api/templates on the service: the largest templates (?limit=, default 50, at most 500), or one by
// ?id=; with the template count, the signals (novel / burst, with why) and the caps that decided something.
import { json, type RouteTable } from '../service/http.ts';
import { parseLimit } from '../service/recent.ts';
import type { TemplateStage } from './stage.ts';

export function templateRoutes(stage: TemplateStage): RouteTable {
  return {
    'GET /api/templates': (_req, url) => {
      const id = url.searchParams.get('id');
      if (id !== null) {
        const t = stage.find(id);
        return t ? json({ template: t }) : json({ error: `no template with id ${id}` }, 404);
      }
      const limit = parseLimit(url.searchParams, 50, 500);
      if (typeof limit === 'string') return json({ error: limit }, 400);
      const s = stage.summary(limit);
      return json({
        total: s.templates,
        events: s.events,
        templates: s.top,
        signalCounts: s.signalCounts,
        signals: s.signals.slice(-100),
        caps: s.caps,
      });
    },
  };
}
