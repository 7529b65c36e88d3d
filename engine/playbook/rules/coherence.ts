// Rules about settings that are each valid alone but do not make sense together.

import { formatDuration } from '../../duration.js';
import { allSteps, type Rule } from './context.js';
import type { Path } from '../positions.js';

/** `before` belongs to starting a plan; checks need something to check. */
export const stepSettingsCohere: Rule = (ctx) => {
  for (const { step, path } of allSteps(ctx.playbook.steps)) {
    if (step.kind === 'failoverPlan' && step.action === 'undo' && step.before !== undefined) {
      ctx.report({
        path: [...path, 'failoverPlan', 'before'],
        key: true,
        code: 'rule/plan-before',
        message: 'before only applies to action: start (undo always undoes the current failover); remove it',
      });
    }
    if (step.kind === 'check') {
      const at: Path = [...path, 'check'];
      if (step.vms !== undefined && step.cdpReplica === undefined) {
        ctx.report({
          path: [...at, 'vms'],
          key: true,
          code: 'rule/check-target',
          message: 'vms needs cdpReplica: say which CDP replica the VMs belong to',
        });
      }
      const hasTarget = step.cdpReplica !== undefined || step.vapp !== undefined || step.failoverPlan !== undefined;
      if (!hasTarget && step.vms === undefined) {
        ctx.report({
          path: at,
          code: 'rule/check-target',
          message: 'this check has nothing to check: add cdpReplica, vapp or failoverPlan',
        });
      } else if (
        (step.maxRpoMs !== undefined || step.appConsistentWithinMs !== undefined) &&
        step.cdpReplica === undefined &&
        step.vapp === undefined
      ) {
        ctx.report({
          path: at,
          code: 'rule/check-target',
          message: 'maxRpo and appConsistentWithin look at restore points: add the cdpReplica or vapp they apply to',
        });
      }
      const rpo = ctx.playbook.targets.rpoMs;
      if (rpo !== undefined && step.maxRpoMs !== undefined && step.maxRpoMs > rpo) {
        ctx.report({
          path: [...at, 'maxRpo'],
          severity: 'warning',
          code: 'rule/rpo-target',
          message:
            `allows ${formatDuration(step.maxRpoMs)} of data loss, ` +
            `more than targets.rpo (${formatDuration(rpo)}): tighten it to ${formatDuration(rpo)} or less`,
        });
      }
    }
  }
};

/** A zero timeout, poll interval or wait is always a typo. */
export const durationsArePositive: Rule = (ctx) => {
  const { playbook } = ctx;
  const zero = (ms: number | undefined, path: Path, what: string) => {
    if (ms === 0)
      ctx.report({ path, code: 'rule/zero-duration', message: `${what} of 0 makes no sense: give a positive duration such as 30s` });
  };
  const w = ctx.written;
  if (w.defaults?.timeout !== undefined) zero(playbook.defaults.timeoutMs, ['defaults', 'timeout'], 'a timeout');
  if (w.defaults?.pollInterval !== undefined) zero(playbook.defaults.pollIntervalMs, ['defaults', 'pollInterval'], 'a poll interval');
  if (w.server?.timeout !== undefined) zero(playbook.server.requestTimeoutMs, ['server', 'timeout'], 'a request timeout');
  zero(playbook.targets.rtoMs, ['targets', 'rto'], 'an RTO');
  for (const { step, path } of allSteps(playbook.steps)) {
    if (step.timeoutMs === 0) zero(0, [...path, 'timeout'], 'a timeout');
    if (step.kind === 'wait') zero(step.durationMs, [...path, 'wait'], 'a wait');
    if (step.kind === 'check') zero(step.appConsistentWithinMs, [...path, 'check', 'appConsistentWithin'], 'a window');
  }
};
