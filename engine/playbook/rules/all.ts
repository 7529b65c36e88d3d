// The semantic rules, in the order their messages read best.

import { approversFit } from './approvers.js';
import type { Rule } from './context.js';
import { durationsArePositive, stepSettingsCohere } from './coherence.js';
import { paramDefinitionsFit, paramReferencesResolve, paramsAreUsed } from './params.js';
import { argvIsSplit, noLiteralSecrets, shellTemplatesAreSafe } from './secrets.js';
import { conditionsReferToEarlierSteps, uniqueStepIds } from './steps.js';

export const RULES: readonly Rule[] = [
  uniqueStepIds,
  conditionsReferToEarlierSteps,
  paramDefinitionsFit,
  paramReferencesResolve,
  paramsAreUsed,
  stepSettingsCohere,
  durationsArePositive,
  noLiteralSecrets,
  argvIsSplit,
  shellTemplatesAreSafe,
  approversFit,
];
