// Rules about who can decide approval steps: the approvers block's allowed-signers file
// exists and parses, every step's signers are in it, and a quorum can be reached.

import { readFileSync } from 'node:fs';
import { errorMessage } from '../../errors.js';
import { namesPrincipal, parseAllowedSigners, type AllowedSigner } from '../allowed-signers.js';
import { allSteps, type Rule, type RuleContext } from './context.js';

export const approversFit: Rule = (ctx) => {
  const file = ctx.playbook.approvers?.allowedSigners;
  const signers = file !== undefined ? readSigners(ctx, file) : undefined;
  for (const { step, path } of allSteps(ctx.playbook.steps)) {
    if (step.kind !== 'approval') continue;
    const at = [...path, 'approval'];
    if (file === undefined) {
      if (step.signers !== undefined)
        ctx.report({
          path: [...at, 'signers'],
          code: 'rule/approvers',
          message: 'signers need signed decisions: add approvers: {allowedSigners: FILE} to the playbook',
        });
      if (step.quorum > 1)
        ctx.report({
          path: [...at, 'quorum'],
          code: 'rule/approvers',
          message:
            `a quorum of ${step.quorum} needs signed decisions (distinct signers can only be told apart by ` +
            `their keys): add approvers: {allowedSigners: FILE}`,
        });
      continue;
    }
    if (signers === undefined) continue;
    step.signers?.forEach((name, i) => {
      if (!signers.some((s) => namesPrincipal(s, name))) {
        ctx.report({
          path: [...at, 'signers', i],
          code: 'rule/approvers',
          message: `"${name}" is not a principal in ${file}: add a line "${name} ssh-ed25519 AAAA…" for their key, or fix the name`,
        });
      }
    });
    const available = step.signers?.length ?? new Set(signers.flatMap((s) => s.principals)).size;
    if (step.quorum > available) {
      ctx.report({
        path: [...at, 'quorum'],
        code: 'rule/approvers',
        message:
          `quorum ${step.quorum} can never be reached: only ${available} ` +
          `signer${available === 1 ? '' : 's'} ${step.signers ? 'listed' : `in ${file}`}`,
      });
    }
  }
};

function readSigners(ctx: RuleContext, file: string): AllowedSigner[] | undefined {
  const path = ['approvers', 'allowedSigners'];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    ctx.report({
      path,
      code: 'rule/approvers',
      message:
        `cannot read the allowed-signers file ${file} (${errorMessage(error)}): ` +
        'create it (one "principal keytype key" line per approver) or fix the path (relative to the playbook)',
    });
    return undefined;
  }
  const parsed = parseAllowedSigners(text);
  for (const p of parsed.problems) ctx.report({ path, code: 'rule/approvers', message: `${file}:${p.line}: ${p.message}` });
  if (parsed.problems.length > 0) return undefined;
  if (parsed.signers.length === 0) {
    ctx.report({
      path,
      code: 'rule/approvers',
      message: `${file} lists no key: add one "principal keytype key" line per approver (ssh-keygen(1), ALLOWED SIGNERS)`,
    });
    return undefined;
  }
  return parsed.signers;
}
