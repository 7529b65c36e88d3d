// Fault injection, deterministic under the seed: each spec counts the requests it
// matches; `nth` picks by that count, `rate` draws from the seeded generator (only for
// matching requests, so the same request sequence always gets the same faults).

import { UsageError } from '../errors.js';
import { parseDuration } from './duration.js';
import type { FaultKind, FaultSpec } from './types.js';

export interface ArmedFault {
  spec: FaultSpec;
  kind: FaultKind;
  delayMs: number;
}

interface Slot {
  spec: FaultSpec;
  regex?: RegExp;
  from?: number;
  nth?: Set<number>;
  delayMs: number;
  matched: number;
  fired: number;
}

export class Faults {
  private slots: Slot[];

  constructor(
    specs: FaultSpec[],
    private readonly random: () => number,
  ) {
    this.slots = specs.map((spec, i) => {
      const where = `faults[${i}] (${spec.kind})`;
      let regex: RegExp | undefined;
      if (spec.path !== undefined) {
        try {
          regex = new RegExp(spec.path);
        } catch (error) {
          throw new UsageError(
            `${where}: path is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      const delay = spec.delay === undefined ? 0 : parseDuration(spec.delay);
      if (typeof delay === 'string') throw new UsageError(`${where}: delay ${delay}`);
      if ((spec.kind === 'latency' || spec.kind === 'task-operation-finished') && spec.delay === undefined) {
        throw new UsageError(`${where}: needs a delay (e.g. delay: 2s)`);
      }
      const from = spec.from === undefined ? undefined : Date.parse(spec.from);
      if (from !== undefined && Number.isNaN(from)) throw new UsageError(`${where}: from is not a datetime`);
      return {
        spec,
        ...(regex ? { regex } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(spec.nth !== undefined ? { nth: new Set(Array.isArray(spec.nth) ? spec.nth : [spec.nth]) } : {}),
        delayMs: delay,
        matched: 0,
        fired: 0,
      };
    });
  }

  /** The faults that fire for this request (counting it against every matching spec). */
  arm(method: string, target: string, now: number): ArmedFault[] {
    const armed: ArmedFault[] = [];
    for (const slot of this.slots) {
      const { spec } = slot;
      if (spec.method && spec.method.toUpperCase() !== method) continue;
      if (slot.regex && !slot.regex.test(target)) continue;
      if (slot.from !== undefined && now < slot.from) continue;
      slot.matched++;
      if (spec.times !== undefined && slot.fired >= spec.times) continue;
      let fire: boolean;
      if (slot.nth) fire = slot.nth.has(slot.matched);
      else if (spec.rate !== undefined) fire = this.random() < spec.rate;
      else fire = true;
      if (!fire) continue;
      slot.fired++;
      armed.push({ spec, kind: spec.kind, delayMs: slot.delayMs });
    }
    return armed;
  }
}

/** What Node's fetch throws when the peer resets the connection. */
export function connectionReset(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
}

/** A body that does not parse in its media type. */
export function malformedBody(json: boolean): string {
  return json ? '{"TaskId": "task-' : '<?xml version="1.0" encoding="utf-8"?>\n<Task xmlns="http://www.veeam.com/ent/v1.0"><TaskId>';
}
