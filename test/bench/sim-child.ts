// The simulator in its own process (so the engine's CPU is measured alone): reads an
// inventory JSON file, serves it on a free loopback port and answers the parent over IPC.
// Messages in: {type:'log'} → the compact request log and this process's CPU time;
// {type:'close'} → close the server and exit. The parent going away also ends it.

import { readFileSync } from 'node:fs';
import { createSimulator, startSimulatorServer } from '../../engine/simulator/index.js';
import type { Inventory } from '../../engine/simulator/index.js';
import { packLog } from './sim-log.js';

const file = process.argv[2];
if (!file || !process.send) {
  process.stderr.write('usage: sim-child.ts <inventory.json> (spawned with an IPC channel)\n');
  process.exit(2);
}
const inventory = JSON.parse(readFileSync(file, 'utf8')) as Inventory;
const sim = createSimulator({ inventory });
const server = await startSimulatorServer(sim, { port: 0 });
const cpuAtStart = process.cpuUsage();
process.send({ type: 'ready', url: server.url });

process.on('message', (m: { type: string }) => {
  if (m.type === 'log') {
    const cpu = process.cpuUsage(cpuAtStart);
    process.send!({ type: 'log', log: packLog(sim.log), cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (m.type === 'close') {
    void server.close().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
