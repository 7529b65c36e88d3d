import type { Command } from './io.js';
import { RunbookError } from '../errors.js';

// Placeholder until its issue lands: says so plainly instead of pretending.
export const simCommand: Command = async () => {
  throw new RunbookError('"runbook sim" is not implemented yet');
};
