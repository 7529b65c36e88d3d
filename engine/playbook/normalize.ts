// Written → normalized: fills every default from DEFAULTS, turns durations into ms and
// records where each step starts. Runs only on schema-valid input, so shapes are trusted.

import { dirname, resolve } from 'node:path';
import type { SourcePosition } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { parseDuration } from './duration.js';
import { locatePath, type Path, type Source } from './positions.js';
import type {
  Condition,
  Defaults,
  ParamDef,
  Playbook,
  RestorePoint,
  RetryPolicy,
  ServerConfig,
  Step,
  StepCommon,
  ValueRef,
} from './types.js';
import type { WrittenCondition, WrittenPlaybook, WrittenRestorePoint, WrittenRetry, WrittenStep, WrittenValueRef } from './written.js';
import { STEP_KINDS } from './written.js';

export function normalize(written: WrittenPlaybook, file: string, source?: Source): Playbook {
  const d = written.defaults ?? {};
  const defaults: Defaults = {
    timeoutMs: ms(d.timeout) ?? DEFAULTS.defaults.timeoutMs,
    pollIntervalMs: ms(d.pollInterval) ?? DEFAULTS.defaults.pollIntervalMs,
    retry: retry(d.retry, { ...DEFAULTS.defaults.retry }),
    concurrency: d.concurrency ?? DEFAULTS.defaults.concurrency,
    onFailure: d.onFailure ?? DEFAULTS.defaults.onFailure,
  };
  const params: Record<string, ParamDef> = {};
  for (const [name, p] of Object.entries(written.params ?? {})) {
    const def: ParamDef = { type: p.type };
    if (p.description !== undefined) def.description = p.description;
    if (p.default !== undefined) def.default = p.default;
    if (p.enum !== undefined) def.enum = [...p.enum];
    params[name] = def;
  }
  const targets: Playbook['targets'] = {};
  const rto = ms(written.targets?.rto);
  const rpo = ms(written.targets?.rpo);
  if (rto !== undefined) targets.rtoMs = rto;
  if (rpo !== undefined) targets.rpoMs = rpo;

  const playbook: Playbook = {
    version: 1,
    name: written.name,
    file,
    server: server(written),
    params,
    defaults,
    targets,
    steps: written.steps.map((s, i) => step(s, ['steps', i], defaults, defaults.retry, defaults.onFailure, source)),
  };
  if (written.description !== undefined) playbook.description = written.description;
  if (written.approvers !== undefined) playbook.approvers = { allowedSigners: resolve(dirname(file), written.approvers.allowedSigners) };
  return playbook;
}

function server(written: WrittenPlaybook): ServerConfig {
  const s = written.server ?? {};
  const out: ServerConfig = {
    media: s.media ?? DEFAULTS.server.media,
    tls: { insecureSkipVerify: s.tls?.insecureSkipVerify ?? DEFAULTS.server.insecureSkipVerify },
    requestTimeoutMs: ms(s.timeout) ?? DEFAULTS.server.requestTimeoutMs,
  };
  if (s.tls?.caFile !== undefined) out.tls.caFile = s.tls.caFile;
  if (s.url !== undefined) out.url = valueRef(s.url);
  if (s.username !== undefined) out.username = valueRef(s.username);
  if (s.password !== undefined) out.password = 'env' in s.password ? { env: s.password.env } : { file: s.password.file };
  return out;
}

function step(
  s: WrittenStep,
  path: Path,
  defaults: Defaults,
  inheritedRetry: RetryPolicy,
  inheritedOnFailure: Defaults['onFailure'],
  source: Source | undefined,
): Step {
  const common: StepCommon = {
    id: s.id,
    name: s.name ?? s.id,
    timeoutMs: ms(s.timeout) ?? defaults.timeoutMs,
    retry: retry(s.retry, inheritedRetry),
    onFailure: s.onFailure ?? inheritedOnFailure,
    always: s.always ?? DEFAULTS.step.always,
  };
  if (s.when !== undefined) common.when = condition(s.when);
  if (source) common.source = position(source, path);

  if ('failover' in s) {
    const b = s.failover;
    return {
      ...common,
      kind: 'failover',
      cdpReplica: b.cdpReplica,
      vms: b.vms === 'all' ? 'all' : [...b.vms],
      restorePoint: restorePoint(b.restorePoint),
      concurrency: b.concurrency ?? defaults.concurrency,
    };
  }
  if ('failoverVapp' in s)
    return { ...common, kind: 'failoverVapp', vapp: s.failoverVapp.vapp, restorePoint: restorePoint(s.failoverVapp.restorePoint) };
  if ('failoverPlan' in s) {
    const b = s.failoverPlan;
    return { ...common, kind: 'failoverPlan', plan: b.plan, action: b.action, ...(b.before !== undefined ? { before: b.before } : {}) };
  }
  if ('check' in s) {
    const b = s.check;
    const out: Step = { ...common, kind: 'check' };
    if (b.cdpReplica !== undefined) out.cdpReplica = b.cdpReplica;
    if (b.vms !== undefined) out.vms = b.vms === 'all' ? 'all' : [...b.vms];
    if (b.vapp !== undefined) out.vapp = b.vapp;
    if (b.failoverPlan !== undefined) out.failoverPlan = b.failoverPlan;
    const maxRpo = ms(b.maxRpo);
    const within = ms(b.appConsistentWithin);
    if (maxRpo !== undefined) out.maxRpoMs = maxRpo;
    if (within !== undefined) out.appConsistentWithinMs = within;
    return out;
  }
  if ('wait' in s) return { ...common, kind: 'wait', durationMs: parseDuration(s.wait) };
  if ('approval' in s) {
    const b = typeof s.approval === 'string' ? { message: s.approval } : s.approval;
    return {
      ...common,
      kind: 'approval',
      message: b.message,
      quorum: b.quorum ?? 1,
      ...(b.signers !== undefined ? { signers: [...b.signers] } : {}),
    };
  }
  if ('exec' in s) {
    const b = s.exec;
    const out: Step = {
      ...common,
      kind: 'exec',
      command: [...b.command],
      shell: b.shell ?? DEFAULTS.exec.shell,
      env: { ...(b.env ?? {}) },
      expectExit: b.expectExit ?? DEFAULTS.exec.expectExit,
    };
    if (b.cwd !== undefined) out.cwd = b.cwd;
    if (b.undo !== undefined) out.undo = [...b.undo];
    if (b.rehearse !== undefined) out.rehearse = b.rehearse === 'run' ? 'run' : [...b.rehearse];
    return out;
  }
  if ('parallel' in s) {
    return {
      ...common,
      kind: 'parallel',
      steps: s.parallel.map((child, i) => step(child, [...path, 'parallel', i], defaults, common.retry, common.onFailure, source)),
    };
  }
  // The schema guarantees a kind key; reaching here means schema and code disagree.
  throw new Error(`step "${(s as { id: string }).id}" has none of ${STEP_KINDS.join(', ')}`);
}

function condition(c: WrittenCondition): Condition {
  if ('step' in c)
    return { step: c.step, is: c.is === undefined ? [...DEFAULTS.step.conditionIs] : Array.isArray(c.is) ? [...c.is] : [c.is] };
  if ('param' in c)
    return { param: c.param, ...(c.equals !== undefined ? { equals: c.equals } : {}), ...(c.in !== undefined ? { in: [...c.in] } : {}) };
  if ('env' in c) {
    return {
      env: c.env,
      ...(c.equals !== undefined ? { equals: c.equals } : {}),
      ...(c.in !== undefined ? { in: [...c.in] } : {}),
      ...(c.set !== undefined ? { set: c.set } : {}),
    };
  }
  if ('all' in c) return { all: c.all.map(condition) };
  if ('any' in c) return { any: c.any.map(condition) };
  return { not: condition(c.not) };
}

function restorePoint(r: WrittenRestorePoint | undefined): RestorePoint {
  const written = r ?? DEFAULTS.restorePoint;
  if (written === 'latest') return { kind: 'latest' };
  if (written === 'latest-app-consistent') return { kind: 'latest-app-consistent' };
  if ('interval' in written) return { kind: 'interval', at: written.interval };
  return { kind: 'point-in-time', at: written.pointInTime };
}

function retry(r: WrittenRetry | undefined, base: RetryPolicy): RetryPolicy {
  return {
    attempts: r?.attempts ?? base.attempts,
    backoffMs: ms(r?.backoff) ?? base.backoffMs,
    maxBackoffMs: ms(r?.maxBackoff) ?? base.maxBackoffMs,
  };
}

function valueRef(v: WrittenValueRef): ValueRef {
  return typeof v === 'string' ? { value: v } : { env: v.env };
}

function ms(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

function position(source: Source, path: Path): SourcePosition {
  const { offset } = locatePath(source, path);
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.file, line, col };
}
