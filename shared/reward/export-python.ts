/**
 * Exports a reward spec for the field's trainers: the spec as JSON, and a
 * self-contained Python file that computes the same numbers as the TypeScript scorer,
 * as a VLM-R1 registered reward, a TRL reward function, an ms-swift ORM, or a plain
 * module. The Python comes from the files under resources/trainer/ (passed in as
 * PythonSources: shared/ reads no files): the scorer georeason_reward.py verbatim, so
 * the built-in trainer and every exported plug-in run one Python scorer, then the spec,
 * then the target's template from resources/trainer/templates/ (its checker prelude left
 * out, its per-component blocks written once per component).
 * test/unit/reward-export.test.ts runs the plug-ins against the TypeScript on the shared
 * vectors.
 */
import { componentName, parseRewardSpec, type RewardSpec, type RewardSpecInput } from './spec.js';

/**
 * The shipped Python the plug-ins are made of (resources/trainer/, read by the main
 * process and sent over RPC to the renderer): the scorer verbatim, the batch helpers of
 * the trainer targets, each target's tail, and the VLM-R1 wrapper script.
 */
export interface PythonSources {
  scorer: string;
  batch: string;
  targets: Record<PythonTarget, string>;
  vlmr1Wrapper: string;
}

/** The files of PythonSources, relative to resources/trainer/. */
export const templateFiles = {
  scorer: 'georeason_reward.py',
  batch: 'templates/reward_batch.py',
  'vlm-r1': 'templates/reward_vlmr1.py',
  trl: 'templates/reward_trl.py',
  swift: 'templates/reward_swift.py',
  module: 'templates/reward_module.py',
  vlmr1Wrapper: 'templates/vlmr1_wrapper.py',
} as const;

/** A template's lines above this one only let Python checkers read it on its own. */
const PRELUDE_END = '# ---- end of checker prelude ----\n';
/** A block written once per component (markers indented like the block). */
const EACH_COMPONENT = /^[ \t]*# ---- for each component: COMPONENT is its name ----\n([\s\S]*?)^[ \t]*# ---- end for each component ----\n/gm;

export type PythonTarget = 'vlm-r1' | 'trl' | 'swift' | 'module';

export const pythonTargets: readonly PythonTarget[] = ['vlm-r1', 'trl', 'swift', 'module'];

/** The name the exported file should be saved under (its usage text imports it so). */
export function pythonFileName(target: PythonTarget): string {
  switch (target) {
    case 'vlm-r1':
      return 'georeason_reward_vlmr1.py';
    case 'trl':
      return 'georeason_reward_trl.py';
    case 'swift':
      return 'georeason_reward_swift.py';
    case 'module':
      return 'georeason_reward_spec.py';
  }
}

/** The spec as JSON (validated, defaults filled in), as the Python `load_spec` reads it. */
export function exportSpecJson(spec: RewardSpecInput): string {
  return `${JSON.stringify(parseRewardSpec(spec), null, 2)}\n`;
}

/**
 * A Python string literal for `s`: JSON's escapes are all valid Python escapes; anything
 * outside printable ASCII is escaped too (by code point: Python needs \U0001F600 where a
 * JavaScript string holds a surrogate pair), so the file is plain ASCII.
 */
export function pythonStringLiteral(s: string): string {
  let out = '';
  for (const ch of JSON.stringify(s)) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x7f) out += ch;
    else if (cp > 0xffff) out += `\\U${cp.toString(16).padStart(8, '0')}`;
    else out += `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return out;
}

/** A comment line's text: no line break can end the comment early, no NUL (a SyntaxError in Python source). */
function commentSafe(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return s.replace(/[\x00-\x1f\x7f\u0085\u2028\u2029]+/g, ' ');
}

/** The spec as JSON, one component a line (readable in the exported file). */
function specJsonLines(spec: RewardSpec): string[] {
  const entries = Object.entries(spec).filter(([, v]) => v !== undefined);
  const lines = ['{'];
  entries.forEach(([k, v], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (k === 'components' && Array.isArray(v)) {
      lines.push(`  "components": [`);
      v.forEach((c, j) => lines.push(`    ${JSON.stringify(c)}${j < v.length - 1 ? ',' : ''}`));
      lines.push(`  ]${comma}`);
    } else lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)}${comma}`);
  });
  lines.push('}');
  return lines;
}

function specBlock(spec: RewardSpec): string {
  const lines = specJsonLines(spec);
  const body = lines.map((l, i) => `    ${pythonStringLiteral(i < lines.length - 1 ? `${l}\n` : l)}`).join('\n');
  return `SPEC_JSON = (\n${body}\n)\nSPEC = load_spec(SPEC_JSON)\n`;
}

function componentNames(spec: RewardSpec): string[] {
  return spec.components.map((c, i) => componentName(c, i, spec.components));
}

const PYTHON_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

function header(spec: RewardSpec, target: PythonTarget, usage: string): string {
  const name = spec.name ?? '(unnamed spec)';
  const lines = [
    `# GeoReason reward plug-in: ${pythonFileName(target)} (target: ${target})`,
    `# Spec: ${commentSafe(name)}${spec.description ? ` - ${commentSafe(spec.description)}` : ''}`,
    `# Components: ${componentNames(spec).join(', ')}; combine: ${spec.combine}`,
    '#',
    '# Generated by GeoReason Workbench. The scorer below is resources/trainer/georeason_reward.py',
    '# verbatim; it computes the same numbers as the workbench\'s reward lab. Python 3.9+,',
    '# standard library only. Edit the spec in the workbench and export again rather than',
    '# editing this file.',
    '#',
    ...usage
      .trim()
      .split('\n')
      .map((l) => (l === '' ? '#' : `# ${l}`)),
  ];
  return `${lines.join('\n')}\n\n`;
}

function usageText(spec: RewardSpec, target: PythonTarget): string {
  const file = pythonFileName(target);
  const mod = file.replace(/\.py$/, '');
  const comps = componentNames(spec).map((n) => `georeason_${n}`);
  switch (target) {
    case 'trl':
      return `
Usage with TRL's GRPOTrainer (completions plain or conversational; truth from the
dataset columns lat/lon, or solution, plus optional country/city):

    from ${mod} import REWARD_FUNCS, REWARD_WEIGHTS
    args = GRPOConfig(..., reward_weights=REWARD_WEIGHTS)
    trainer = GRPOTrainer(model=..., args=args, reward_funcs=REWARD_FUNCS, train_dataset=ds)

REWARD_FUNCS is [reward_func, ${comps.join(', ')}] and REWARD_WEIGHTS
[1, ${comps.map(() => '0').join(', ')}]: training uses the spec's reward and TRL logs every
component as rewards/<name>/mean. reward_func alone is the spec's reward.`;
    case 'vlm-r1':
      return `
Usage with VLM-R1 / Geo-R (src/open-r1-multimodal/src/open_r1/grpo_jsonl.py): put this
file next to grpo_jsonl.py (or on PYTHONPATH) and, after reward_funcs_registry is
defined there, add:

    from ${mod} import reward_funcs_registry as georeason_registry
    reward_funcs_registry.update(georeason_registry)

then train with --reward_funcs georeason (the spec's reward). The truth is read from
each row's solution: Geo-R's [lat, lon], GLOBE's "country<TAB>city", or an answer text
(e.g. "<answer>Country: Japan ... Coordinates: (43.45, 142.61)</answer>").
The components are registered as ${comps.join(', ')} too, but VLM-R1 sums
the functions it is given, so list them instead of georeason only when the spec's
combine is weighted_sum and the weights are 1.`;
    case 'swift':
      return `
Usage with ms-swift GRPO (3.x, e.g. GLOBE's 3.5 fork, and 4.x):

    swift rlhf --rlhf_type grpo --external_plugins ${file} \\
        --reward_funcs georeason ${comps.join(' ')} \\
        --reward_weights 1 ${comps.map(() => '0').join(' ')} ...

georeason is the spec's reward; the weight-0 components are only logged. The classes
register into ms-swift's own registry: swift.rewards.orms (ms-swift >= 4.0) or
swift.plugin.orms (3.x); without either the import fails. The truth comes from the
dataset columns lat/lon and country/city, or from solution: GLOBE's "country<TAB>city",
[lat, lon], or an answer text.`;
    case 'module':
      return `
Usage: import it and call reward(text, lat, lon, country=None, city=None) -> float, or
score(SPEC, text, lat, lon, country, city) -> (reward, {component: value});
group_stats([[r, ...], ...]) gives TRL's GRPO group numbers.`;
  }
}

/** The lines of a template below its checker prelude (which only serves Python checkers). */
function templateBody(template: string, file: string): string {
  const at = template.indexOf(PRELUDE_END);
  if (at < 0) throw new Error(`${file}: no "${PRELUDE_END.trim()}" line`);
  return template.slice(at + PRELUDE_END.length);
}

/** Writes each "for each component" block once per name, COMPONENT replaced by the name. */
function repeatPerComponent(body: string, names: readonly string[], file: string): string {
  const out = body.replace(EACH_COMPONENT, (_block, inner: string) => names.map((n) => inner.replaceAll('COMPONENT', n)).join(''));
  if (out.includes('COMPONENT')) throw new Error(`${file}: COMPONENT outside a "for each component" block`);
  return out;
}

function targetCode(spec: RewardSpec, target: PythonTarget, sources: PythonSources): string {
  const names = componentNames(spec);
  for (const n of names) if (!PYTHON_ID.test(n)) throw new Error(`component name '${n}' is not a Python identifier`);
  const file = templateFiles[target];
  const tail = repeatPerComponent(templateBody(sources.targets[target], file), names, file);
  return target === 'module' ? tail : templateBody(sources.batch, templateFiles.batch) + tail;
}

/**
 * A self-contained Python file for `target` that scores completions under `spec`
 * exactly as the workbench does, from the shipped Python `sources`. `spec` is
 * validated first (an invalid spec throws).
 */
export function exportPython(spec: RewardSpecInput, target: PythonTarget, sources: PythonSources): string {
  const s = parseRewardSpec(spec);
  return (
    header(s, target, usageText(s, target)) +
    sources.scorer +
    '\n\n# ---- the reward spec (generated) -------------------------------------------------------\n' +
    specBlock(s) +
    targetCode(s, target, sources)
  );
}

/** The VLM-R1 wrapper script (templates/vlmr1_wrapper.py) for grpo_jsonl.py at `scriptPath`, importing the plug-in `rewardModule`. */
export function renderVlmr1Wrapper(template: string, scriptPath: string, rewardModule: string): string {
  const scriptLine = /^SCRIPT = "" {2}# filled in:.*$/m;
  const importLine = /^from georeason_reward_vlmr1 import /m;
  if (!scriptLine.test(template) || !importLine.test(template)) throw new Error(`${templateFiles.vlmr1Wrapper}: its SCRIPT or plug-in import line is missing`);
  if (!PYTHON_ID.test(rewardModule)) throw new Error(`'${rewardModule}' is not a Python module name`);
  return template.replace(scriptLine, `SCRIPT = ${pythonStringLiteral(scriptPath)}`).replace(importLine, `from ${rewardModule} import `);
}
