// What a typical hand-written failover script looks like, with plain fetch and JSON:
// log on, POST the failover, poll GET /tasks/{id} every interval until Finished, delete
// the task, read the restore session it links to. No retries, no journal: the baseline.

import { setTimeout as sleep } from 'node:timers/promises';

export interface NaiveTarget {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  username: string;
  password: string;
}

export interface NaiveVm {
  replicaId: string;
  vmId: string;
}

interface TaskJson {
  TaskId: string;
  State: string;
  Result?: { Success: boolean; Message?: string };
  Links?: Array<{ Rel: string; Href: string }>;
}

export class NaiveEm {
  private token = '';
  private sessionHref = '';

  constructor(private readonly t: NaiveTarget) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.t.url}/api${path}`;
    const res = await fetch(url, {
      method,
      headers: {
        Accept: 'application/json',
        'X-RestSvcSessionId': this.token,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
    return res;
  }

  async logon(): Promise<void> {
    const res = await fetch(`${this.t.url}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        Authorization: `Basic ${Buffer.from(`${this.t.username}:${this.t.password}`).toString('base64')}`,
      },
    });
    if (res.status !== 201) throw new Error(`logon → ${res.status}`);
    this.token = res.headers.get('x-restsvcsessionid') ?? '';
    const body = (await res.json()) as { Href: string };
    this.sessionHref = body.Href;
  }

  async logout(): Promise<void> {
    await (await this.call('DELETE', this.sessionHref)).arrayBuffer();
  }

  /** One VM, start to end, polling its own task every `pollMs`. */
  async failover(vm: NaiveVm, pollMs: number): Promise<void> {
    const res = await this.call('POST', `/cdpReplicas/${vm.replicaId}/vms/${vm.vmId}?action=failover`, {
      RestoreCurrent: true,
      RestoreCurrentVss: false,
    });
    let task = (await res.json()) as TaskJson;
    while (task.State !== 'Finished') {
      await sleep(pollMs);
      task = (await (await this.call('GET', `/tasks/${task.TaskId}`)).json()) as TaskJson;
    }
    await (await this.call('DELETE', `/tasks/${task.TaskId}`)).arrayBuffer();
    if (!task.Result?.Success) throw new Error(`failover of ${vm.vmId} failed: ${task.Result?.Message ?? ''}`);
    const related = task.Links?.find((l) => l.Rel === 'Related');
    if (related) await (await this.call('GET', related.Href)).arrayBuffer();
  }
}

/** A pool of `concurrency` workers, each taking the next VM and polling its own task. */
export async function naivePool(t: NaiveTarget, vms: NaiveVm[], concurrency: number, pollMs: number): Promise<void> {
  const em = new NaiveEm(t);
  await em.logon();
  const queue = [...vms];
  const worker = async () => {
    for (let vm = queue.shift(); vm; vm = queue.shift()) await em.failover(vm, pollMs);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, vms.length) }, worker));
  await em.logout();
}

/** One VM at a time: the loop most first scripts are. */
export async function naiveSerial(t: NaiveTarget, vms: NaiveVm[], pollMs: number): Promise<void> {
  const em = new NaiveEm(t);
  await em.logon();
  for (const vm of vms) await em.failover(vm, pollMs);
  await em.logout();
}
