// Request specs: CdpFailoverStartSpec (§6.2, §12 #4/#5), the intervals request (§6.3,
// §12 #6) and FailoverPlanManagementSpec (§8). Each bad body gets a 400 that says what to fix.

import { HttpError } from './context.js';
import type { ParsedBody } from './body.js';
import type { Target } from './history.js';

const UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?(Z|\+00:00|-00:00)?$/;

/** A UTC DateTime as EM takes it: no zone, `Z` or `+00:00`. */
export function parseUtc(value: unknown, field: string): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const m = UTC.exec(text);
  const ms = m ? Date.parse(`${text.slice(0, 19)}${m[7] ? m[7].slice(0, 4) : ''}Z`) : NaN;
  if (!m || Number.isNaN(ms)) {
    throw new HttpError(
      400,
      `${field}: "${String(value)}" is not a UTC DateTime (expected e.g. 2024-05-01T10:00:00 or 2024-05-01T10:00:00Z).`,
    );
  }
  return ms;
}

function parseBool(value: unknown, field: string, spec: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  if (value === undefined) throw new HttpError(400, `${spec}: ${field} is required (true or false).`);
  throw new HttpError(400, `${spec}: ${field} must be true or false, got "${String(value)}".`);
}

const CDP_FIELDS = ['RestoreCurrent', 'RestoreCurrentVss', 'RestoreAtInterval', 'RestoreAtPointInTime'] as const;
type CdpField = (typeof CDP_FIELDS)[number];

function canonicalCdpField(name: string): CdpField | undefined {
  // §12 #4: the doc spells RestoreAtPointinTime and RestoreAtPointInTime; that one element is case-insensitive.
  if (name.toLowerCase() === 'restoreatpointintime') return 'RestoreAtPointInTime';
  return (CDP_FIELDS as readonly string[]).includes(name) ? (name as CdpField) : undefined;
}

export function parseCdpFailoverSpec(body: ParsedBody | undefined): Target {
  const spec = 'CdpFailoverStartSpec';
  if (!body)
    throw new HttpError(
      400,
      `${spec} body is required: RestoreCurrent and RestoreCurrentVss (true/false), optionally RestoreAtInterval or RestoreAtPointinTime.`,
    );
  if (body.root !== undefined && body.root !== spec) throw new HttpError(400, `Expected root element ${spec}, got ${body.root}.`);
  const values = new Map<CdpField, unknown>();
  let lastIndex = -1;
  let lastName = '';
  for (const [name, value] of body.entries) {
    const field = canonicalCdpField(name);
    if (!field)
      throw new HttpError(
        400,
        `${spec}: unknown element ${name}; allowed, in this order: RestoreCurrent, RestoreCurrentVss, ` +
          `RestoreAtInterval, RestoreAtPointinTime.`,
      );
    if (values.has(field)) throw new HttpError(400, `${spec}: ${name} appears twice.`);
    const index = CDP_FIELDS.indexOf(field);
    if (body.root !== undefined && index < lastIndex) {
      throw new HttpError(
        400,
        `${spec}: element ${name} must come before ${lastName} (order: RestoreCurrent, ` +
          `RestoreCurrentVss, RestoreAtInterval, RestoreAtPointinTime).`,
      );
    }
    lastIndex = index;
    lastName = name;
    values.set(field, value);
  }
  const current = parseBool(values.get('RestoreCurrent'), 'RestoreCurrent', spec);
  const vss = parseBool(values.get('RestoreCurrentVss'), 'RestoreCurrentVss', spec);
  const interval = values.get('RestoreAtInterval');
  const pit = values.get('RestoreAtPointInTime');
  // Dates are checked even when a boolean wins: a bad date is a bad request either way.
  const intervalAt = interval !== undefined && interval !== null && interval !== '' ? parseUtc(interval, 'RestoreAtInterval') : undefined;
  const pitAt = pit !== undefined && pit !== null && pit !== '' ? parseUtc(pit, 'RestoreAtPointinTime') : undefined;
  // §12 #5: RestoreCurrent > RestoreCurrentVss > RestoreAtInterval > RestoreAtPointInTime.
  if (current) return { kind: 'current' };
  if (vss) return { kind: 'vss' };
  if (intervalAt !== undefined) return { kind: 'interval', at: intervalAt };
  if (pitAt !== undefined) return { kind: 'point-in-time', at: pitAt };
  throw new HttpError(
    400,
    `${spec}: nothing to fail over to: set RestoreCurrent or RestoreCurrentVss to true, or give RestoreAtInterval or RestoreAtPointinTime.`,
  );
}

export function parseIntervalsSpec(body: ParsedBody | undefined): { start: number; end: number } {
  if (!body) throw new HttpError(400, 'The intervals request needs a body with StartDate and EndDate (UTC).');
  const get = (name: string) => body.entries.find(([k]) => k === name)?.[1];
  const start = get('StartDate');
  const end = get('EndDate');
  if (start === undefined) throw new HttpError(400, 'StartDate is required (UTC DateTime).');
  if (end === undefined) throw new HttpError(400, 'EndDate is required (UTC DateTime).');
  const s = parseUtc(start, 'StartDate');
  const e = parseUtc(end, 'EndDate');
  if (e < s) throw new HttpError(400, 'EndDate must not be before StartDate.');
  return { start: s, end: e };
}

/** StartNow=true → latest points; else StartDate → latest points before it. */
export function parsePlanStartSpec(body: ParsedBody | undefined): { before?: number } {
  const spec = 'FailoverPlanManagementSpec';
  if (!body) throw new HttpError(400, `${spec} body is required: StartNow (true) or StartDate (UTC).`);
  if (body.root !== undefined && body.root !== spec && body.root !== 'FailoverPlanManagementSpecType') {
    throw new HttpError(400, `Expected root element ${spec}, got ${body.root}.`);
  }
  let startNow: boolean | undefined;
  let startDate: number | undefined;
  for (const [name, value] of body.entries) {
    if (name === 'StartNow') startNow = parseBool(value, 'StartNow', spec);
    else if (name === 'StartDate') startDate = value === null || value === '' ? undefined : parseUtc(value, 'StartDate');
    else throw new HttpError(400, `${spec}: unknown element ${name}; allowed: StartNow, StartDate.`);
  }
  if (startNow) return {};
  if (startDate !== undefined) return { before: startDate };
  throw new HttpError(400, `${spec}: set StartNow to true or give StartDate.`);
}
