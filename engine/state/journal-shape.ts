// What a journal line must hold before it is folded: a hand-edited, truncated or foreign
// file in runs/ must never crash `status`, `report`, `rollback --run` or `run`. A line
// lacking what its type needs is reported and left out, like an unreadable one.

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** The fields each line type needs (dotted paths reach into objects); optional ones are left to the fold's guards. */
const REQUIRED: Record<string, Record<string, Kind>> = {
  'run-start': {
    runId: 'string',
    'playbook.name': 'string',
    'playbook.file': 'string',
    server: 'object',
    'server.url': 'string',
    'server.simulated': 'boolean',
    host: 'object',
  },
  steps: { steps: 'array' },
  'step-start': { stepId: 'string', name: 'string', kind: 'string' },
  'step-end': { stepId: 'string', outcome: 'string' },
  'request-intent': { stepId: 'string', target: 'string', method: 'string', path: 'string' },
  'request-accepted': { stepId: 'string', target: 'string', taskId: 'string' },
  'request-failed': { stepId: 'string', target: 'string', unknown: 'boolean', error: 'string' },
  'task-lost': { stepId: 'string', target: 'string', taskId: 'string', error: 'string' },
  'task-result': { stepId: 'string', target: 'string', taskId: 'string', success: 'boolean' },
  rollback: { stepId: 'string', target: 'string', action: 'string', ok: 'boolean', message: 'string' },
  exec: { stepId: 'string', command: 'array' },
  checks: { stepId: 'string', checks: 'array' },
  approval: { stepId: 'string', decision: 'string', by: 'string', decidedAt: 'string', via: 'string' },
  'approval-refused': { stepId: 'string', file: 'string', why: 'string' },
  manual: { stepId: 'string', target: 'string', reason: 'string', instruction: 'string' },
  vm: { stepId: 'string', target: 'string', state: 'string' },
  event: { kind: 'string', message: 'string' },
  'run-end': { outcome: 'string', exitCode: 'number' },
};

function kindOf(value: unknown): Kind | undefined {
  if (Array.isArray(value)) return 'array';
  if (value === null) return undefined;
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'object' ? t : undefined;
}

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/**
 * Why a parsed line is not a usable journal entry, or undefined when it is. Types this
 * version does not know pass (a newer version's lines): the fold leaves them alone.
 */
export function entryProblem(value: unknown): string | undefined {
  if (kindOf(value) !== 'object') return 'not a journal entry';
  const type = at(value, 'type');
  if (typeof type !== 'string') return 'not a journal entry (no type)';
  if (typeof at(value, 'at') !== 'string') return `${type} line without its time`;
  const missing = Object.entries(REQUIRED[type] ?? {})
    .filter(([path, kind]) => kindOf(at(value, path)) !== kind)
    .map(([path]) => path);
  return missing.length > 0 ? `${type} line lacks ${missing.join(', ')}` : undefined;
}
