// `--junit FILE.xml`: one testcase per step, so CI dashboards show a drill like a test run.
// classname = playbook name, name = step name (children of a parallel group are prefixed
// with the group's name), time in seconds. Failed steps carry EM's messages; skipped steps
// are <skipped/>; each VM is a line of system-out; manual actions, rollback and events go
// to the suite's system-out.

import { approvalLines } from '../state/approval-text.js';
import { remains } from '../state/outcome-words.js';
import { headline, isScaled, rehearsalPrefix, timesNote } from './rehearsal-label.js';
import type { RunReport, StepReport, VmReport } from '../state/report-types.js';
import { SecretFilter } from '../state/secret-filter.js';
import { writeFileAtomic } from '../state/atomic.js';

// XML 1.0 forbids most control characters even when escaped: drop them.
const INVALID =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters, so they are dropped
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function xmlEscape(text: string): string {
  return text
    .replace(INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (a: Record<string, string | number | undefined>) =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

function vmLine(v: VmReport): string {
  const parts = [`VM ${v.name} (replica ${v.replica}, ${v.restorePoint}): ${v.state}`];
  if (v.taskId) parts.push(`task ${v.taskId}`);
  if (v.durationMs !== undefined) parts.push(`${seconds(v.durationMs)}s`);
  if (v.retries) parts.push(`${v.retries} retr${v.retries === 1 ? 'y' : 'ies'}`);
  if (v.restoreSession)
    parts.push(
      `restore session ${v.restoreSession.id} ${v.restoreSession.state}${v.restoreSession.result ? `/${v.restoreSession.result}` : ''}`,
    );
  return parts.join(', ') + (v.message ? `: ${v.message}` : '');
}

function stepLines(s: StepReport, scaled: boolean): string[] {
  const lines = (s.vms ?? []).map(vmLine);
  if (s.plan)
    lines.push(
      `plan ${s.plan.action} ${s.plan.name}${s.plan.taskId ? ` task ${s.plan.taskId}` : ''}${s.plan.message ? `: ${s.plan.message}` : ''}`,
    );
  if (s.exec)
    lines.push(
      s.exec.rehearsed === 'not-run'
        ? `rehearsed, not run: ${s.exec.command.join(' ')}`
        : `exec ${s.exec.command.join(' ')}${s.exec.rehearsed ? ' (rehearsal stand-in)' : ''}` +
            `${s.exec.exitCode !== undefined ? ` → exit ${s.exec.exitCode}` : ''}`,
    );
  if (s.exec?.output) lines.push(s.exec.output);
  for (const c of s.checks ?? []) lines.push(`${c.ok ? 'ok' : 'FAILED'}: ${c.message}`);
  lines.push(...approvalLines(s, scaled));
  return lines;
}

function testcase(report: RunReport, s: StepReport): string {
  const parent = s.parentId ? report.steps.find((p) => p.id === s.parentId) : undefined;
  const name = parent ? `${parent.name} / ${s.name}` : s.name;
  const head = `    <testcase${attrs({ classname: report.playbook.name, name, time: seconds(s.durationMs) })}`;
  const body: string[] = [];
  if (s.outcome === 'failed') {
    const vmErrors = (s.vms ?? []).filter((v) => v.state === 'failed' || v.state === 'unknown').map(vmLine);
    const failed = (s.checks ?? []).filter((c) => !c.ok).map((c) => c.message);
    const message = s.error ?? vmErrors[0] ?? failed[0] ?? 'step failed';
    const detail = [s.error, ...vmErrors, ...failed].filter((x): x is string => !!x).join('\n');
    body.push(`      <failure${attrs({ message, type: s.kind })}>${xmlEscape(detail)}</failure>`);
  } else if (s.outcome === 'skipped') {
    body.push(`      <skipped${attrs({ message: s.skipReason ?? 'skipped' })}/>`);
  } else if (s.outcome === 'pending') {
    body.push(`      <skipped${attrs({ message: 'not run (the run ended before this step)' })}/>`);
  } else if (s.outcome === 'running') {
    body.push(
      `      <error${attrs({ message: 'still running when the run ended (interrupted): outcome unknown', type: 'interrupted' })}/>`,
    );
  }
  const out = stepLines(s, isScaled(report));
  if (out.length) body.push(`      <system-out>${xmlEscape(out.join('\n'))}</system-out>`);
  return body.length ? `${head}>\n${body.join('\n')}\n    </testcase>` : `${head}/>`;
}

export function renderJunit(input: RunReport, secrets: SecretFilter = new SecretFilter()): string {
  const report = secrets.redact(input);
  const count = (o: StepReport['outcome']) => report.steps.filter((s) => s.outcome === o).length;
  const totals = {
    tests: report.steps.length,
    failures: count('failed'),
    errors: count('running'),
    skipped: count('skipped') + count('pending'),
    time: seconds(report.endedAt ? Date.parse(report.endedAt) - Date.parse(report.startedAt) : undefined),
  };
  const left = remains(report);
  const note = timesNote(report);
  const props: Record<string, string | number | undefined> = {
    runId: report.runId,
    outcome: report.outcome,
    'vms.failedOver': left.failedOver.length,
    'vms.unknown': left.unknown.length,
    exitCode: report.exitCode,
    'playbook.file': report.playbook.file,
    'playbook.sha256': report.playbook.sha256,
    'playbook.commit': report.playbook.commit,
    server: report.server.url,
    simulated: String(report.server.simulated),
    ...(note !== undefined ? { times: note } : {}),
    'target.rtoMs': report.targets.rtoMs,
    'target.rpoMs': report.targets.rpoMs,
    'achieved.rtoMs': report.achieved.rtoMs,
    'achieved.worstRpoSeconds': report.achieved.worstRpoSeconds,
  };
  const suiteOut = [
    ...(report.server.simulated ? [`${headline(report)}${note ? ` (${note})` : ''}`] : []),
    ...report.manual.map((m) => `MANUAL ACTION (${m.reason}) ${m.target}: ${m.instruction}`),
    ...report.rollback.map(
      (a) => `rollback ${a.action} ${a.target}${a.taskId ? ` task ${a.taskId}` : ''}: ${a.ok ? 'ok' : 'FAILED'}: ${a.message}`,
    ),
    ...report.events.map((e) => `${e.at} ${e.type}${e.stepId ? ` [${e.stepId}]` : ''}: ${e.message}`),
  ];
  const suite = {
    name: `${rehearsalPrefix(report)}${report.playbook.name}`,
    id: report.runId,
    timestamp: report.startedAt,
    hostname: report.host.hostname || undefined,
    ...totals,
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: `${rehearsalPrefix(report)}cdp-runbook`, ...totals })}>`,
    `  <testsuite${attrs(suite)}>`,
    '    <properties>',
    ...Object.entries(props)
      .filter(([, v]) => v !== undefined)
      .map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...report.steps.map((s) => testcase(report, s)),
    ...(suiteOut.length ? [`    <system-out>${xmlEscape(suiteOut.join('\n'))}</system-out>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function writeJunit(file: string, report: RunReport, options: { secrets?: SecretFilter } = {}): void {
  writeFileAtomic(file, renderJunit(report, options.secrets));
}
