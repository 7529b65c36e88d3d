// Plan → text. Pure: the caller prints. Shows, in run order, every mutating call with its
// exact body (encoded by the client in the chosen media type), when each step runs, what
// checks found, and what rollback would do.

import { formatDuration } from '../duration.js';
import type { ApiCall } from '../api/types.js';
import type { MediaType } from '../playbook/types.js';
import type { Plan, PlanExecStep, PlanStep, Resumed, RollbackNote } from './types.js';

export interface RenderOptions {
  media: MediaType;
  /** The client's encoder (EmClient.encode): the body bytes `run` would send. */
  encode: (call: ApiCall) => { contentType?: string; body?: string };
}

export function renderPlan(plan: Plan, options: RenderOptions): string {
  const lines: string[] = [];
  lines.push(`Plan for "${plan.playbook.name}" (${plan.playbook.file})`);
  if (plan.playbook.description) lines.push(`  ${plan.playbook.description}`);
  lines.push(`Server: ${plan.server.url}${plan.server.simulated ? ' (embedded simulator)' : ''}, media ${options.media}`);
  const params = Object.entries(plan.params);
  if (params.length > 0) lines.push(`Params: ${params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
  const targets = [
    plan.targets.rtoMs !== undefined ? `RTO ${formatDuration(plan.targets.rtoMs)}` : '',
    plan.targets.rpoMs !== undefined ? `RPO ${formatDuration(plan.targets.rpoMs)}` : '',
  ].filter(Boolean);
  if (targets.length > 0) lines.push(`Targets: ${targets.join(', ')}`);
  if (plan.maxInFlight !== undefined)
    lines.push(
      `At most ${plan.maxInFlight} failover${plan.maxInFlight === 1 ? '' : 's'} in flight across the ` +
        `run (--concurrency), parallel steps included`,
    );
  if (plan.resumed) lines.push(`Resuming run ${plan.resumed.runId}: what it did is not sent again`);
  lines.push('');
  for (const [i, step] of plan.steps.entries()) renderStep(step, `${i + 1}`, '', lines, options, plan.resumed);
  if (plan.warnings.length > 0) {
    lines.push('Warnings:');
    for (const w of plan.warnings) lines.push(`  ! ${w}`);
    lines.push('');
  }
  if (plan.problems.length > 0) {
    lines.push(`Not ready: ${plan.problems.length} problem${plan.problems.length === 1 ? '' : 's'}`);
    for (const p of plan.problems) lines.push(`  ✖ ${p}`);
  } else {
    const calls = countMutatingCalls(plan.steps, Object.keys(plan.resumed?.steps ?? {}));
    lines.push(`Ready: ${calls} mutating call${calls === 1 ? '' : 's'} would be sent. Nothing was changed (dry run).`);
  }
  return `${lines.join('\n')}\n`;
}

function renderStep(step: PlanStep, num: string, indent: string, lines: string[], o: RenderOptions, resumed?: Resumed): void {
  const pad = `${indent}   `;
  const title = `${indent}${num}. ${step.name}${step.name !== step.id ? ` [${step.id}]` : ''}`;
  const doneBy = resumed?.steps[step.id];
  if (doneBy !== undefined) {
    lines.push(`${title}: done by run ${doneBy} (resumed), not run again`, '');
    return;
  }
  lines.push(`${title}: ${summary(step)}`);
  const leftOut = resumed?.vms[step.id];
  if (leftOut) lines.push(`${pad}failed over by run ${resumed!.runId} or a run it resumed, not requested again: ${leftOut.join(', ')}`);
  if (!step.whenStatus.known) lines.push(`${pad}${step.whenStatus.text}`);
  else if (!step.whenStatus.value) lines.push(`${pad}skipped: its condition is false with these params and env`);
  if (step.always) lines.push(`${pad}always runs, even after an earlier failure`);
  if (step.kind !== 'parallel' && step.kind !== 'wait') {
    lines.push(`${pad}timeout ${formatDuration(step.timeoutMs)}, on failure: ${step.onFailure}`);
  }
  switch (step.kind) {
    case 'failover':
      for (const vm of step.vms) renderCall(vm.call, `VM "${vm.name}"`, pad, lines, o);
      break;
    case 'failoverVapp':
      renderCall(step.vapp.call, `vApp "${step.vapp.name}"`, pad, lines, o);
      break;
    case 'failoverPlan':
      renderCall(step.call, `plan "${step.plan.name}"`, pad, lines, o);
      break;
    case 'check':
      for (const f of step.findings ?? []) lines.push(`${pad}${f.ok ? '✔' : '✖'} ${f.message}`);
      break;
    case 'exec':
      lines.push(
        `${pad}$ ${step.shell ? step.command.join(' ') : step.command.map(quote).join(' ')}${step.shell ? '   (through sh)' : ''}`,
      );
      lines.push(`${pad}in ${step.cwd}, expects exit ${step.expectExit}`);
      lines.push(`${pad}${rehearsalText(step)}`);
      break;
    case 'parallel':
      for (const [i, child] of step.steps.entries()) renderStep(child, `${num}.${i + 1}`, pad, lines, o, resumed);
      break;
    case 'approval':
      lines.push(`${pad}"${step.message}"`);
      lines.push(`${pad}waits for: runbook approve --run <run id> --step ${step.id}   (or runbook run --approve ${step.id})`);
      break;
    case 'wait':
      break;
  }
  const rb = rollbackText(step.rollback);
  if (rb) lines.push(`${pad}rollback: ${rb}`);
  lines.push('');
}

function renderCall(call: ApiCall, subject: string, pad: string, lines: string[], o: RenderOptions): void {
  lines.push(`${pad}${call.method} ${call.path}   (${subject})`);
  const encoded = o.encode(call);
  if (encoded.contentType) lines.push(`${pad}  Content-Type: ${encoded.contentType}`);
  if (encoded.body) for (const l of encoded.body.trimEnd().split('\n')) lines.push(`${pad}  ${l}`);
}

/** What a rehearsal does with an exec step (execute-steps.ts acts on the same field). */
export function rehearsalText(step: PlanExecStep): string {
  if (step.rehearse === 'run') return 'in a rehearsal: runs for real (rehearse: run), its undo too';
  if (step.rehearse)
    return `in a rehearsal: runs the stand-in instead: ${step.shell ? step.rehearse.join(' ') : step.rehearse.map(quote).join(' ')}`;
  return 'in a rehearsal: not run (set rehearse: run, or rehearse: [stand-in argv], to run something)';
}

function rollbackText(note: RollbackNote): string {
  const parts: string[] = [];
  if (note.whileRunning) parts.push(`while running, ${note.whileRunning}`);
  if (note.afterSuccess.kind !== 'none') parts.push(`once done, ${note.afterSuccess.text}`);
  return parts.join('; ');
}

function summary(step: PlanStep): string {
  switch (step.kind) {
    case 'failover':
      return (
        `fail over ${step.vms.length} VM${step.vms.length === 1 ? '' : 's'} of CDP replica ` +
        `"${step.replica.name}" to the ${step.restorePoint}, ${step.concurrency} at a time`
      );
    case 'failoverVapp':
      return `fail over vApp "${step.vapp.name}" to the ${step.restorePoint}`;
    case 'failoverPlan':
      return `${step.action} failover plan "${step.plan.name}"`;
    case 'check': {
      const what = [
        step.maxRpoMs !== undefined ? `RPO ≤ ${formatDuration(step.maxRpoMs)}` : '',
        step.appConsistentWithinMs !== undefined ? `app-consistent point within ${formatDuration(step.appConsistentWithinMs)}` : '',
      ].filter(Boolean);
      return `check ${what.length > 0 ? what.join(', ') : 'existence and permissions'}`;
    }
    case 'wait':
      return `wait ${formatDuration(step.durationMs)}`;
    case 'approval':
      return "wait for an operator's approval";
    case 'exec':
      return `run ${step.command[0] ?? ''}`;
    case 'parallel':
      return `${step.steps.length} steps in parallel`;
  }
}

/** Mutating calls the plan would send (steps that certainly will not run excluded). */
export function countMutatingCalls(steps: PlanStep[], done: readonly string[] = []): number {
  let n = 0;
  for (const s of steps) {
    if ((s.whenStatus.known && !s.whenStatus.value) || done.includes(s.id)) continue;
    if (s.kind === 'failover') n += s.vms.length;
    else if (s.kind === 'failoverVapp' || s.kind === 'failoverPlan') n += 1;
    else if (s.kind === 'parallel') n += countMutatingCalls(s.steps, done);
  }
  return n;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
