// Behaviour and history specs as written (durations as text, inherited fields absent)
// turned into the numbers the model runs on, each level inheriting from its parent.

import { parseDuration } from './duration.js';
import type { BehaviourN, HistoryN } from './model.js';
import type { Behaviour, DurationInput, HistorySpec } from './types.js';

export const DEFAULT_BEHAVIOUR: Behaviour = { failoverDuration: '3s', operationFinishedFor: 0, neverFinish: false };
export const DEFAULT_HISTORY: HistorySpec = { replicationLag: '15s', appConsistentEvery: '1h', history: '24h' };

export interface Normalizer {
  behaviour: (own: Behaviour | undefined, parent: BehaviourN, where: string) => BehaviourN;
  history: (own: HistorySpec | undefined, parent: HistoryN, where: string) => HistoryN;
}

/** Normalizers that push every bad duration or range onto `problems` (and fall back to the parent). */
export function normalizer(problems: string[]): Normalizer {
  const ms = (value: DurationInput | undefined, fallback: number, where: string): number => {
    if (value === undefined) return fallback;
    const parsed = parseDuration(value);
    if (typeof parsed === 'string') {
      problems.push(`${where}: ${parsed}`);
      return fallback;
    }
    return parsed;
  };
  // Identical specs share one normalized object: 10,000 VMs with default behaviour hold one.
  const cache = new Map<string, BehaviourN | HistoryN>();
  const shared = <T extends BehaviourN | HistoryN>(key: string, value: T): T => {
    const known = cache.get(key) as T | undefined;
    if (known) return known;
    cache.set(key, value);
    return value;
  };
  const behaviour = (own: Behaviour | undefined, parent: BehaviourN, where: string): BehaviourN => {
    if (
      !own ||
      (own.failoverDuration === undefined &&
        own.fail === undefined &&
        own.neverFinish === undefined &&
        own.operationFinishedFor === undefined)
    )
      return parent;
    const b: BehaviourN = {
      durationMs: ms(own.failoverDuration, parent.durationMs, `${where}.failoverDuration`),
      neverFinish: own.neverFinish ?? parent.neverFinish,
      operationFinishedMs: ms(own.operationFinishedFor, parent.operationFinishedMs, `${where}.operationFinishedFor`),
      ...(own.fail !== undefined ? { fail: own.fail } : parent.fail !== undefined ? { fail: parent.fail } : {}),
    };
    return shared(`b${JSON.stringify(b)}`, b);
  };
  const history = (own: HistorySpec | undefined, parent: HistoryN, where: string): HistoryN => {
    if (!own) return parent;
    const h: HistoryN = {
      lagMs: ms(own.replicationLag, parent.lagMs, `${where}.replicationLag`),
      appEveryMs: ms(own.appConsistentEvery, parent.appEveryMs, `${where}.appConsistentEvery`),
      historyMs: ms(own.history, parent.historyMs, `${where}.history`),
    };
    if (h.lagMs >= h.historyMs) problems.push(`${where}: replicationLag must be shorter than history`);
    return shared(`h${JSON.stringify(h)}`, h);
  };
  return { behaviour, history };
}
