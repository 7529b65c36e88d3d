// Playbook → Plan. The only I/O here is reads (replica, VM, vApp and plan look-ups); the
// result is plain data. Every problem is collected (all at once, like validation), so one
// `plan` shows every name that does not resolve instead of the first.

import { dirname, resolve as resolvePath } from 'node:path';
import { calls } from '../api/calls.js';
import type { CdpFailoverSpec, EmClient } from '../api/types.js';
import { errorMessage } from '../errors.js';
import type {
  ApprovalStep,
  CheckStep,
  ExecStep,
  FailoverPlanStep,
  FailoverStep,
  FailoverVappStep,
  ParamValue,
  Playbook,
  RestorePoint,
  Step,
} from '../playbook/types.js';
import { describeCondition, evaluateCondition } from './conditions.js';
import { neverTwiceProblems } from './never-twice.js';
import { chosenMoment } from './coverage.js';
import { restorePointSpec, toUtc } from './restore-point.js';
import { TargetLookup } from './targets.js';
import type { Plan, PlanStep, RollbackNote, WhenStatus } from './types.js';

export interface ResolveOptions {
  playbook: Playbook;
  client: EmClient;
  /** Typed params (resolveParams already applied defaults and checked types). */
  params: Record<string, ParamValue>;
  env: Record<string, string | undefined>;
  /** Binds `${params.x}` / `${env.X}` in a template; throws on an unknown reference. */
  bind: (template: string) => string;
  server: Plan['server'];
  /** `--concurrency`: failovers in flight across the run (Plan.maxInFlight); also caps each step's own. */
  maxConcurrency?: number;
  signal?: AbortSignal;
}

const DELETE_WHILE_RUNNING = 'DELETE /tasks/{taskId} (stop the task)';

export async function resolvePlan(options: ResolveOptions): Promise<Plan> {
  const r = new Resolver(options);
  const steps: PlanStep[] = [];
  for (const step of options.playbook.steps) steps.push(await r.step(step, undefined));
  for (const problem of neverTwiceProblems(steps)) r.problems.push(problem);
  const pb = options.playbook;
  return {
    playbook: {
      name: pb.name,
      ...(pb.description !== undefined ? { description: pb.description } : {}),
      file: pb.file,
      ...(pb.approvers ? { approvers: pb.approvers } : {}),
    },
    params: options.params,
    server: options.server,
    pollIntervalMs: pb.defaults.pollIntervalMs,
    ...(options.maxConcurrency !== undefined ? { maxInFlight: options.maxConcurrency } : {}),
    retry: pb.defaults.retry,
    targets: pb.targets,
    steps,
    problems: r.problems,
    warnings: r.warnings,
  };
}

/** What every planned step carries, whatever its kind. */
function stepBase(step: Step, parentId: string | undefined, whenStatus: WhenStatus) {
  return {
    id: step.id,
    name: step.name,
    ...(parentId !== undefined ? { parentId } : {}),
    ...(step.when !== undefined ? { when: step.when } : {}),
    whenStatus,
    timeoutMs: step.timeoutMs,
    retry: step.retry,
    onFailure: step.onFailure,
    always: step.always,
  };
}

type StepBase = ReturnType<typeof stepBase>;

const noRollback = (): RollbackNote => ({ afterSuccess: { kind: 'none' } });

class Resolver {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  private readonly targets: TargetLookup;

  constructor(private readonly o: ResolveOptions) {
    this.targets = new TargetLookup(o.client, this.problems, (template, where) => this.bind(template, where), o.signal);
  }

  private bind(template: string, where: string): string {
    try {
      return this.o.bind(template);
    } catch (error) {
      this.problems.push(`${where}: ${errorMessage(error)}`);
      return template;
    }
  }

  /** Problems in a step that certainly will not run (its `when` is false) are only warnings. */
  async step(step: Step, parentId: string | undefined): Promise<PlanStep> {
    const before = this.problems.length;
    const planned = await this.resolveStep(step, parentId);
    if (planned.whenStatus.known && !planned.whenStatus.value) {
      const moved = this.problems.splice(before);
      this.warnings.push(...moved.map((p) => `${p} (ignored: the step will be skipped)`));
    }
    return planned;
  }

  private async resolveStep(step: Step, parentId: string | undefined): Promise<PlanStep> {
    const where = `step "${step.id}"`;
    const base = stepBase(step, parentId, this.whenStatus(step));
    switch (step.kind) {
      case 'failover':
        return this.failover(step, base, where);
      case 'failoverVapp':
        return this.failoverVapp(step, base, where);
      case 'failoverPlan':
        return this.failoverPlanStep(step, base, where);
      case 'check':
        return this.check(step, base, where);
      case 'wait':
        return { ...base, kind: 'wait', durationMs: step.durationMs, rollback: noRollback() };
      case 'approval':
        return this.approval(step, base, where);
      case 'exec':
        return this.exec(step, base, where);
      case 'parallel': {
        const steps: PlanStep[] = [];
        for (const child of step.steps) steps.push(await this.step(child, step.id));
        return { ...base, kind: 'parallel', steps, rollback: noRollback() };
      }
    }
  }

  private async failover(step: FailoverStep, base: StepBase, where: string): Promise<PlanStep> {
    const { spec, restorePoint } = this.restorePoint(step.restorePoint, where);
    const { replica, vms } = await this.targets.vms(where, step.cdpReplica, step.vms);
    const at = chosenMoment(spec);
    if (at !== undefined) {
      for (const vm of vms) await this.targets.vmCovered(where, at, vm);
    }
    const cap = this.o.maxConcurrency;
    return {
      ...base,
      kind: 'failover',
      replica,
      vms: vms.map((vm) => Object.assign(vm, { call: calls.failoverCdpVm(vm.replicaId, vm.id, spec) })),
      spec,
      restorePoint,
      concurrency: Math.max(1, cap !== undefined ? Math.min(cap, step.concurrency) : step.concurrency),
      rollback: {
        whileRunning: DELETE_WHILE_RUNNING,
        afterSuccess: {
          kind: 'manual',
          text: 'manual: EM has no undo for a CDP failover (finish or undo it in the Veeam console)',
        },
      },
    };
  }

  private async failoverVapp(step: FailoverVappStep, base: StepBase, where: string): Promise<PlanStep> {
    const { spec, restorePoint } = this.restorePoint(step.restorePoint, where);
    const vapp = await this.targets.vapp(where, step.vapp);
    const at = chosenMoment(spec);
    if (at !== undefined && vapp.id) await this.targets.vappCovered(where, at, vapp);
    return {
      ...base,
      kind: 'failoverVapp',
      vapp: { ...vapp, call: calls.failoverVapp(vapp.id, spec) },
      spec,
      restorePoint,
      rollback: {
        whileRunning: DELETE_WHILE_RUNNING,
        afterSuccess: { kind: 'manual', text: 'manual: EM has no undo for a vApp CDP failover (use the Veeam console)' },
      },
    };
  }

  /** Start (now, or at `before`) or undo an EM failover plan; a started plan rolls back by its undo. */
  private async failoverPlanStep(step: FailoverPlanStep, base: StepBase, where: string): Promise<PlanStep> {
    const plan = await this.targets.failoverPlan(where, step.plan);
    const call = step.action === 'start' ? calls.startFailoverPlan(plan.id, this.startWhen(step, where)) : calls.undoFailoverPlan(plan.id);
    const undo = calls.undoFailoverPlan(plan.id);
    return {
      ...base,
      kind: 'failoverPlan',
      plan,
      action: step.action,
      call,
      rollback: {
        whileRunning: DELETE_WHILE_RUNNING,
        afterSuccess: step.action === 'start' ? { kind: 'call', call: undo, text: `undo the plan: POST ${undo.path}` } : { kind: 'none' },
      },
    };
  }

  /** Start now, or at `before` (UTC); an invalid `before` is a problem and the plan shows `startNow`. */
  private startWhen(step: FailoverPlanStep, where: string): { startNow: true } | { startDate: string } {
    if (step.before === undefined) return { startNow: true };
    const at = toUtc(this.bind(step.before, where));
    if (at.ok) return { startDate: at.value };
    this.problems.push(`${where}: before: ${at.problem}`);
    return { startNow: true };
  }

  private async check(step: CheckStep, base: StepBase, where: string): Promise<PlanStep> {
    const vms = step.cdpReplica !== undefined ? (await this.targets.vms(where, step.cdpReplica, step.vms ?? 'all')).vms : [];
    const vapp = step.vapp !== undefined ? await this.targets.vapp(where, step.vapp) : undefined;
    const failoverPlan = step.failoverPlan !== undefined ? await this.targets.failoverPlan(where, step.failoverPlan) : undefined;
    return {
      ...base,
      kind: 'check',
      vms,
      ...(vapp ? { vapp } : {}),
      ...(failoverPlan ? { failoverPlan } : {}),
      ...(step.maxRpoMs !== undefined ? { maxRpoMs: step.maxRpoMs } : {}),
      ...(step.appConsistentWithinMs !== undefined ? { appConsistentWithinMs: step.appConsistentWithinMs } : {}),
      rollback: noRollback(),
    };
  }

  private approval(step: ApprovalStep, base: StepBase, where: string): PlanStep {
    return {
      ...base,
      kind: 'approval',
      message: this.bind(step.message, where),
      quorum: step.quorum,
      ...(step.signers ? { signers: step.signers } : {}),
      rollback: noRollback(),
    };
  }

  /** Templates bound now, the working folder resolved against the playbook's folder. */
  private exec(step: ExecStep, base: StepBase, where: string): PlanStep {
    const folder = dirname(this.o.playbook.file);
    const command = step.command.map((a) => this.bind(a, where));
    const undo = step.undo?.map((a) => this.bind(a, where));
    const rehearse = step.rehearse === 'run' ? 'run' : step.rehearse?.map((a) => this.bind(a, where));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.env)) env[k] = this.bind(v, where);
    return {
      ...base,
      kind: 'exec',
      command,
      shell: step.shell,
      env,
      cwd: resolvePath(folder, step.cwd !== undefined ? this.bind(step.cwd, where) : '.'),
      expectExit: step.expectExit,
      ...(undo ? { undo } : {}),
      ...(rehearse ? { rehearse } : {}),
      rollback: undo ? { afterSuccess: { kind: 'exec', command: undo, text: `run undo: ${undo.join(' ')}` } } : noRollback(),
    };
  }

  /** An invalid restore point is a problem; the plan still gets a placeholder spec to show. */
  private restorePoint(value: RestorePoint, where: string): { spec: CdpFailoverSpec; restorePoint: string } {
    const point = restorePointSpec(value, (t) => this.bind(t, where));
    if (point.ok) return { spec: point.spec, restorePoint: point.text };
    this.problems.push(`${where}: ${point.problem}`);
    return { spec: { restoreCurrent: false, restoreCurrentVss: false }, restorePoint: 'invalid' };
  }

  private whenStatus(step: Step): WhenStatus {
    if (step.when === undefined) return { known: true, value: true };
    const v = evaluateCondition(step.when, { params: this.o.params, env: this.o.env });
    return v === undefined ? { known: false, text: `runs if ${describeCondition(step.when)}` } : { known: true, value: v };
  }
}
