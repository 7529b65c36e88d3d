// `runbook status`: recent runs, or one run in detail: which VMs were requested, which
// tasks were in flight, what is unresolved and what to do. Reads the journal only; it
// never talks to Enterprise Manager.

import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { checkRunId } from '../state/journal.js';
import { detailJson, listJson, renderRunDetail, renderRunList } from '../report/status-render.js';
import { loadRunList, loadRunStatus } from '../state/run-status.js';
import { resolveStateDir } from '../state/state-dir.js';
import { defineCommand, parseOptions, renderHelp } from './options.js';
import type { Command } from '../io.js';

export const STATUS = defineCommand({
  name: 'status',
  usage: '[--run ID] [--state-dir DIR] [--playbook FILE] [--format text|json] [--limit N]',
  about: `Without --run: the last runs (run id, playbook, start, duration, outcome).
With --run:    that run in detail: the VMs requested, the tasks in flight, what is
               unresolved and what to do about it.`,
  options: {
    run: { type: 'string', arg: 'ID', description: 'one run in detail' },
    'state-dir': {
      type: 'string',
      arg: 'DIR',
      description: 'where runs are recorded (default: .runbook/ beside --playbook, else ./.runbook)',
    },
    playbook: { type: 'string', arg: 'FILE', description: 'only runs of this playbook (and its state directory)' },
    format: { type: 'string', arg: 'text|json', default: 'text', description: 'output format' },
    limit: { type: 'string', arg: 'N', default: '10', description: 'how many runs to list' },
  },
  notes: `Outcomes: succeeded, failed, rolled-back, interrupted (stopped by a signal), running,
crashed (no run-end line and its process is gone), unfinished (ran on another host).`,
});

export const statusCommand: Command = async (argv, io) => {
  const { values } = parseOptions(STATUS, argv);
  if (values.help) {
    io.stdout.write(renderHelp(STATUS));
    return 0;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got "${format}"`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got "${values.limit}"`);
  const stateDir = resolveStateDir({ stateDir: values['state-dir'], playbook: values.playbook, cwd: io.cwd });

  if (values.run !== undefined) {
    const status = loadRunStatus(stateDir, checkRunId(values.run));
    io.stdout.write(format === 'json' ? `${JSON.stringify(detailJson(status), null, 2)}\n` : renderRunDetail(status, io.cwd));
    return 0;
  }

  const list = loadRunList(stateDir, values.playbook ? Number.MAX_SAFE_INTEGER : limit);
  let runs = list.runs;
  // A damaged journal is named and left out; the runs beside it still list.
  for (const d of list.damaged) io.stderr.write(`skipped ${d.path}: damaged journal: ${d.why}\n`);
  if (values.playbook) {
    const file = resolve(io.cwd, values.playbook);
    runs = runs.filter((r) => r.report.playbook.file === file).slice(0, limit);
  }
  io.stdout.write(format === 'json' ? `${JSON.stringify(listJson(runs), null, 2)}\n` : renderRunList(runs, stateDir, io.cwd));
  return 0;
};
