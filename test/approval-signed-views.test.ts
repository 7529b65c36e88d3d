// Signed and unsigned approvals in every report view (JUnit, GitHub summary, HTML): who,
// the key, when signed and when read, why, and the refused decision files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('every view says signed or unsigned, who, the key, when signed and when read, why, and refused files', async () => {
  const { partlyFailedReport } = await import('./helpers/report-fixture.js');
  const { renderJunit } = await import('../engine/report/junit.js');
  const { renderGithubSummary } = await import('../engine/report/github-summary.js');
  const { renderHtmlReport } = await import('../engine/report/html/render.js');
  const report = partlyFailedReport();
  const signer = {
    principal: 'ciso-alice',
    fingerprint: 'ED25519 SHA256:abc',
    signedAt: '2026-11-27T10:08:00Z',
    readAt: '2026-11-27T10:09:00Z',
    decision: 'approved' as const,
    reason: 'clean',
    payload: '{}',
    signature: 'sig',
  };
  report.steps.push(
    {
      id: 'signoff',
      name: 'signoff',
      kind: 'approval',
      outcome: 'succeeded',
      refusedDecisions: [{ at: '2026-11-27T10:07:00Z', file: 'signoff+1.json', why: 'not signed by a key' }],
      approval: {
        decision: 'approved',
        by: 'ciso-alice',
        at: signer.signedAt,
        via: 'runbook approve --sign-with',
        reason: 'clean',
        signed: true,
        readAt: signer.readAt,
        signers: [signer],
      },
    },
    {
      id: 'dba',
      name: 'dba',
      kind: 'approval',
      outcome: 'succeeded',
      approval: {
        decision: 'approved',
        by: 'mallory',
        at: '2026-11-27T10:10:00Z',
        via: 'runbook approve',
        signed: false,
        readAt: '2026-11-27T10:10:00Z',
        claimedBy: 'ciso-alice',
      },
    },
  );
  const signedLine = 'approved (signed) by ciso-alice [ED25519 SHA256:abc] signed 2026-11-27T10:08:00Z, read 2026-11-27T10:09:00Z: clean';
  const unsignedLine = 'approved (unsigned) by mallory (the file claims ciso-alice) via runbook approve, read 2026-11-27T10:10:00Z';
  for (const [name, text] of [
    ['junit', renderJunit(report)],
    ['github', renderGithubSummary(report)],
    ['html', renderHtmlReport(report)],
  ] as const) {
    assert.ok(text.includes(signedLine), `${name}: signed line`);
    assert.ok(text.includes(unsignedLine), `${name}: unsigned line`);
    assert.ok(text.includes('refused signoff+1.json (read 2026-11-27T10:07:00Z): not signed by a key'), `${name}: refused file`);
  }
});

test.run();
