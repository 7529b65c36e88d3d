// Who wrote a file, from the file system: the owner's user name (or uid). An unsigned
// approval records this, not the name the file claims. `stat` is a seam for tests.

import { readFileSync, statSync } from 'node:fs';

export type StatFn = (file: string) => { uid: number };

export function fileOwner(file: string, stat: StatFn = statSync, passwd = readPasswd): string {
  const uid = stat(file).uid;
  const name = passwd().get(uid);
  return name !== undefined ? name : `uid ${uid}`;
}

/** uid → name from /etc/passwd; empty where there is none (the uid is recorded then). */
export function readPasswd(): Map<number, string> {
  const users = new Map<number, string>();
  let text = '';
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return users; // no passwd (Windows, some containers): owners are recorded by uid
  }
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid) && !users.has(Number(uid))) users.set(Number(uid), name);
  }
  return users;
}
