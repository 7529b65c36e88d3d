// A saved plan (`runbook plan --out plan.json`): the resolved plan, every call spelled out,
// with what it was made from (the playbook's sha256, the params, the EM URL, each name and
// the id it resolved to). `runbook run --plan` executes exactly it, or refuses when the world
// changed since, as a reviewed Terraform plan is applied or refused.

import type { ParamValue } from '../playbook/types.js';
import { flattenSteps, type Plan } from './types.js';

export const SAVED_PLAN_FORMAT = 'runbook-plan/1';

export interface SavedPlan {
  format: typeof SAVED_PLAN_FORMAT;
  playbook: { file: string; sha256: string };
  params: Record<string, ParamValue>;
  server: { url: string; simulated: boolean };
  /** `step "db": VM "erp-db01"` → its id, for every name the plan resolved. */
  resolved: Record<string, string>;
  plan: Plan;
}

export function savePlan(plan: Plan, playbookSha256: string): SavedPlan {
  return {
    format: SAVED_PLAN_FORMAT,
    playbook: { file: plan.playbook.file, sha256: playbookSha256 },
    params: plan.params,
    server: { url: plan.server.url, simulated: plan.server.simulated },
    resolved: resolvedIds(plan),
    plan,
  };
}

/** Every name the plan resolved, with the id EM gave it. */
export function resolvedIds(plan: Plan): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const s of flattenSteps(plan.steps)) {
    const at = `step "${s.id}"`;
    if (s.kind === 'failover') {
      ids[`${at}: CDP replica "${s.replica.name}"`] = s.replica.id;
      for (const vm of s.vms) ids[`${at}: VM "${vm.name}"`] = vm.id;
    } else if (s.kind === 'failoverVapp') {
      ids[`${at}: vApp "${s.vapp.name}"`] = s.vapp.id;
    } else if (s.kind === 'failoverPlan') {
      ids[`${at}: failover plan "${s.plan.name}"`] = s.plan.id;
    } else if (s.kind === 'check') {
      for (const vm of s.vms) ids[`${at}: VM "${vm.name}" (CDP replica "${vm.replicaName}")`] = vm.id;
      if (s.vapp) ids[`${at}: vApp "${s.vapp.name}"`] = s.vapp.id;
      if (s.failoverPlan) ids[`${at}: failover plan "${s.failoverPlan.name}"`] = s.failoverPlan.id;
    }
  }
  return ids;
}

/** A saved plan read back; a message naming the file and what is wrong when it is not one. */
export function parseSavedPlan(text: string, file: string): SavedPlan | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `${file}: not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  const d = data as Partial<SavedPlan> | null;
  if (d === null || typeof d !== 'object' || d.format !== SAVED_PLAN_FORMAT) {
    return `${file}: not a saved plan (expected "format": "${SAVED_PLAN_FORMAT}"; write one with 'runbook plan PLAYBOOK --out FILE')`;
  }
  const fine =
    typeof d.playbook?.file === 'string' &&
    typeof d.playbook.sha256 === 'string' &&
    typeof d.params === 'object' &&
    typeof d.server?.url === 'string' &&
    typeof d.resolved === 'object' &&
    Array.isArray(d.plan?.steps);
  return fine
    ? (d as SavedPlan)
    : `${file}: a saved plan with missing fields (playbook, params, server, resolved or plan): write it again with 'runbook plan --out'`;
}

/** What differs between the saved plan and now, one line each; empty when nothing did. */
export function planChanges(
  saved: SavedPlan,
  now: { sha256?: string; params?: Record<string, ParamValue>; url?: string; resolved?: Record<string, string> },
): string[] {
  const changes: string[] = [];
  if (now.sha256 !== undefined && now.sha256 !== saved.playbook.sha256) {
    changes.push(`the playbook ${saved.playbook.file} changed (sha256 ${short(saved.playbook.sha256)} then, ${short(now.sha256)} now)`);
  }
  if (now.params !== undefined) {
    const names = [...new Set([...Object.keys(saved.params), ...Object.keys(now.params)])].sort();
    for (const n of names) {
      const [then, current] = [JSON.stringify(saved.params[n]) ?? '(unset)', JSON.stringify(now.params[n]) ?? '(unset)'];
      if (then !== current) changes.push(`param ${n}: ${then} then, ${current} now`);
    }
  }
  if (now.url !== undefined && now.url !== saved.server.url) changes.push(`Enterprise Manager: ${saved.server.url} then, ${now.url} now`);
  if (now.resolved !== undefined) {
    for (const [name, id] of Object.entries(saved.resolved)) {
      const current = now.resolved[name];
      if (current !== id) changes.push(`${name}: id ${id} then, ${current ?? 'not found'} now`);
    }
  }
  return changes;
}

const short = (sha: string) => sha.slice(0, 12);
