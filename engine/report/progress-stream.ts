// A command's Output as the WriteStream listr2's logger expects (commands never touch
// process.stdout: cli.ts gives them an Output).

import { Writable } from 'node:stream';
import type { Output } from '../io.js';

export function toStream(out: Output): NodeJS.WriteStream {
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      (out.writeRaw ?? out.write).call(out, typeof chunk === 'string' ? chunk : chunk.toString());
      cb();
    },
  });
  // listr2 writes synchronously through .write(); the Writable above forwards at once.
  return Object.assign(stream, { isTTY: out.isTTY }) as unknown as NodeJS.WriteStream;
}
