// What every semantic rule receives, and the walkers they share.

import type { Diagnostic } from '../../errors.js';
import { diagnosticAtPath, humanPath, type Path, type Source } from '../positions.js';
import type { Condition, Playbook, Step } from '../types.js';
import type { WrittenPlaybook } from '../written.js';

export interface RuleContext {
  playbook: Playbook;
  written: WrittenPlaybook;
  /** Absent when validating data that did not come from a file. */
  source?: Source;
  /**
   * Present when parts of the playbook failed the schema and stand in as placeholders
   * (rules-beside-schema.ts): a rule that needs every step to judge must hold back.
   */
  partial?: PartialView;
  /** Reports a problem at `path`; the message is prefixed with `label` (default: the path). */
  report(problem: { path: Path; code: string; message: string; severity?: Diagnostic['severity']; key?: boolean; label?: Path }): void;
}

export interface PartialView {
  /** Indexes of the top-level steps replaced by placeholders: problems inside them are dropped. */
  placeholders: ReadonlySet<number>;
  /** Every id written in those steps (their children included), whatever the placeholder is called. */
  skippedStepIds: ReadonlySet<string>;
  /** Top-level keys (name, description, server, targets, defaults) made up or left out: problems there are dropped. */
  standIns: ReadonlySet<string>;
}

export type Rule = (ctx: RuleContext) => void;

export function createContext(
  playbook: Playbook,
  written: WrittenPlaybook,
  source: Source | undefined,
  file: string,
  out: Diagnostic[],
  partial?: PartialView,
): RuleContext {
  return {
    playbook,
    written,
    ...(source ? { source } : {}),
    ...(partial ? { partial } : {}),
    report({ path, code, message, severity = 'error', key = false, label = path }) {
      if (partial && path[0] === 'steps' && typeof path[1] === 'number' && partial.placeholders.has(path[1])) return;
      if (partial && typeof path[0] === 'string' && partial.standIns.has(path[0])) return;
      const text = `${humanPath(label)}: ${message}`;
      out.push(
        source ? diagnosticAtPath(source, path, severity, code, text, { key }) : { file, line: 1, col: 1, severity, code, message: text },
      );
    },
  };
}

export interface StepVisit {
  step: Step;
  path: Path;
  /** The parallel group this step belongs to, if any. */
  group?: StepVisit;
}

/** Every step in document order, groups before their children. */
export function allSteps(steps: Step[], path: Path = ['steps'], group?: StepVisit): StepVisit[] {
  const out: StepVisit[] = [];
  steps.forEach((step, i) => {
    const visit: StepVisit = { step, path: [...path, i], ...(group ? { group } : {}) };
    out.push(visit);
    if (step.kind === 'parallel') out.push(...allSteps(step.steps, [...visit.path, 'parallel'], visit));
  });
  return out;
}

/** Every leaf of a condition tree with its path (relative to the step). */
export function conditionLeaves(c: Condition, path: Path): { leaf: Condition; path: Path }[] {
  if ('all' in c) return c.all.flatMap((x, i) => conditionLeaves(x, [...path, 'all', i]));
  if ('any' in c) return c.any.flatMap((x, i) => conditionLeaves(x, [...path, 'any', i]));
  if ('not' in c) return conditionLeaves(c.not, [...path, 'not']);
  return [{ leaf: c, path }];
}

export interface TemplateField {
  path: Path;
  value: string;
  /** datetime fields must hold a UTC datetime or a single datetime param reference. */
  kind: 'text' | 'datetime';
}

/** Every template string of a step (not of its children), with where it was written. */
export function templateFields(step: Step, at: Path): TemplateField[] {
  const text = (path: Path, value: string | undefined): TemplateField[] =>
    value === undefined ? [] : [{ path: [...at, ...path], value, kind: 'text' }];
  const list = (path: Path, values: string[] | 'all' | undefined): TemplateField[] =>
    Array.isArray(values) ? values.flatMap((v, i) => text([...path, i], v)) : [];
  switch (step.kind) {
    case 'failover':
    case 'failoverVapp': {
      const base: Path = [step.kind, 'restorePoint'];
      const rp = step.restorePoint;
      const at2: TemplateField[] =
        rp.kind === 'interval' || rp.kind === 'point-in-time'
          ? [{ path: [...at, ...base, rp.kind === 'interval' ? 'interval' : 'pointInTime'], value: rp.at, kind: 'datetime' }]
          : [];
      return step.kind === 'failover'
        ? [...text(['failover', 'cdpReplica'], step.cdpReplica), ...list(['failover', 'vms'], step.vms), ...at2]
        : [...text(['failoverVapp', 'vapp'], step.vapp), ...at2];
    }
    case 'failoverPlan':
      return [
        ...text(['failoverPlan', 'plan'], step.plan),
        ...(step.before !== undefined ? [{ path: [...at, 'failoverPlan', 'before'], value: step.before, kind: 'datetime' as const }] : []),
      ];
    case 'check':
      return [
        ...text(['check', 'cdpReplica'], step.cdpReplica),
        ...list(['check', 'vms'], step.vms),
        ...text(['check', 'vapp'], step.vapp),
        ...text(['check', 'failoverPlan'], step.failoverPlan),
      ];
    case 'exec':
      return [
        ...list(['exec', 'command'], step.command),
        ...Object.entries(step.env).flatMap(([k, v]) => text(['exec', 'env', k], v)),
        ...text(['exec', 'cwd'], step.cwd),
        ...list(['exec', 'undo'], step.undo),
        ...list(['exec', 'rehearse'], step.rehearse === 'run' ? undefined : step.rehearse),
      ];
    case 'approval':
      return text(['approval'], step.message);
    case 'wait':
    case 'parallel':
      return [];
  }
}

/** Template strings outside steps (server settings). */
export function serverTemplateFields(playbook: Playbook): TemplateField[] {
  const out: TemplateField[] = [];
  const { url, username } = playbook.server;
  if (url && 'value' in url) out.push({ path: ['server', 'url'], value: url.value, kind: 'text' });
  if (username && 'value' in username) out.push({ path: ['server', 'username'], value: username.value, kind: 'text' });
  return out;
}
