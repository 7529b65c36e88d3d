// The OpenSSH allowed-signers format (ssh-keygen(1), ALLOWED SIGNERS), read to check a
// playbook's approvers block and to know whom a signature may be from. ssh-keygen itself
// does the verifying; this parser only has to agree with it on what a line says:
//   principals [options] keytype base64-key [comment]
// principals: comma-separated (patterns allowed); options: cert-authority, namespaces="…",
// valid-after="…", valid-before="…" (YYYYMMDD[HHMM[SS]][Z]).

export interface AllowedSigner {
  line: number;
  principals: string[];
  certAuthority: boolean;
  namespaces?: string[];
  validAfter?: string;
  validBefore?: string;
  keyType: string;
}

export interface AllowedSigners {
  signers: AllowedSigner[];
  problems: { line: number; message: string }[];
}

const KEY_TYPE = new RegExp(
  '^(?:' +
    [
      'ssh-(?:ed25519|rsa|dss)',
      'ecdsa-sha2-nistp(?:256|384|521)',
      'sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com',
      'ssh-(?:ed25519|rsa)-cert-v01@openssh\\.com',
      'ecdsa-sha2-nistp(?:256|384|521)-cert-v01@openssh\\.com',
    ].join('|') +
    ')$',
);
const TIME = /^\d{8}(?:\d{4}(?:\d{2})?)?Z?$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseAllowedSigners(text: string): AllowedSigners {
  const out: AllowedSigners = { signers: [], problems: [] };
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const parsed = parseLine(raw, i + 1);
    if (typeof parsed === 'string') out.problems.push({ line: i + 1, message: parsed });
    else if (parsed) out.signers.push(parsed);
  }
  return out;
}

/** One line's signer, or what is wrong with it, or undefined for a blank or comment line. */
function parseLine(raw: string, line: number): AllowedSigner | string | undefined {
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const fields = splitFields(trimmed);
  if (fields === undefined) return 'an unterminated quote';
  const [principals, second, ...rest] = fields;
  let options: string | undefined;
  let keyType = second;
  if (second !== undefined && !KEY_TYPE.test(second)) {
    options = second;
    keyType = rest.shift();
  }
  const key = rest[0];
  if (principals === undefined || keyType === undefined || key === undefined) {
    return 'expected "principals [options] keytype key" (e.g. alice@example.com ssh-ed25519 AAAA…)';
  }
  if (!KEY_TYPE.test(keyType)) return `"${clip(keyType)}" is not an SSH key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, …)`;
  if (!BASE64.test(key)) return 'the key is not base64';
  const signer: AllowedSigner = {
    line,
    principals: unquote(principals)
      .split(',')
      .filter((p) => p !== ''),
    certAuthority: false,
    keyType,
  };
  if (options !== undefined) {
    const problem = applyOptions(signer, options);
    if (problem) return problem;
  }
  if (signer.principals.length === 0) return 'no principal names the key';
  return signer;
}

/** Whether `name` is one of the line's principals (ssh's `*` and `?` patterns honoured). */
export function namesPrincipal(signer: AllowedSigner, name: string): boolean {
  return signer.principals.some((p) => (p.startsWith('!') ? false : glob(p).test(name)));
}

function applyOptions(signer: AllowedSigner, options: string): string | undefined {
  for (const option of splitOptions(options)) {
    const m = /^([a-z-]+)(?:="(.*)")?$/i.exec(option);
    const name = m?.[1]?.toLowerCase();
    const value = m?.[2];
    if (name === 'cert-authority' && value === undefined) signer.certAuthority = true;
    else if (name === 'namespaces' && value !== undefined) signer.namespaces = value.split(',');
    else if ((name === 'valid-after' || name === 'valid-before') && value !== undefined) {
      if (!TIME.test(value)) return `${name}="${clip(value)}" is not a time ssh-keygen reads (YYYYMMDD[HHMM[SS]][Z])`;
      if (name === 'valid-after') signer.validAfter = value;
      else signer.validBefore = value;
    } else return `unknown option "${clip(option)}" (allowed: cert-authority, namespaces="…", valid-after="…", valid-before="…")`;
  }
  return undefined;
}

/** Whitespace-separated fields, double quotes keeping spaces; undefined on an open quote. */
function splitFields(line: string): string[] | undefined {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (current !== '') fields.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) return undefined;
  if (current !== '') fields.push(current);
  return fields;
}

function splitOptions(options: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of options) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.filter((o) => o !== '');
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
