// `runbook report <run-id | report.json> [--out FILE.html] [--state-dir DIR] [--playbook FILE]`: renders a run
// as one self-contained HTML file. A run id is looked up in the state dir: its JSON report
// when the run wrote one, otherwise its journal replayed (a crashed or killed run).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { ExitCode, UsageError } from '../errors.js';
import { loadPlaybook } from '../playbook/validate.js';
import { auditApprovals } from '../state/approval-audit.js';
import { sshKeygenBin, sshKeygenProblem } from '../state/ssh-keygen.js';
import { REPORT_SUFFIX } from '../plan/history.js';
import { renderHtmlReport } from '../report/html/render.js';
import { parseRunReport } from '../state/load-report.js';
import { checkRunId } from '../state/journal.js';
import type { RunReport } from '../state/report-types.js';
import { resolveStateDir, runsDir } from '../state/state-dir.js';
import { loadRunStatus, requireRunStart } from '../state/run-status.js';
import { writeFileAtomic } from '../state/atomic.js';
import { defineCommand, parseOptions, renderHelp } from './options.js';
import type { Command } from '../io.js';

export const REPORT = defineCommand({
  name: 'report',
  usage: '<run-id | report.json> [--out FILE.html] [--state-dir DIR] [--playbook FILE] [--verify [--allowed-signers FILE]]',
  about: `Renders a run as a self-contained HTML report (inline CSS and SVG, no scripts, nothing
fetched): header with outcome, RTO and RPO against the targets, what remains to be done by
hand, a recovery timeline, and tables of steps, VMs, rollback actions and events.

  <run-id>            a run in the state dir: <state-dir>/runs/<run-id>.report.json, or its
                      journal (<run-id>.jsonl) when the run left no report
  <report.json>       a report written by 'runbook run --report FILE.json'`,
  options: {
    out: { type: 'string', short: 'o', arg: 'FILE.html', description: 'where to write (default: <run-id>.html in the current directory)' },
    'state-dir': {
      type: 'string',
      arg: 'DIR',
      description: 'where runs are recorded (default: .runbook/ beside --playbook, else ./.runbook, as for every command)',
    },
    playbook: { type: 'string', arg: 'FILE', description: 'the playbook whose runs to look in (its .runbook/)' },
    verify: {
      type: 'boolean',
      description:
        'instead of the HTML: check every signed approval again, offline, ' +
        'with ssh-keygen against the allowed-signers file; exit 1 if any fails',
    },
    'allowed-signers': {
      type: 'string',
      arg: 'FILE',
      description: "the file to check against (default: the run's playbook's approvers.allowedSigners)",
    },
  },
});

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
    const { values, positionals } = parseOptions(REPORT, argv);
    if (values.help) {
      io.stdout.write(renderHelp(REPORT));
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(`runbook report: expected one run id or report.json, got ${positionals.length} (see 'runbook report --help')`);
    }
    const target = positionals[0]!;
    const path = resolve(io.cwd, target);
    const report =
      target.endsWith('.json') || /[\\/]/.test(target) || isFile(path)
        ? readReportFile(path)
        : loadRunReport(resolveStateDir({ stateDir: values['state-dir'], playbook: values.playbook, cwd: io.cwd }), target).report;

    if (values.verify) {
      const given = values['allowed-signers'];
      return verifyApprovals(report, given !== undefined ? resolve(io.cwd, given) : await playbookSigners(report), io);
    }
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

async function verifyApprovals(report: RunReport, allowedSigners: string | undefined, io: Parameters<Command>[1]): Promise<number> {
  const sshKeygen = sshKeygenBin(io.env);
  const signed = report.steps.some((s) => s.approval?.signed);
  const problem = signed ? sshKeygenProblem(sshKeygen) : undefined;
  if (problem) throw new UsageError(`runbook report --verify: ${problem}`);
  const lines = auditApprovals(report, { allowedSigners, sshKeygen });
  if (lines.length === 0) io.stdout.write(`run ${report.runId}: no approval decision to verify\n`);
  for (const l of lines) io.stdout.write(`${l.stepId}: ${l.text}\n`);
  const failed = lines.filter((l) => !l.ok).length;
  if (failed > 0) io.stderr.write(`${failed} approval signature${failed === 1 ? '' : 's'} of run ${report.runId} did not verify\n`);
  return failed > 0 ? ExitCode.runFailed : ExitCode.ok;
}

/** The allowed-signers file the run's playbook names now, if it still can be read. */
async function playbookSigners(report: RunReport): Promise<string | undefined> {
  try {
    return (await loadPlaybook(report.playbook.file)).approvers?.allowedSigners;
  } catch {
    return undefined; // moved or invalid since: --allowed-signers names the file then
  }
}
