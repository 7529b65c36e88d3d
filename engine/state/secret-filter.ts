// Secrets (EM password, session token, Basic header value) must never reach a file. Every
// writer of this folder passes what it writes through one SecretFilter; the engine
// registers each secret as soon as it knows it.
//
// Decision: redact, not refuse. The journal line that records an accepted failover must
// be written even if an EM message happened to echo a secret: refusing it would lose
// track of a started failover, which is worse than a `[redacted]` in a message.

export const REDACTED = '[redacted]';

export class SecretFilter {
  private readonly secrets = new Set<string>();
  /** The secrets, longest first (a secret inside a longer one must not split it). */
  private longestFirst: string[] = [];

  /** Registers a value to redact; empty values are ignored (they would match everywhere). */
  register(value: string | undefined): void {
    if (!value || this.secrets.has(value)) return;
    this.secrets.add(value);
    this.longestFirst = [...this.secrets].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.secrets.size;
  }

  /** True when `text` contains a registered secret. */
  contains(text: string): boolean {
    for (const secret of this.secrets) if (text.includes(secret)) return true;
    return false;
  }

  /** `text` with every registered secret replaced by `[redacted]` (longest first). */
  redactText(text: string): string {
    if (this.secrets.size === 0) return text;
    let out = text;
    for (const secret of this.longestFirst) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /**
   * A deep copy of a JSON-like value with every string redacted. Works on values, not on
   * the serialized text, so a secret containing `"` or `\` is still found and the JSON
   * structure cannot be broken by a replacement.
   */
  redact<T>(value: T): T {
    // Nearly every journal line holds no secret: look first, copy only when one is there.
    if (this.secrets.size === 0 || !this.found(value)) return value;
    return this.walk(value) as T;
  }

  private found(value: unknown): boolean {
    if (typeof value === 'string') return this.contains(value);
    if (Array.isArray(value)) return value.some((v) => this.found(v));
    if (value !== null && typeof value === 'object') {
      for (const key in value) if (this.found((value as Record<string, unknown>)[key])) return true;
    }
    return false;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.walk(v);
      return out;
    }
    return value;
  }
}
