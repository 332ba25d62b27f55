// Writes the analysis outputs into the --out directory: breadcrumbs.csv, critical.csv, anomalies.csv (when
// the anomaly pass ran), report.html, critical-per-minute.svg (+ .png when Chromium is available and asked for).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Breadcrumb, ClassifiedEvent, ReportData } from '../core/types.ts';
import { chromiumPath } from '../report/browser.ts';
import { AnomalyCsvWriter, BreadcrumbCsvWriter, CriticalCsvWriter, isCriticalLevel } from '../report/csv.ts';
import { renderHtmlReport } from '../report/html.ts';
import { writePngFromSvg } from '../report/png.ts';
import { anomalyMarkers, renderCriticalPerMinuteSvg } from '../report/svg.ts';
import type { AnalyzeHooks } from './run.ts';

export interface WrittenFiles {
  breadcrumbsCsv: string;
  criticalCsv: string;
  /** null when the anomaly pass was off (--no-anomalies). */
  anomaliesCsv: string | null;
  html: string;
  svg: string;
  png: string | null;
}

/** Streaming CSV side: hooks to pass to analyze(), then finish() once the analysis returns. */
export class OutputWriter {
  private readonly breadcrumbCsv: BreadcrumbCsvWriter;
  private readonly criticalCsv: CriticalCsvWriter;
  private settled: Breadcrumb[] = [];
  /**
   * Critical rows wait here, in input order, until their breadcrumb (if any) has settled: an ERROR that leads
   * up to a failure is read before the failure creates the incident, and critical.csv must carry the same
   * incident_id as breadcrumbs.csv. The wait is bounded by the timeline's window (every breadcrumb settles
   * when it leaves it) and ends at finish().
   */
  private readonly pendingCritical: ClassifiedEvent[] = [];
  private readonly settledCrumbs = new WeakSet<Breadcrumb>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.breadcrumbCsv = new BreadcrumbCsvWriter(join(dir, 'breadcrumbs.csv'));
    this.criticalCsv = new CriticalCsvWriter(join(dir, 'critical.csv'));
  }

  hooks(): AnalyzeHooks {
    return {
      // Only critical rows go to critical.csv: skip the writer (and a promise per event) for the rest.
      onEvent: (c: ClassifiedEvent) => {
        if (!isCriticalLevel(c.event.level)) return undefined;
        this.pendingCritical.push(c);
        return this.writeCritical(false);
      },
      // Settled breadcrumbs arrive in a synchronous callback; they are written at the next drain.
      onBreadcrumb: (b: Breadcrumb) => {
        this.settled.push(b);
        this.settledCrumbs.add(b);
      },
      drain: async () => {
        await this.writeSettled();
        await this.writeCritical(false);
      },
    };
  }

  async finish(data: ReportData, opts: { png: boolean }): Promise<WrittenFiles> {
    await this.writeSettled();
    // analyze() has settled every breadcrumb by now; write whatever is left in any case.
    await this.writeCritical(true);
    await Promise.all([this.breadcrumbCsv.close(), this.criticalCsv.close()]);
    const markers = data.incidents.flatMap((i) =>
      i.failure.event.timestamp === null ? [] : [{ time: i.failure.event.timestamp, label: i.id }],
    );
    const svg = renderCriticalPerMinuteSvg(data.summary.perMinute, {
      markers,
      anomalies: anomalyMarkers(data.anomalies?.records ?? []),
    });
    const files: WrittenFiles = {
      breadcrumbsCsv: this.breadcrumbCsv.path,
      criticalCsv: this.criticalCsv.path,
      anomaliesCsv: await this.writeAnomalies(data.anomalies),
      html: join(this.dir, 'report.html'),
      svg: join(this.dir, 'critical-per-minute.svg'),
      png: null,
    };
    writeFileSync(files.svg, svg);
    writeFileSync(files.html, renderHtmlReport(data));
    if (opts.png) {
      const png = join(this.dir, 'critical-per-minute.png');
      if (await writePngFromSvg(svg, png)) files.png = png;
      // Asked for and not written (the production image has no browser): say so rather than skip silently.
      else
        process.stderr.write(
          `crumbtrail analyze: --png: ${png} not written: it needs Chromium (${chromiumPath() ?? 'not found at /usr/bin/chromium or $CRUMBTRAIL_CHROMIUM'}) and the playwright-core package; the same chart is in ${files.svg}\n`,
        );
    }
    return files;
  }

  private async writeAnomalies(found: ReportData['anomalies']): Promise<string | null> {
    const path = join(this.dir, 'anomalies.csv');
    if (!found) {
      // An earlier run's file in the same --out would contradict this report.
      rmSync(path, { force: true });
      return null;
    }
    const csv = new AnomalyCsvWriter(path, found);
    for (const a of found.records) await csv.write(a);
    await csv.close();
    return csv.path;
  }

  /** Writes the queued critical rows whose incident id is final (all of them with `all`), in order. */
  private writeCritical(all: boolean): Promise<void> | undefined {
    const q = this.pendingCritical;
    let n = 0;
    while (n < q.length) {
      const b = q[n]!.breadcrumb;
      if (!all && b && !this.settledCrumbs.has(b)) break;
      n++;
    }
    if (n === 0) return undefined;
    const batch = q.splice(0, n);
    return (async () => {
      for (const c of batch) await this.criticalCsv.write(c);
    })();
  }

  private async writeSettled(): Promise<void> {
    if (this.settled.length === 0) return;
    const batch = this.settled;
    this.settled = [];
    for (const b of batch) {
      // A promise only when a full chunk waits for the disk.
      const wait = this.breadcrumbCsv.write(b);
      if (wait) await wait;
    }
  }
}
