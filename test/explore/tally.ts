// What the explorer counts: per fault kind (a schedule counts under each kind it carries;
// `none` is a fault-free run), schedules explored and violations per invariant; the slowest
// schedule; and each violation class (invariant + message with names and numbers blanked)
// with the first schedule that showed it, to shrink.

import { EXPLORE_INVARIANTS, type ExploreInvariant } from '../drills/explore-invariants.js';
import { renderTable, type Row } from '../drills/table.js';
import type { Cell } from './modes.js';
import { violated } from './run-schedule.js';
import { FAULT_KINDS } from './schedule.js';

const INVARIANT_IDS = Object.keys(EXPLORE_INVARIANTS) as ExploreInvariant[];

export interface ViolationClass {
  invariant: ExploreInvariant;
  key: string;
  example: string;
  first: Cell;
  count: number;
}

interface Counts {
  schedules: number;
  bad: Record<ExploreInvariant, number>;
}

const zero = (): Counts => ({ schedules: 0, bad: { I1: 0, I2: 0, I3: 0, I4: 0, I5: 0, I6: 0 } });

export function classKey(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<guid>')
    .replace(/vm\d+/g, 'vm#')
    .replace(/task-\d+/g, 'task-#')
    .replace(/\d+/g, '#');
}

export class Tally {
  private readonly rows = new Map<string, Counts>([['none', zero()], ...FAULT_KINDS.map((k): [string, Counts] => [k, zero()])]);
  readonly classes = new Map<string, ViolationClass>();
  total = 0;
  violating = 0;
  slowest?: Cell;

  add(cell: Cell): void {
    this.total++;
    const kinds = new Set(cell.schedule.faults.map((f) => f.kind as string));
    if (kinds.size === 0) kinds.add('none');
    const broken = violated(cell.result);
    if (broken.length > 0) this.violating++;
    for (const kind of kinds) {
      const row = this.rows.get(kind)!;
      row.schedules++;
      for (const inv of broken) row.bad[inv]++;
    }
    for (const inv of broken) {
      for (const message of new Set(cell.result.violations[inv].map(classKey))) {
        const key = `${inv} ${message}`;
        const known = this.classes.get(key);
        if (known) known.count++;
        else
          this.classes.set(key, {
            invariant: inv,
            key,
            example: cell.result.violations[inv].find((m) => classKey(m) === message)!,
            first: cell,
            count: 1,
          });
      }
    }
    if (!this.slowest || cell.result.realMs > this.slowest.result.realMs) this.slowest = cell;
  }

  render(title: string): string {
    const rows: Row[] = [...this.rows].map(([fault, c]) => ({
      fault,
      cells: { schedules: String(c.schedules), ...Object.fromEntries(INVARIANT_IDS.map((i) => [i, String(c.bad[i])])) },
    }));
    const slow = this.slowest;
    const footer = [
      `${this.total} schedules, ${this.violating} with a violation, ${this.classes.size} violation classes`,
      slow
        ? `slowest: ${slow.origin}, ${Math.round(slow.result.realMs)} ms real, ${Math.round(slow.result.virtualMs / 60_000)} min virtual: ${slow.result.line}`
        : '',
    ].join('\n');
    return `${renderTable(title, ['schedules', ...INVARIANT_IDS], rows, EXPLORE_INVARIANTS)}${footer}\n`;
  }
}
