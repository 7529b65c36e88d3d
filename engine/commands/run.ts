import type { Command } from './io.js';
import { RunbookError } from '../errors.js';

// Placeholder until its issue lands: says so plainly instead of pretending.
export const runCommand: Command = async () => {
  throw new RunbookError('"runbook run" is not implemented yet');
};
