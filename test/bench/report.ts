// Render the results as plain-text tables with PASS/MISS against the targets. Pure.

import type { BenchResults } from './bench.js';
import type { FailoverResult } from './failover.js';

export interface Verdict {
  target: string;
  measured: string;
  pass: boolean;
}

const f = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const s = (ms: number) => `${f(ms / 1000, 2)} s`;

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function verdicts(r: BenchResults): Verdict[] {
  const out: Verdict[] = [];
  const engine = r.failover.filter((x) => x.driver === 'engine');
  for (const x of engine) {
    const bound = x.vms >= 10_000 ? 1.05 : 1.1;
    if (x.vms >= 1000)
      out.push({
        target: `wall ≤ ${f(bound, 2)} × ideal at ${f(x.vms)} VMs`,
        measured: `${f(x.ratio, 2)} × (${s(x.phaseMs)} vs ${s(x.idealMs)})`,
        pass: x.ratio <= bound,
      });
    const perVmOps = (x.byKind.failover + x.byKind.restoreSession + x.byKind.deleteTask) / x.vms;
    out.push({
      target: `≤ 3 requests per VM besides polls at ${f(x.vms)} VMs`,
      measured: `${f(perVmOps, 2)} (+${f((x.byKind.lookup + x.byKind.session) / x.vms, 2)} lookups/session)`,
      pass: perVmOps <= 3,
    });
    const perTick = x.byKind.pollList > 0 ? (x.byKind.pollList + x.byKind.pollOne) / x.byKind.pollList : Number.POSITIVE_INFINITY;
    // One request per tick whatever the tasks in flight; ticks never closer than pollInterval / 5
    // (the engine polls early when tasks are expected to finish: engine-readme, Polling).
    out.push({
      target: `poll requests per tick independent of tasks in flight at ${f(x.vms)} VMs`,
      measured: `${f(perTick, 2)} per tick, ${f(x.pollsPerSecond, 2)}/s with ${x.peakInFlight} in flight (bound ${f(5000 / x.pollMs, 0)}/s)`,
      pass: perTick <= 1.05 && x.pollsPerSecond <= (5000 / x.pollMs) * 1.05,
    });
    // Engine CPU per VM is reported, not a target: users feel wall time, EM load and memory.
    if (x.vms >= 10_000)
      out.push({ target: 'peak RSS ≤ 512 MB at 10,000 VMs', measured: `${f(x.peakRssMb)} MB`, pass: (x.peakRssMb ?? Infinity) <= 512 });
  }
  if (r.cli) {
    const cold = r.cli.single.median / r.cli.bare.median;
    out.push({
      target: 'validate cold ≤ 2.5 × a bare node -e 0',
      measured: `${f(cold, 2)} × (${f(r.cli.single.median)} vs ${f(r.cli.bare.median)} ms median)`,
      pass: cold <= 2.5,
    });
    out.push({
      target: `${f(r.cli.many.count)} playbooks ≤ 2 s in one call`,
      measured: s(r.cli.many.median),
      pass: r.cli.many.median <= 2000,
    });
  }
  if (r.sim) out.push({ target: 'simulator ≥ 2,000 req/s', measured: `${f(r.sim.rps)} req/s`, pass: r.sim.rps >= 2000 });
  return out;
}

function failoverRows(list: FailoverResult[]): string[][] {
  return list.map((x) => [
    x.driver,
    f(x.vms),
    String(x.waves),
    s(x.idealMs),
    s(x.phaseMs),
    f(x.ratio, 2),
    s(x.wallMs),
    f(x.requests),
    f(x.requestsPerVm, 2),
    f(x.pollPerVm, 2),
    `${f(x.reaction.median)}/${f(x.reaction.p99)}`,
    x.cpuMsPerVm === undefined ? '–' : f(x.cpuMsPerVm, 2),
    x.mainThreadCpuMsPerVm === undefined ? '–' : f(x.mainThreadCpuMsPerVm, 2),
    x.peakRssMb === undefined ? '–' : f(x.peakRssMb),
    String(x.peakInFlight),
    x.ok ? 'yes' : `NO: ${x.problem ?? ''}`,
  ]);
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const parts: string[] = [];
  parts.push(`Machine: ${m.cpu}, ${m.cores} cores, ${f(m.memoryGb, 1)} GB RAM (${f(m.freeMemoryGb, 1)} GB free), Node ${m.node}, ${m.os}`);
  parts.push(
    `Failover: CDP replicas of ${r.options.replicaSize} VMs, ${r.options.concurrency} in flight, task ${r.options.taskMs} ms, poll ${r.options.pollMs} ms` +
      (r.options.timeScale !== 1 ? ` (time scale ${r.options.timeScale})` : '') +
      (r.options.engineNodeOptions ? `; engine started with ${r.options.engineNodeOptions.join(' ')} (not the default)` : '') +
      (r.options.media === 'json' ? '; engine speaking JSON (not the default)' : '') +
      '; phase = first failover POST → last request for a VM; ratio = phase / ideal; reaction = task finished → its DELETE (median/p99 ms)' +
      '; CPU = the engine process, all threads; main thread = its JavaScript thread (the rest: V8 compiling hot code and collecting garbage in the background, fsync)',
  );
  if (r.failover.length > 0) {
    parts.push(
      table(
        [
          'driver',
          'VMs',
          'waves',
          'ideal',
          'phase',
          'ratio',
          'wall',
          'requests',
          'req/VM',
          'polls/VM',
          'reaction ms',
          'CPU ms/VM',
          'main thread',
          'peak RSS MB',
          'in flight',
          'invariants',
        ],
        failoverRows(r.failover),
      ),
    );
    const cmp: string[][] = [];
    for (const naive of r.failover.filter((x) => x.driver.startsWith('naive'))) {
      const engine = r.failover.find((x) => x.driver === 'engine' && x.vms === naive.vms);
      if (!engine) continue;
      cmp.push([
        `engine vs ${naive.driver}`,
        f(naive.vms),
        `${f(engine.phaseMs / naive.phaseMs, 2)} ×`,
        `${f(engine.requests / naive.requests, 2)} ×`,
      ]);
    }
    for (const x of r.failover) {
      if (x.engineWarnings)
        parts.push(`engine at ${f(x.vms)} VMs printed ${x.engineWarnings.count} process warning(s), e.g. ${x.engineWarnings.first}`);
    }
    if (cmp.length > 0) parts.push(table(['comparison (same run)', 'VMs', 'wall ratio', 'request ratio'], cmp));
  }
  if (r.cli) {
    parts.push(
      table(
        ['runbook validate (fresh process)', 'runs', 'median', 'p99/max'],
        [
          [`1 playbook (${r.cli.single.playbook})`, String(r.cli.single.n), `${f(r.cli.single.median)} ms`, `${f(r.cli.single.max)} ms`],
          [`${f(r.cli.many.count)} playbooks in one call`, String(r.cli.many.n), `${f(r.cli.many.median)} ms`, `${f(r.cli.many.max)} ms`],
        ],
      ),
    );
  }
  if (r.sim) {
    parts.push(
      table(
        ['simulator GET /tasks/{id}', 'connections', 'requests', 'req/s'],
        [['loopback, keep-alive', String(r.sim.connections), f(r.sim.requests), f(r.sim.rps)]],
      ),
    );
  }
  const v = verdicts(r);
  if (v.length > 0)
    parts.push(
      table(
        ['target', 'measured', ''],
        v.map((x) => [x.target, x.measured, x.pass ? 'PASS' : 'MISS']),
      ),
    );
  return `${parts.join('\n\n')}\n`;
}
