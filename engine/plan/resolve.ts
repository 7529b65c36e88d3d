// Playbook → Plan. The only I/O here is reads (replica, VM, vApp and plan look-ups); the
// result is plain data. Every problem is collected (all at once, like validation), so one
// `plan` shows every name that does not resolve instead of the first.

import { dirname, resolve as resolvePath } from 'node:path';
import { calls } from '../api/calls.js';
import type { CdpFailoverSpec, CdpReplica, EmClient } from '../api/types.js';
import { EmHttpError, errorMessage } from '../errors.js';
import type { ParamValue, Playbook, RestorePoint, Step } from '../playbook/types.js';
import { describeCondition, evaluateCondition } from './conditions.js';
import { neverTwiceProblems } from './never-twice.js';
import { chosenMoment, coverageProblem } from './coverage.js';
import { restorePointSpec, toUtc } from './restore-point.js';
import type { Plan, PlanStep, RollbackNote, TargetRef, WhenStatus } from './types.js';

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

class Resolver {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  private readonly replicas = new Map<string, Promise<CdpReplica | undefined>>();
  private readonly vmLists = new Map<string, Promise<{ id: string; name: string }[]>>();

  constructor(private readonly o: ResolveOptions) {}

  private bind(template: string, where: string): string {
    try {
      return this.o.bind(template);
    } catch (error) {
      this.problems.push(`${where}: ${errorMessage(error)}`);
      return template;
    }
  }

  /** A read that may fail: 403/404 become problems; connection and auth errors end the plan. */
  private async read<T>(where: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof EmHttpError) {
        const why = error.status === 403 ? 'permission denied (the account needs the Portal Administrator role)' : error.message;
        this.problems.push(`${where}: ${why}`);
        return undefined;
      }
      throw error;
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
    const base = {
      id: step.id,
      name: step.name,
      ...(parentId !== undefined ? { parentId } : {}),
      ...(step.when !== undefined ? { when: step.when } : {}),
      whenStatus: this.whenStatus(step),
      timeoutMs: step.timeoutMs,
      retry: step.retry,
      onFailure: step.onFailure,
      always: step.always,
    };
    const none: RollbackNote = { afterSuccess: { kind: 'none' } };
    switch (step.kind) {
      case 'failover': {
        const { spec, restorePoint } = this.restorePoint(step.restorePoint, where);
        const { replica, vms } = await this.vms(where, step.cdpReplica, step.vms);
        const at = chosenMoment(spec);
        if (at !== undefined) {
          for (const vm of vms)
            await this.covered(where, at, `VM "${vm.name}"`, (start, end) =>
              this.o.client.cdpIntervals(vm.replicaId, vm.id, start, end, this.opts()),
            );
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
            afterSuccess: { kind: 'manual', text: 'manual: EM has no undo for a CDP failover (finish or undo it in the Veeam console)' },
          },
        };
      }
      case 'failoverVapp': {
        const { spec, restorePoint } = this.restorePoint(step.restorePoint, where);
        const vapp = await this.vapp(where, step.vapp);
        const at = chosenMoment(spec);
        if (at !== undefined && vapp.id)
          await this.covered(where, at, `vApp "${vapp.name}"`, (start, end) =>
            this.o.client.vappIntervals(vapp.id, start, end, this.opts()),
          );
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
      case 'failoverPlan': {
        const plan = await this.failoverPlan(where, step.plan);
        let call;
        if (step.action === 'start') {
          let spec: { startNow: true } | { startDate: string } = { startNow: true };
          if (step.before !== undefined) {
            const at = toUtc(this.bind(step.before, where));
            if (at.ok) spec = { startDate: at.value };
            else this.problems.push(`${where}: before: ${at.problem}`);
          }
          call = calls.startFailoverPlan(plan.id, spec);
        } else {
          call = calls.undoFailoverPlan(plan.id);
        }
        const undo = calls.undoFailoverPlan(plan.id);
        return {
          ...base,
          kind: 'failoverPlan',
          plan,
          action: step.action,
          call,
          rollback: {
            whileRunning: DELETE_WHILE_RUNNING,
            afterSuccess:
              step.action === 'start' ? { kind: 'call', call: undo, text: `undo the plan: POST ${undo.path}` } : { kind: 'none' },
          },
        };
      }
      case 'check': {
        const vms = step.cdpReplica !== undefined ? (await this.vms(where, step.cdpReplica, step.vms ?? 'all')).vms : [];
        const vapp = step.vapp !== undefined ? await this.vapp(where, step.vapp) : undefined;
        const failoverPlan = step.failoverPlan !== undefined ? await this.failoverPlan(where, step.failoverPlan) : undefined;
        return {
          ...base,
          kind: 'check',
          vms,
          ...(vapp ? { vapp } : {}),
          ...(failoverPlan ? { failoverPlan } : {}),
          ...(step.maxRpoMs !== undefined ? { maxRpoMs: step.maxRpoMs } : {}),
          ...(step.appConsistentWithinMs !== undefined ? { appConsistentWithinMs: step.appConsistentWithinMs } : {}),
          rollback: none,
        };
      }
      case 'wait':
        return { ...base, kind: 'wait', durationMs: step.durationMs, rollback: none };
      case 'approval':
        return {
          ...base,
          kind: 'approval',
          message: this.bind(step.message, where),
          quorum: step.quorum,
          ...(step.signers ? { signers: step.signers } : {}),
          rollback: none,
        };
      case 'exec': {
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
          rollback: undo ? { afterSuccess: { kind: 'exec', command: undo, text: `run undo: ${undo.join(' ')}` } } : none,
        };
      }
      case 'parallel': {
        const steps: PlanStep[] = [];
        for (const child of step.steps) steps.push(await this.step(child, step.id));
        return { ...base, kind: 'parallel', steps, rollback: none };
      }
    }
  }

  /** A point in time or interval outside the replica's history fails in preflight, not mid-run. */
  private async covered(where: string, at: string, label: string, read: Parameters<typeof coverageProblem>[2]): Promise<void> {
    const problem = await this.read(`${where}: ${label}`, () => coverageProblem(label, at, read));
    if (problem !== undefined) this.problems.push(`${where}: ${problem}`);
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

  private replica(name: string): Promise<CdpReplica | undefined> {
    let p = this.replicas.get(name);
    if (!p) {
      p = this.o.client.findCdpReplica(name, this.opts());
      this.replicas.set(name, p);
    }
    return p;
  }

  private vmList(replicaId: string): Promise<{ id: string; name: string }[]> {
    let p = this.vmLists.get(replicaId);
    if (!p) {
      p = this.o.client.listCdpReplicaVms(replicaId, this.opts());
      this.vmLists.set(replicaId, p);
    }
    return p;
  }

  private async vms(where: string, replicaTemplate: string, vms: string[] | 'all') {
    const name = this.bind(replicaTemplate, where);
    const replica = await this.read(where, () => this.replica(name));
    if (!replica) {
      if (!this.problems.some((p) => p.startsWith(`${where}:`) && p.includes(name))) {
        this.problems.push(`${where}: CDP replica "${name}" not found in Enterprise Manager`);
      }
      return { replica: { name, id: '' }, vms: [] as TargetRef[] };
    }
    const listed = (await this.read(where, () => this.vmList(replica.id))) ?? [];
    const out: TargetRef[] = [];
    const wanted = vms === 'all' ? listed.map((v) => v.name) : vms.map((v) => this.bind(v, where));
    if (vms === 'all' && listed.length === 0) this.problems.push(`${where}: CDP replica "${replica.name}" has no VMs`);
    // Indexed once: a step may name thousands of VMs of a replica listing thousands.
    const byName = groupBy(listed, (v) => v.name);
    const byId = groupBy(listed, (v) => v.id);
    for (const want of wanted) {
      const match = byName.get(want) ?? byId.get(want) ?? [];
      if (match.length === 0) {
        this.problems.push(`${where}: VM "${want}" not found in CDP replica "${replica.name}"`);
      } else if (match.length > 1) {
        this.problems.push(`${where}: VM name "${want}" is ambiguous in CDP replica "${replica.name}" (${match.length} VMs): use its id`);
      } else {
        const vm = match[0]!;
        out.push({ name: want, id: vm.id, replicaId: replica.id, replicaName: replica.name });
      }
    }
    return { replica: { name: replica.name, id: replica.id }, vms: out };
  }

  private async vapp(where: string, template: string): Promise<TargetRef> {
    const name = this.bind(template, where);
    const vapp = await this.read(where, () => this.o.client.findVappCdpReplica(name, this.opts()));
    if (!vapp) {
      this.problems.push(`${where}: vApp CDP replica "${name}" not found in Enterprise Manager`);
      return { name, id: '', replicaId: '', replicaName: name };
    }
    return { name, id: vapp.id, replicaId: vapp.id, replicaName: vapp.name };
  }

  private async failoverPlan(where: string, template: string): Promise<{ name: string; id: string }> {
    const name = this.bind(template, where);
    const plan = await this.read(where, () => this.o.client.findFailoverPlan(name, this.opts()));
    if (!plan) {
      this.problems.push(`${where}: failover plan "${name}" not found in Enterprise Manager`);
      return { name, id: '' };
    }
    return { name: plan.name, id: plan.id };
  }

  private opts() {
    return this.o.signal ? { signal: this.o.signal } : {};
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = out.get(k);
    if (group) group.push(item);
    else out.set(k, [item]);
  }
  return out;
}
