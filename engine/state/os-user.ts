// Who runs the command, for the journal and for approvals: the OS user name.

import { userInfo } from 'node:os';
import { errorMessage } from '../errors.js';

export function osUser(): string {
  try {
    return userInfo().username;
  } catch (error) {
    // Containers without a passwd entry: the uid is still worth recording.
    return `uid ${process.getuid?.() ?? '?'} (${errorMessage(error)})`;
  }
}
