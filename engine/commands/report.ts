import type { Command } from './io.js';
import { RunbookError } from '../errors.js';

// Placeholder until its issue lands: says so plainly instead of pretending.
export const reportCommand: Command = async () => {
  throw new RunbookError('"runbook report" is not implemented yet');
};
