import type { Command } from './io.js';
import { RunbookError } from '../errors.js';

// Placeholder until its issue lands: says so plainly instead of pretending.
export const validateCommand: Command = async () => {
  throw new RunbookError('"runbook validate" is not implemented yet');
};
