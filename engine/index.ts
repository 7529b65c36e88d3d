// The public surface of cdp-runbook: named exports only (no export *).

export { ExitCode, RunbookError, UsageError, PlaybookError, PreflightError, LockedError, RunFailedError, InterruptedError, InternalError } from './errors.js';
export { EmError, EmHttpError, EmNetworkError, EmTimeoutError, EmAuthError, OutcomeUnknownError, EmMalformedResponseError } from './errors.js';
export type { Diagnostic, SourcePosition } from './errors.js';
export { systemClock, scaledClock, FakeClock } from './clock.js';
export type { Clock } from './clock.js';

export { loadPlaybook } from './playbook/validate.js';
export { bindTemplate } from './playbook/template.js';
export { resolveParams } from './playbook/resolve-params.js';
export type { Playbook, Step, Condition, RestorePoint } from './playbook/types.js';

export { createClient, tlsWarning } from './api/client.js';
export { calls } from './api/calls.js';
export type { EmClient, ClientOptions, ApiCall, Task, CdpFailoverSpec } from './api/types.js';

export { resolvePlan } from './plan/resolve.js';
export type { ResolveOptions } from './plan/resolve.js';
export { preflight } from './plan/preflight.js';
export { runChecks } from './plan/checks.js';
export { evaluateCondition, describeCondition } from './plan/conditions.js';
export { restorePointSpec, toUtc } from './plan/restore-point.js';
export { renderPlan, countMutatingCalls } from './plan/render.js';
export type { RenderOptions } from './plan/render.js';
export { flattenSteps } from './plan/types.js';
export type { Plan, PlanStep, PlanTarget, RollbackNote, CheckFinding, WhenStatus } from './plan/types.js';

export { executePlan } from './run/execute.js';
export type { ExecuteOptions, ExecuteResult } from './run/execute.js';
export { TaskPoller, TaskGoneError } from './run/poller.js';
export type { PollerOptions } from './run/poller.js';
export { RunRecorder } from './run/recorder.js';
export type { JournalSink, RecorderInit } from './run/recorder.js';
export { rollback, stopTasks } from './run/rollback.js';
export { spawnExecRunner } from './run/exec-runner.js';
export type { ExecRunner, ExecRequest, ExecResult } from './run/exec-runner.js';
export { startProgress } from './run/progress.js';
export type { ProgressOptions, ProgressRenderer } from './run/progress.js';
export { renderSummary } from './run/summary.js';
export { openTarget, serverCredentials } from './run/target.js';
export type { Target, TargetOptions } from './run/target.js';
export { resolveCredentials } from './run/credentials.js';
export type { Credentials, CredentialSources } from './run/credentials.js';
export type { ExecutorEvent, LiveVmState } from './run/events.js';
export type { RunReport, VmReport, StepReport, RollbackAction, ManualAction } from './run/report-types.js';
export type { JournalEntry } from './run/journal-types.js';

export { createSimulator, startSimulatorServer, inventoryFromPlaybook, demoInventory, loadInventory } from './simulator/index.js';
