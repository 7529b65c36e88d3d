// Scenario 5: the simulator's throughput for GET /tasks/{id} over loopback: a few
// keep-alive connections (node:http Agent), a fixed number of requests, so it stops by itself.

import { Agent, request } from 'node:http';
import { BENCH_USER, inventory, replicas } from './generate.js';
import { startSimProcess } from './sim-process.js';

export interface SimRpsResult {
  connections: number;
  requests: number;
  wallMs: number;
  rps: number;
  /** Non-200 answers (should be 0). */
  errors: number;
}

function call(
  agent: Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function runSimRps(o: { connections: number; requests: number }): Promise<SimRpsResult> {
  const s = { vms: 1, taskMs: 3_600_000, pollMs: 500 };
  const sim = await startSimProcess(inventory(s));
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  try {
    const base = sim.url;
    const auth = `Basic ${Buffer.from(`${BENCH_USER.name}:${BENCH_USER.password}`).toString('base64')}`;
    const logon = await call(agent, new URL('/api/sessionMngr/?v=latest', base), 'POST', { Authorization: auth });
    const token = String(logon.headers['x-restsvcsessionid'] ?? '');
    const vm = replicas(s)[0]!;
    const post = await call(
      agent,
      new URL(`/api/cdpReplicas/${vm.id}/vms/${vm.vms[0]!.id}?action=failover`, base),
      'POST',
      { 'X-RestSvcSessionId': token, 'Content-Type': 'application/json', Accept: 'application/json' },
      JSON.stringify({ RestoreCurrent: true, RestoreCurrentVss: false }),
    );
    const taskId = (JSON.parse(post.body) as { TaskId: string }).TaskId;
    const url = new URL(`/api/tasks/${taskId}`, base);
    const headers = { 'X-RestSvcSessionId': token };
    let left = o.requests;
    let errors = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (left > 0) {
          left--;
          const r = await call(agent, url, 'GET', headers);
          if (r.status !== 200) errors++;
        }
      }),
    );
    const wallMs = performance.now() - t0;
    return { connections: o.connections, requests: o.requests, wallMs, rps: o.requests / (wallMs / 1000), errors };
  } finally {
    agent.destroy();
    await sim.close();
  }
}
