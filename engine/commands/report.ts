// `runbook report <run-id | report.json> [--out FILE.html] [--state-dir DIR] [--playbook FILE]`: renders a run
// as one self-contained HTML file. A run id is looked up in the state dir: its JSON report
// when the run wrote one, otherwise its journal replayed (a crashed or killed run).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import { REPORT_SUFFIX } from '../plan/history.js';
import { renderHtmlReport } from '../run/html/render.js';
import { parseRunReport } from '../run/html/load-report.js';
import { checkRunId } from '../run/journal.js';
import type { RunReport } from '../run/report-types.js';
import { resolveStateDir, runsDir } from '../run/state-dir.js';
import { loadRunStatus, requireRunStart } from '../run/status/run-status.js';
import { writeFileAtomic } from '../run/writers/atomic.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './io.js';

const HELP = `Usage: runbook report <run-id | report.json> [--out FILE.html] [--state-dir DIR] [--playbook FILE]

Renders a run as a self-contained HTML report (inline CSS and SVG, no scripts, nothing
fetched): header with outcome, RTO and RPO against the targets, what remains to be done by
hand, a recovery timeline, and tables of steps, VMs, rollback actions and events.

  <run-id>            a run in the state dir: <state-dir>/runs/<run-id>.report.json, or its
                      journal (<run-id>.jsonl) when the run left no report
  <report.json>       a report written by 'runbook run --report FILE.json'
  --out FILE.html     where to write (default: <run-id>.html in the current directory)
  --state-dir DIR     where runs are recorded (default: .runbook/ beside --playbook, else
                      ./.runbook, as for every command)
  --playbook FILE     the playbook whose runs to look in (its .runbook/)
`;

/** The report of a run id: its JSON report if the run wrote one, else its journal replayed. */
export function loadRunReport(stateDir: string, runId: string): { report: RunReport; from: string } {
  const file = resolve(runsDir(stateDir), `${checkRunId(runId)}${REPORT_SUFFIX}`);
  if (existsSync(file)) return { report: parseRunReport(readFileSync(file, 'utf8'), file), from: file };
  const status = requireRunStart(loadRunStatus(stateDir, runId), `runbook report ${runId}`);
  return { report: status.report, from: status.path };
}

function readReportFile(path: string): RunReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`);
  }
  return parseRunReport(text, path);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // absent or unreadable: then the argument is a run id
  }
}

/** A run id is safe as a file name already (checkRunId); a hand-edited report's may not be. */
const fileSafe = (runId: string) => runId.replace(/[^0-9A-Za-z._-]/g, '_').replace(/^\.+/, '_') || 'report';

export function makeReportCommand(clock: Clock = systemClock): Command {
  return async (argv, io) => {
    const { values, positionals } = parseCommandArgs('report', argv, {
      out: { type: 'string', short: 'o' },
      'state-dir': { type: 'string' },
      playbook: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(`runbook report: expected one run id or report.json, got ${positionals.length}\n${HELP}`);
    }
    const target = positionals[0]!;
    const path = resolve(io.cwd, target);
    const report =
      target.endsWith('.json') || /[\\/]/.test(target) || isFile(path)
        ? readReportFile(path)
        : loadRunReport(resolveStateDir({ stateDir: values['state-dir'], playbook: values.playbook, cwd: io.cwd }), target).report;

    const out = resolve(io.cwd, values.out ?? `${fileSafe(report.runId)}.html`);
    const html = renderHtmlReport(report, { generatedAt: new Date(clock.now()).toISOString() });
    try {
      writeFileAtomic(out, html);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot write ${out}: ${code ?? (error instanceof Error ? error.message : String(error))}`);
    }
    io.stdout.write(`${out}\n`);
    return 0;
  };
}

export const reportCommand: Command = makeReportCommand();
