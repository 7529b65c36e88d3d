// Rules about exec steps: secrets written into commands, argv mistakes, values pasted into shell text.

import { scanTemplate } from '../template.js';
import { allSteps, type Rule } from './context.js';

const SECRET_NAME = /pass(word|wd)?|secret|token|api_?key|credential/i;
const SECRET_ARG = /(?:pass(?:word|wd)?|secret|token|api[_-]?key)=(?!\$\{env\.)\S/i;

/** Literal secrets in exec env or arguments end up in git and in process listings. */
export const noLiteralSecrets: Rule = (ctx) => {
  for (const { step, path } of allSteps(ctx.playbook.steps)) {
    if (step.kind !== 'exec') continue;
    for (const [name, value] of Object.entries(step.env)) {
      if (!SECRET_NAME.test(name) || value === '') continue;
      if (scanTemplate(value).refs.some((r) => r.source === 'env')) continue;
      ctx.report({
        path: [...path, 'exec', 'env', name],
        severity: 'warning',
        code: 'rule/literal-secret',
        message:
          `${name} looks like a secret written into the playbook: pass it through as ${name}: ` +
          `\${env.${name}} and set it where the runbook runs`,
      });
    }
    for (const [field, argv] of [
      ['command', step.command],
      ['undo', step.undo],
    ] as const) {
      argv?.forEach((arg, i) => {
        if (SECRET_ARG.test(arg)) {
          ctx.report({
            path: [...path, 'exec', field, i],
            severity: 'warning',
            code: 'rule/literal-secret',
            message: 'this argument looks like it carries a literal secret: read it from the environment with ${env.NAME} instead',
          });
        }
      });
    }
  }
};

/** `[echo hello]` without a shell runs a program literally named "echo hello". */
export const argvIsSplit: Rule = (ctx) => {
  for (const { step, path } of allSteps(ctx.playbook.steps)) {
    if (step.kind !== 'exec' || step.shell) continue;
    for (const [field, argv] of [
      ['command', step.command],
      ['undo', step.undo],
    ] as const) {
      const program = argv?.[0];
      if (program !== undefined && /\s/.test(program.trim())) {
        const parts = program.trim().split(/\s+/);
        ctx.report({
          path: [...path, 'exec', field, 0],
          severity: 'warning',
          code: 'rule/argv-split',
          message:
            `"${program}" is one argument, so it runs a program with that whole name; split it, ` +
            `e.g. [${parts.join(', ')}], or set shell: true`,
        });
      }
    }
  }
};

/**
 * A `${params.*}` or `${env.*}` value pasted into a `shell: true` command is shell text:
 * `--param 'msg=$(touch /tmp/x)'` runs the command substitution.
 */
export const shellTemplatesAreSafe: Rule = (ctx) => {
  for (const { step, path } of allSteps(ctx.playbook.steps)) {
    if (step.kind !== 'exec' || !step.shell) continue;
    const argvs = [
      ['command', step.command],
      ['undo', step.undo],
      ['rehearse', step.rehearse === 'run' ? undefined : step.rehearse],
    ] as const;
    for (const [field, argv] of argvs) {
      argv?.forEach((arg, i) => {
        const ref = scanTemplate(arg).refs[0];
        if (!ref) return;
        const name = `\${${ref.source}.${ref.name}}`;
        ctx.report({
          path: [...path, 'exec', field, i],
          severity: 'warning',
          code: 'rule/shell-template',
          message:
            `${name} is pasted into shell text (shell: true), so a value holding $(...), ; ` +
            `or quotes runs as shell code: drop shell: true and pass it as its own argv item, ` +
            `or pass it in env (e.g. env: {VALUE: "${name}"}) and write "$VALUE" in double quotes in the command`,
        });
      });
    }
  }
};
