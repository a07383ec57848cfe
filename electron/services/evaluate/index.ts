/** What the rest of the app uses from the evaluate service. */
export { addDemoBaselineRun, BASELINE_NAME, geographicMedoid } from './baseline.js';
export { evaluateHandlers, type EvaluateHandlers } from './rpc-handlers.js';
