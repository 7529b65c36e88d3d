// Reading a RunReport file written by `run --report` (or by the engine into the state dir)
// for rendering. Checks just enough that the renderer can rely on the shape: the schema
// tag, and the fields and arrays it walks. A wrong file gets a clear error, never a crash.

import { UsageError } from '../errors.js';
import { REPORT_SCHEMA, type RunReport } from './report-types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and minimally validates a report; `source` names the file in messages. */
export function parseRunReport(text: string, source: string): RunReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(value)) throw new UsageError(`${source}: not a run report (expected a JSON object with "schema": "${REPORT_SCHEMA}")`);
  if (value.schema !== REPORT_SCHEMA) {
    const found = value.schema === undefined ? 'no "schema" field' : `"schema": ${JSON.stringify(value.schema)}`;
    throw new UsageError(`${source}: not a cdp-runbook run report (${found}, expected "${REPORT_SCHEMA}")`);
  }
  const problems = shapeProblems(value);
  if (problems.length > 0) {
    throw new UsageError(`${source}: malformed run report:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return value as unknown as RunReport;
}

function shapeProblems(r: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  need(typeof r.runId === 'string', '"runId" must be a string');
  need(typeof r.startedAt === 'string', '"startedAt" must be a string');
  need(typeof r.outcome === 'string', '"outcome" must be a string');
  const pb = r.playbook;
  need(isObject(pb) && typeof pb.name === 'string', '"playbook.name" must be a string');
  const server = r.server;
  need(isObject(server) && typeof server.url === 'string', '"server.url" must be a string');
  const host = r.host;
  need(isObject(host) && typeof host.user === 'string' && typeof host.hostname === 'string', '"host" must have "user" and "hostname"');
  for (const key of ['params', 'targets', 'achieved']) need(isObject(r[key]), `"${key}" must be an object`);
  for (const key of ['steps', 'rollback', 'manual', 'events']) need(Array.isArray(r[key]), `"${key}" must be an array`);
  if (Array.isArray(r.steps)) {
    r.steps.forEach((s: unknown, i) => {
      const ok = isObject(s) && typeof s.id === 'string' && typeof s.name === 'string' && typeof s.outcome === 'string';
      need(ok, `"steps[${i}]" must have string "id", "name" and "outcome"`);
      if (isObject(s) && s.vms !== undefined) {
        const vmsOk =
          Array.isArray(s.vms) && s.vms.every((v: unknown) => isObject(v) && typeof v.name === 'string' && typeof v.state === 'string');
        need(vmsOk, `"steps[${i}].vms" must be an array of VMs with string "name" and "state"`);
      }
    });
  }
  return problems;
}
