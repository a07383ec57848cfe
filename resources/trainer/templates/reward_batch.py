"""Template: the batch helpers of the TRL, VLM-R1 and ms-swift reward plug-ins.

The workbench's exporter (electron/services/reward/python-sources.ts reads it,
shared/reward/export-python.ts renders it) puts the lines below the prelude's end marker
after georeason_reward.py and the spec, so the names the prelude imports are defined
there. The prelude only lets py_compile and pyflakes check this file on its own.
"""

# ---- checker prelude (left out of the plug-in) ----
import math
from typing import Mapping

from georeason_reward import parse_completion, score

SPEC = {}  # filled in: the plug-in defines SPEC from the exported spec
# ---- end of checker prelude ----

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
    if isinstance(solution, str) and solution.count("\t") == 1 and "\n" not in solution and "<answer>" not in solution:
        country, city = solution.split("\t")
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
