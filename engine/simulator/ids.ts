// Deterministic ids: inventory objects without an explicit id get a UUID derived from
// their kind and name (UUID v5 layout over SHA-1), so a playbook that names a VM resolves
// to the same id on every start. Session GUIDs and restore-session ids come from a seeded
// generator, so a run under a given seed is reproducible.

import { createHash } from 'node:crypto';

const NAMESPACE = 'cdp-runbook-simulator';

/** A stable UUID (v5 layout) for `kind` + `name`. */
export function uuidFromName(kind: string, name: string): string {
  const hash = createHash('sha1').update(`${NAMESPACE}\u0000${kind}\u0000${name}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(hash);
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.subarray(0, 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** mulberry32: tiny, fast, good enough for fault rates and jitter. Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random (v4 layout) UUID drawn from `random`. */
export function randomUuid(random: () => number): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(random() * 256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(bytes);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isGuid(text: string): boolean {
  return GUID.test(text);
}
