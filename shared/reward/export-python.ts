/**
 * Exports a reward spec for the field's trainers: the spec as JSON, and a
 * self-contained Python file that computes the same numbers as the TypeScript scorer,
 * as a VLM-R1 registered reward, a TRL reward function, an ms-swift ORM, or a plain
 * module. The scorer inside is resources/trainer/georeason_reward.py verbatim (through
 * the generated ./python-scorer-source.ts), so the built-in trainer and every exported
 * plug-in run one Python scorer, and test/unit/reward-export.test.ts runs them against
 * the TypeScript on the shared vectors.
 */
import { PYTHON_SCORER_SOURCE } from './python-scorer-source.js';
import { componentName, parseRewardSpec, type RewardSpec, type RewardSpecInput } from './spec.js';

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

/**
 * Shared by the trainer targets: the completion text from a plain or conversational
 * completion, the truth from the dataset columns the trainer passes as keyword lists,
 * and a cache so per-component functions do not parse each completion again.
 */
const BATCH_HELPERS = `
# ---- batch helpers (generated) -------------------------------------------------------
import functools as _functools


def _message_text(content):
    """A message's text: a string, or the text parts of a multimodal content list."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        parts = []
        for p in content:
            if isinstance(p, Mapping):
                if p.get("type", "text") == "text" and isinstance(p.get("text"), str):
                    parts.append(p["text"])
            elif isinstance(p, str):
                parts.append(p)
        return "".join(parts)
    return str(content)


def completion_text(completion):
    """Plain text, a message dict, or a conversation (its last assistant message)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        return _message_text(completion.get("content"))
    if isinstance(completion, (list, tuple)):
        messages = [m for m in completion if isinstance(m, Mapping)]
        for m in reversed(messages):
            if m.get("role", "assistant") == "assistant":
                return _message_text(m.get("content"))
        return _message_text(messages[-1].get("content")) if messages else ""
    return "" if completion is None else str(completion)


def _column(kwargs, names, i):
    for name in names:
        col = kwargs.get(name)
        if col is None:
            continue
        if isinstance(col, (list, tuple)):
            v = col[i] if i < len(col) else None
        elif hasattr(col, "tolist"):  # a tensor or array column
            seq = col.tolist()
            v = seq[i] if isinstance(seq, list) and i < len(seq) else seq
        else:
            v = col  # one value for the whole batch
        if v is not None:
            return v
    return None


def _number(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _label(v):
    return v if isinstance(v, str) else None


def _solution_truth(solution):
    """(lat, lon, country, city) from a solution cell: GLOBE's "country<TAB>city" (its
    dataset layout; the names are kept as written, not stripped), Geo-R's [lat, lon],
    or a text the completion reader reads ('<answer>Country: Japan ... (43.45, 142.61)</answer>')."""
    if isinstance(solution, str) and solution.count("\\t") == 1 and "\\n" not in solution and "<answer>" not in solution:
        country, city = solution.split("\\t")
        return None, None, country, city
    if isinstance(solution, (list, tuple)) and len(solution) == 2:
        lat, lon = _number(solution[0]), _number(solution[1])
        if lat is not None and lon is not None:
            return lat, lon, None, None
    parsed = parse_completion(completion_text(solution))
    return parsed["lat"], parsed["lon"], parsed["country"], parsed["city"]


def truth_for(i, kwargs):
    """(lat, lon, country, city) of row i: the lat/lon (or latitude/longitude) and
    country/city columns; what is missing is read from the solution column."""
    lat = _number(_column(kwargs, ("lat", "latitude"), i))
    lon = _number(_column(kwargs, ("lon", "longitude"), i))
    country = _label(_column(kwargs, ("country",), i))
    city = _label(_column(kwargs, ("city",), i))
    if lat is None or lon is None or country is None or city is None:
        solution = _column(kwargs, ("solution",), i)
        if solution is not None:
            s_lat, s_lon, s_country, s_city = _solution_truth(solution)
            if lat is None or lon is None:
                lat, lon = s_lat, s_lon
            if country is None:
                country = s_country
            if city is None:
                city = s_city
    return lat, lon, country, city


@_functools.lru_cache(maxsize=8192)
def _cached_score(text, lat, lon, country, city):
    return score(SPEC, text, lat, lon, country, city)


def score_batch(completions, kwargs):
    """[(reward, components)] for a batch, with the truth from the dataset columns."""
    out = []
    for i, c in enumerate(completions):
        lat, lon, country, city = truth_for(i, kwargs)
        out.append(_cached_score(completion_text(c), lat, lon, country, city))
    return out


def _component_values(name, completions, kwargs):
    return [float(comps[name]) for _reward, comps in score_batch(completions, kwargs)]
`;

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

function targetCode(spec: RewardSpec, target: PythonTarget): string {
  const names = componentNames(spec);
  for (const n of names) if (!PYTHON_ID.test(n)) throw new Error(`component name '${n}' is not a Python identifier`);
  const compDefs = names
    .map(
      (n) => `


def georeason_${n}(completions, **kwargs):
    """The '${n}' component alone (its raw value, not weighted)."""
    return _component_values(${pythonStringLiteral(n)}, completions, kwargs)`,
    )
    .join('');
  const compList = names.map((n) => `georeason_${n}`).join(', ');
  switch (target) {
    case 'module':
      return `

def reward(text, lat=None, lon=None, country=None, city=None):
    """The spec's reward for one completion text."""
    return score(SPEC, text, lat, lon, country, city)[0]
`;
    case 'trl':
      return `${BATCH_HELPERS}

def reward_func(completions, **kwargs):
    """TRL reward function: the spec's reward for each completion."""
    return [float(r) for r, _comps in score_batch(completions, kwargs)]


# TRL logs rewards/<__name__>/mean.
reward_func.__name__ = "georeason"
${compDefs}


REWARD_FUNCS = [reward_func${names.length ? `, ${compList}` : ''}]
REWARD_WEIGHTS = [1.0${names.map(() => ', 0.0').join('')}]
`;
    case 'vlm-r1':
      return `${BATCH_HELPERS}

def georeason_reward(completions, solution=None, **kwargs):
    """VLM-R1 reward function: the spec's reward for each completion."""
    if solution is not None:
        kwargs["solution"] = solution
    return [float(r) for r, _comps in score_batch(completions, kwargs)]
${compDefs}


reward_funcs_registry = {
    "georeason": georeason_reward,
${names.map((n) => `    ${pythonStringLiteral(`georeason_${n}`)}: georeason_${n},`).join('\n')}
}
`;
    case 'swift':
      return `${BATCH_HELPERS}
import importlib as _importlib


def _swift_registry():
    """ms-swift's ORM base class and the registry --reward_funcs names resolve in:
    swift.rewards from ms-swift 4.0, swift.plugin in 3.x."""
    for name in ("swift.rewards", "swift.plugin"):
        try:
            module = _importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name in (name, "swift"):
                continue  # not this version's layout
            raise
        return module.ORM, module.orms
    raise ImportError(
        "GeoReason's ms-swift reward plug-in needs ms-swift: neither swift.rewards (ms-swift >= 4.0) "
        "nor swift.plugin (ms-swift 3.x) can be imported. Load it with "
        "swift rlhf --external_plugins ${pythonFileName(target)}, or use georeason_reward_trl.py outside ms-swift."
    )


ORM, orms = _swift_registry()
${compDefs}


class GeoReasonORM(ORM):
    """ms-swift outcome reward model: the spec's reward for each completion."""

    def __call__(self, completions, **kwargs) -> List[float]:
        return [float(r) for r, _comps in score_batch(completions, kwargs)]


def _component_orm(name, fn):
    class _ComponentORM(ORM):
        def __call__(self, completions, **kwargs) -> List[float]:
            return fn(completions, **kwargs)

    _ComponentORM.__name__ = "GeoReasonORM_" + name
    return _ComponentORM


orms["georeason"] = GeoReasonORM
${names.map((n) => `orms[${pythonStringLiteral(`georeason_${n}`)}] = _component_orm(${pythonStringLiteral(n)}, georeason_${n})`).join('\n')}
`;
  }
}

/**
 * A self-contained Python file for `target` that scores completions under `spec`
 * exactly as the workbench does. `spec` is validated first (an invalid spec throws).
 */
export function exportPython(spec: RewardSpecInput, target: PythonTarget): string {
  const s = parseRewardSpec(spec);
  return (
    header(s, target, usageText(s, target)) +
    PYTHON_SCORER_SOURCE +
    '\n\n# ---- the reward spec (generated) -------------------------------------------------------\n' +
    specBlock(s) +
    targetCode(s, target)
  );
}
