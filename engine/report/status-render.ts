// Text and JSON views of run status. Pure: strings in, strings out.

import { dirname } from 'node:path';
import { formatDuration } from '../duration.js';
import { approvalLines } from '../state/approval-text.js';
import { leftWords } from '../state/outcome-words.js';
import { runbookCommand, runStateDirArgs, stateDirArgs } from '../state/hint.js';
import type { RunStatus } from '../state/run-status.js';

/** A duration, or `-` when it is not known (no end yet, clocks that went back). */
function took(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) || ms < 0 ? '-' : formatDuration(ms);
}

function runDuration(r: RunStatus): number | undefined {
  if (!r.report.endedAt) return undefined;
  return Date.parse(r.report.endedAt) - Date.parse(r.report.startedAt);
}

export function listJson(runs: RunStatus[]) {
  return runs.map((r) => {
    const gates = waitingGates(r);
    return {
      runId: r.runId,
      playbook: r.report.playbook.name,
      playbookFile: r.report.playbook.file,
      startedAt: r.report.startedAt,
      ...(r.report.endedAt ? { endedAt: r.report.endedAt } : {}),
      ...(runDuration(r) !== undefined ? { durationMs: runDuration(r) } : {}),
      outcome: r.display,
      liveness: r.liveness,
      unresolved: r.unresolved.length,
      ...(gates.length > 0 ? { waitingForApproval: gates } : {}),
    };
  });
}

/** The state dir a run's journal sits in (`<stateDir>/runs/<id>.jsonl`). */
const stateDirOf = (r: RunStatus) => dirname(dirname(r.path));

/** `runbook approve …` for a gate, runnable as printed from `cwd`. */
const approveCommand = (r: RunStatus, stepId: string, cwd: string) =>
  runbookCommand('approve', '--run', r.runId, '--step', stepId, ...stateDirArgs(stateDirOf(r), cwd));

/** `cwd`: where the printed commands will be pasted (they name --state-dir unless it is the default there). */
export function renderRunList(runs: RunStatus[], stateDir: string, cwd: string = process.cwd()): string {
  if (runs.length === 0) return `no runs recorded in ${stateDir}\n`;
  const rows = [
    ['RUN', 'PLAYBOOK', 'STARTED', 'DURATION', 'OUTCOME'],
    ...runs.map((r) => [
      r.runId,
      r.report.playbook.name,
      r.report.startedAt.replace(/\.\d+Z$/, 'Z'),
      r.liveness === 'running' ? '(running)' : took(runDuration(r)),
      r.display + (r.unresolved.length ? ` (${r.unresolved.length} unresolved)` : '') + waitingAt(r, cwd),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
  const open = runs.find((r) => r.unresolved.length);
  const dirArgs = stateDirArgs(stateDir, cwd);
  const hint = open
    ? `\nSome runs left requests unresolved. Which ones, and stop what EM still lets us see (likewise for the other runs):\n` +
      `  ${runbookCommand('status', '--run', open.runId, ...dirArgs)}\n  ${runbookCommand('rollback', '--run', open.runId, ...dirArgs)}\n`
    : '';
  return `${lines.join('\n')}\n${hint}`;
}

/** The approval steps a live run waits at now. */
function waitingGates(r: RunStatus): string[] {
  if (r.liveness !== 'running') return [];
  return r.report.steps.filter((s) => s.kind === 'approval' && s.outcome === 'running' && !s.approval).map((s) => s.id);
}

/** Who looks at the run list is often who must decide. */
function waitingAt(r: RunStatus, cwd: string): string {
  const gates = waitingGates(r);
  return gates.length > 0 ? `, waiting for approval: ${gates.map((id) => approveCommand(r, id, cwd)).join('; ')}` : '';
}

export function detailJson(r: RunStatus) {
  return {
    runId: r.runId,
    journal: r.path,
    outcome: r.display,
    liveness: r.liveness,
    ...(r.pid !== undefined ? { pid: r.pid } : {}),
    unresolved: r.unresolved.map((u) => ({
      kind: u.kind,
      stepId: u.stepId,
      target: u.request.target,
      ...(u.request.targetId ? { targetId: u.request.targetId } : {}),
      ...(u.request.replica ? { replica: u.request.replica } : {}),
      ...(u.request.taskId ? { taskId: u.request.taskId } : {}),
      requestedAt: u.request.requestedAt,
      instruction: u.instruction,
    })),
    problems: r.problems,
    report: r.report,
  };
}

export function renderRunDetail(r: RunStatus, cwd: string = process.cwd()): string {
  const damaged = r.entries[0]?.type !== 'run-start';
  const out = [
    ...headerLines(r, damaged),
    ...unresolvedLines(r, damaged, cwd),
    ...manualLines(r),
    ...stepLines(r, cwd),
    ...rollbackLines(r),
  ];
  return `${out.join('\n')}\n`;
}

/** Which run, how it ended, where it ran, and how to go on from it. */
function headerLines(r: RunStatus, damaged: boolean): string[] {
  const rep = r.report;
  const out: string[] = [];
  out.push(
    damaged
      ? `Run ${r.runId}: damaged journal (no readable run-start line): what it still tells follows`
      : `Run ${r.runId}: ${rep.playbook.name} (${rep.playbook.file})`,
  );
  const left = rep.outcome === 'succeeded' || rep.outcome === 'running' ? '' : leftWords(rep);
  out.push(`  outcome:  ${r.display}${rep.exitCode !== undefined ? ` (exit ${rep.exitCode})` : ''}${left ? `: ${left}` : ''}`);
  out.push(
    `  started:  ${rep.startedAt} on ${rep.host.hostname || '?'} by ${rep.host.user || '?'}${r.pid !== undefined ? `, pid ${r.pid}` : ''}`,
  );
  if (rep.endedAt) out.push(`  ended:    ${rep.endedAt} (${took(Date.parse(rep.endedAt) - Date.parse(rep.startedAt))})`);
  out.push(`  server:   ${rep.server.url || '?'}${rep.server.simulated ? ' (simulated)' : ''}`);
  out.push(`  journal:  ${r.path}`);
  if (r.liveness === 'crashed') out.push(`  The process ended without writing run-end (killed, crashed or lost power).`);
  if (r.liveness === 'elsewhere') out.push(`  It ran on ${rep.host.hostname}: this machine cannot tell whether it still runs.`);
  for (const p of r.problems) out.push(`  journal: ${p}`);
  if (
    !damaged &&
    rep.playbook.file &&
    !rep.server.simulated &&
    (r.liveness === 'crashed' || (r.liveness === 'finished' && rep.outcome !== 'succeeded'))
  ) {
    const resume = runbookCommand('run', rep.playbook.file, '--resume', r.runId, ...runStateDirArgs(stateDirOf(r), rep.playbook.file));
    out.push(`  To go on from it without asking again for what it did: ${resume}`);
  }
  return out;
}

/** The requests whose outcome is unknown, what to check for each, and what to run next. */
function unresolvedLines(r: RunStatus, damaged: boolean, cwd: string): string[] {
  if (!r.unresolved.length) return [];
  const out = ['', `UNRESOLVED (${r.unresolved.length}): outcome unknown, check before running again`];
  for (const u of r.unresolved) {
    const t = u.request;
    const label = u.kind === 'in-flight' ? `in flight, task ${t.taskId}` : 'requested, no answer recorded';
    out.push(
      `  - step "${u.stepName}": ${t.kind === 'plan' ? 'plan' : 'VM'} ${t.target}${t.replica ? ` (replica ${t.replica})` : ''}: ${label}`,
    );
    out.push(`      ${u.instruction}`);
  }
  if (!damaged)
    out.push(
      `  Next: ${runbookCommand('rollback', '--run', r.runId, ...stateDirArgs(stateDirOf(r), cwd))}   ` +
        `(stops the tasks EM still lets us see and lists the rest)`,
    );
  if (!r.report.server.simulated) {
    out.push(
      `  While this is the playbook's last real run, 'runbook run' refuses (exit 5); ` +
        `once each one is checked, start it with --ignore-unresolved.`,
    );
  }
  return out;
}

function manualLines(r: RunStatus): string[] {
  const manual = r.report.manual.filter((m) => m.reason !== 'unknown');
  if (!manual.length) return [];
  return ['', 'MANUAL ACTIONS', ...manual.map((m) => `  - ${m.target}: ${m.instruction}`)];
}

/** Each step with its VMs, plan, approval and, for a gate the run waits at, the command that decides it. */
function stepLines(r: RunStatus, cwd: string): string[] {
  const out = ['', 'STEPS'];
  const waiting = waitingGates(r);
  if (r.report.steps.length === 0) out.push('  (no step started)');
  for (const s of r.report.steps) {
    const indent = s.parentId ? '    ' : '  ';
    const why = s.error ? `: ${s.error}` : s.skipReason ? `: ${s.skipReason}` : '';
    out.push(`${indent}${s.outcome.padEnd(10)} ${s.name} [${s.kind}] ${took(s.durationMs)}${why}`);
    for (const v of s.vms ?? []) {
      out.push(
        `${indent}    ${v.state.padEnd(12)} ${v.name} (replica ${v.replica})` +
          `${v.taskId ? ` task ${v.taskId}` : ''}${v.message ? `: ${v.message}` : ''}`,
      );
    }
    if (s.plan)
      out.push(
        `${indent}    plan ${s.plan.action} ${s.plan.name}` +
          `${s.plan.taskId ? ` task ${s.plan.taskId}` : ''}${s.plan.message ? `: ${s.plan.message}` : ''}`,
      );
    for (const line of approvalLines(s)) out.push(`${indent}    ${line}`);
    if (!s.approval && waiting.includes(s.id)) {
      out.push(`${indent}    waiting for approval: ${approveCommand(r, s.id, cwd)}   (add --reject to refuse)`);
    }
  }
  return out;
}

function rollbackLines(r: RunStatus): string[] {
  if (!r.report.rollback.length) return [];
  return [
    '',
    'ROLLBACK',
    ...r.report.rollback.map(
      (a) => `  ${a.ok ? 'ok    ' : 'FAILED'} ${a.action} ${a.target}${a.taskId ? ` (task ${a.taskId})` : ''}: ${a.message}`,
    ),
  ];
}
