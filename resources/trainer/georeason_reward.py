"""GeoReason reward scorer: the Python twin of the workbench's TypeScript scorer.

A reward spec is JSON, shared by the TypeScript scorer and the Python trainer, so the
curve a person tunes is the curve training uses. This module reads a spec and scores
completions exactly as shared/reward/score.ts does, with the completion reader of
shared/parse/completion.ts, GLOBE's helpers of shared/reward/globe.ts and TRL's GRPO
group statistics of shared/grpo/group-stats.ts. Standard library only, Python 3.9+.

Where a preset reproduces released code (Geo-R's loc_reward and format_reward_rec,
GLOBE's globe_accuracy and format), this module runs that code's Python semantics
directly (ast.literal_eval, Python's \\s and str.strip, lengths in code points) and
the TypeScript follows Python. Everywhere else regular expressions are written to mean
what the JavaScript ones mean: JavaScript's whitespace set instead of Python's \\s,
ASCII digits instead of Python's Unicode \\d, Unicode letter classes built from
unicodedata instead of \\p{L}, \\Z instead of $ (which in Python also matches before a
final newline), and string lengths counted in UTF-16 code units where the TypeScript
compares or bounds lengths.

Source of truth: resources/trainer/georeason_reward.py. The exported reward plug-ins
embed it verbatim (electron/services/reward/python-sources.ts reads it for them).
"""

import ast
import json
import math
import os
import re
import unicodedata
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "ADVANTAGE_EPS",
    "EARTH_RADIUS_KM",
    "ZERO_STD_EPS",
    "answer_text",
    "bbox_format_ok",
    "component_name",
    "distance_reward",
    "find_coordinates",
    "globe_format_ok",
    "globe_label_score",
    "globe_name_match",
    "globe_strict_fields",
    "globe_strict_match",
    "globe_strict_score",
    "group_stats",
    "haversine_km",
    "load_spec",
    "loc_literal_km",
    "parse_completion",
    "parse_levels",
    "released_curve_reward",
    "released_haversine_km",
    "score",
    "score_components",
    "validate_spec",
]

SCORER_VERSION = 2

# ---------------------------------------------------------------------------------------
# Character classes with JavaScript's meaning
# ---------------------------------------------------------------------------------------

# JavaScript's \s (WhiteSpace + LineTerminator); Python's \s differs (\x1c-\x1f, \x85 in,
# \ufeff out). String.prototype.trim strips the same set.
_JS_WS_CHARS = (
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_WS_BODY = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_S = "[" + _WS_BODY + "]"
# [^\S\n]: whitespace other than a newline.
_S_NO_NL = "[\\t\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"


def _js_trim(s: str) -> str:
    return s.strip(_JS_WS_CHARS)


def _unicode_classes() -> Dict[str, str]:
    """Bodies of the character classes \\p{L}, \\p{Ll}, \\p{Lu} and \\p{N} (about 0.1 s)."""
    cat = unicodedata.category
    ranges: Dict[str, List[List[int]]] = {"L": [], "Ll": [], "Lu": [], "N": []}

    def add(key: str, c: int) -> None:
        r = ranges[key]
        if r and r[-1][1] == c - 1:
            r[-1][1] = c
        else:
            r.append([c, c])

    for c in range(0x110000):
        ch = chr(c)
        if not ch.isalnum():  # letters and numerics are all alphanumeric
            continue
        k = cat(ch)
        if k[0] == "L":
            add("L", c)
            if k == "Ll":
                add("Ll", c)
            elif k == "Lu":
                add("Lu", c)
        elif k[0] == "N":
            add("N", c)
    return {
        key: "".join(
            "\\U%08x" % a if a == b else "\\U%08x-\\U%08x" % (a, b) for a, b in rs
        )
        for key, rs in ranges.items()
    }


_U = _unicode_classes()
_L = "[" + _U["L"] + "]"
_LL = "[" + _U["Ll"] + "]"
_LU = "[" + _U["Lu"] + "]"
_LN_ = "[" + _U["L"] + _U["N"] + "_]"


def _ci(word: str) -> str:
    """Case-insensitive literal without re.I (which would let [NSEW] match 'e'); a
    space matches any run of whitespace, as in the TypeScript."""
    out = []
    for ch in word:
        if ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
            out.append("[" + ch.lower() + ch.upper() + "]")
        elif ch == " ":
            out.append(_S + "*")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _ci_exact(word: str) -> str:
    """As _ci, but a space is a single space (JavaScript's /…/i without the u flag folds
    ASCII letters only)."""
    return "".join(
        "[" + ch.lower() + ch.upper() + "]" if ch.isascii() and ch.isalpha() else re.escape(ch)
        for ch in word
    )


def _alt(words: Sequence[str]) -> str:
    return "|".join(_ci(w) for w in words)


def _u16len(s: str) -> int:
    """Length in UTF-16 code units, as JavaScript's String.length counts."""
    n = len(s)
    if n and max(s) > "\uffff":
        n += sum(1 for ch in s if ch > "\uffff")
    return n


def _advance_u16(text: str, i: int, n: int) -> Tuple[int, str]:
    """The index reached after n UTF-16 code units from i, and the lone high surrogate a
    JavaScript slice keeps when the n-th unit falls inside a surrogate pair."""
    chunk = text[i : i + n]
    if not chunk or max(chunk) <= "\uffff":
        return min(len(text), i + n), ""
    units = 0
    j = i
    while j < len(text):
        w = 2 if text[j] > "\uffff" else 1
        if units + w > n:
            if w == 2 and units + 1 == n:
                return j, chr(0xD800 + ((ord(text[j]) - 0x10000) >> 10))
            return j, ""
        units += w
        j += 1
    return j, ""


def _join_surrogates(s: str) -> str:
    """Pairs of surrogates written as \\u escapes make one character, as in JavaScript."""
    if not any("\ud800" <= ch <= "\udfff" for ch in s):
        return s
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


# ---------------------------------------------------------------------------------------
# Great-circle distance (shared/geo/haversine.ts)
# ---------------------------------------------------------------------------------------

EARTH_RADIUS_KM = 6371.0
_RAD = math.pi / 180


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km, R = 6371; `a` clamped to [0, 1] (antipodal rounding)."""
    d_lat = (lat2 - lat1) * _RAD
    d_lon = (lon2 - lon1) * _RAD
    s1 = math.sin(d_lat / 2)
    s2 = math.sin(d_lon / 2)
    a = s1 * s1 + math.cos(lat1 * _RAD) * math.cos(lat2 * _RAD) * s2 * s2
    if a < 0:
        a = 0.0
    elif a > 1:
        a = 1.0
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


# ---------------------------------------------------------------------------------------
# Coordinates (shared/parse/coordinates.ts)
# ---------------------------------------------------------------------------------------

_DEGREE = "[°º˚]"
_NUM = "(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)"
_COORD = (
    "(?:(?<!" + _L + ")[NSEW]" + _S + "*)?[-+\\u2212]?" + _NUM
    + "(?:" + _S + "*" + _DEGREE
    + "(?:" + _S + "*" + _NUM + _S + "*['′’](?:" + _S + "*" + _NUM + _S + "*(?:[\"″”]|''))?)?)?"
    + "(?:" + _S + "*[NSEW](?!" + _L + "))?"
)
_SEP = "(?:" + _S + "*[,;]" + _S + "*|(?<=[NSEW])" + _S + "+)"

_PAREN_RE = re.compile("\\(" + _S + "*(" + _COORD + ")" + _SEP + "(" + _COORD + ")" + _S + "*\\)")
_BRACKET_RE = re.compile("\\[" + _S + "*(" + _COORD + ")" + _SEP + "(" + _COORD + ")" + _S + "*\\]")

_COORD_LABEL = "|".join(
    [
        "(?:" + _ci("gps") + _S + "*)?" + _ci("coordinates"),
        _ci("coordinate"),
        _ci("coords"),
        _ci("lat") + "(?:" + _ci("itude") + ")?" + _S + "*[,/&]" + _S + "*(?:"
        + _ci("longitude") + "|" + _ci("long") + "|" + _ci("lng") + "|" + _ci("lon") + ")",
        _ci("location"),
        _ci("position"),
        _ci("loc"),
    ]
)
_BARE_RE = re.compile(
    "(?<!" + _LN_ + ")(?:" + _COORD_LABEL + ")[\"'*_]{0,4}(?:" + _S + "*\\([^()\\n]*\\))?[\"'*_]{0,4}"
    + _S + "*[:=：]" + _S + "*[\"'*_]{0,4}" + _S + "*(" + _COORD + ")" + _SEP + "(" + _COORD + ")(?![0-9.])"
)

_LAT_KEY = _ci("latitude") + "|" + _ci("lat")
_LON_KEY = _ci("longitude") + "|" + _ci("long") + "|" + _ci("lng") + "|" + _ci("lon")
_KEY_RE = re.compile(
    "(?<!" + _LN_ + ")[\"'*_]{0,4}(?:(" + _LAT_KEY + ")|(" + _LON_KEY + "))[\"'*_]{0,4}"
    + _S + "*[:=：]" + _S + "*[\"'*_]{0,4}" + _S + "*(" + _COORD + ")(?![0-9.])"
)

_PART_RE = re.compile(
    "(?:([NSEW])" + _S + "*)?([-+\\u2212])?(" + _NUM + ")"
    + "(?:" + _S + "*" + _DEGREE + "(?:" + _S + "*(" + _NUM + ")" + _S + "*['′’](?:"
    + _S + "*(" + _NUM + ")" + _S + "*(?:[\"″”]|''))?)?)?"
    + "(?:" + _S + "*([NSEW]))?"
)


def _parse_coordinate_value(text: str) -> Optional[Tuple[float, Optional[str]]]:
    """One written value -> (decimal degrees, hemisphere letter or None); S and W negative."""
    m = _PART_RE.fullmatch(_js_trim(text))
    if not m:
        return None
    if m.group(1) is not None and m.group(6) is not None:
        return None  # a letter on both sides
    deg = float(m.group(3))
    mins = 0.0 if m.group(4) is None else float(m.group(4))
    secs = 0.0 if m.group(5) is None else float(m.group(5))
    if mins >= 60 or secs >= 60:
        return None
    v = deg + mins / 60 + secs / 3600
    if m.group(2) in ("-", "\u2212"):
        v = -v
    hemi = m.group(1) if m.group(1) is not None else m.group(6)
    if hemi in ("S", "W"):
        v = -abs(v)
    return v, hemi


def _is_lat_hemi(h: Optional[str]) -> bool:
    return h in ("N", "S")


def _is_lon_hemi(h: Optional[str]) -> bool:
    return h in ("E", "W")


def _valid_pair(lat: float, lon: float) -> Optional[Tuple[float, float]]:
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    return lat + 0.0, lon + 0.0  # -0.0 -> 0.0


def _make_pair(a: str, b: str) -> Optional[Tuple[float, float]]:
    x = _parse_coordinate_value(a)
    y = _parse_coordinate_value(b)
    if x is None or y is None:
        return None
    if _is_lon_hemi(x[1]) and _is_lat_hemi(y[1]):
        x, y = y, x  # written lon-first with letters, e.g. (151.2° E, 33.8° S)
    if _is_lon_hemi(x[1]) or _is_lat_hemi(y[1]):
        return None
    return _valid_pair(x[0], y[0])


def find_coordinates(text: str) -> List[Dict[str, Any]]:
    """Every valid pair as {lat, lon, end, paren}, in order of where it ends."""
    out: List[Dict[str, Any]] = []
    for rx, paren in ((_PAREN_RE, True), (_BRACKET_RE, False), (_BARE_RE, False)):
        for m in rx.finditer(text):
            p = _make_pair(m.group(1), m.group(2))
            if p is not None:
                out.append({"lat": p[0], "lon": p[1], "end": m.end(), "paren": paren})
    # A latitude key and a longitude key next to each other (either order) make a pair.
    pending: Optional[Tuple[bool, Tuple[float, Optional[str]]]] = None
    for m in _KEY_RE.finditer(text):
        v = _parse_coordinate_value(m.group(3))
        is_lat = m.group(1) is not None
        if v is None:
            pending = None
            continue
        if pending is not None and pending[0] != is_lat:
            lat = v if is_lat else pending[1]
            lon = pending[1] if is_lat else v
            p = None if _is_lon_hemi(lat[1]) or _is_lat_hemi(lon[1]) else _valid_pair(lat[0], lon[0])
            if p is not None:
                out.append({"lat": p[0], "lon": p[1], "end": m.end(), "paren": False})
            pending = None
        else:
            pending = (is_lat, v)
    out.sort(key=lambda c: c["end"])  # stable, as Array.prototype.sort
    return out


# ---------------------------------------------------------------------------------------
# Reading a completion (shared/parse/completion.ts)
# ---------------------------------------------------------------------------------------

_COUNTRY = _alt(["country / region", "country or region", "country name", "country"])
_REGION = _alt(
    [
        "state / administrative region",
        "state / province",
        "state / region",
        "province / state",
        "region / state",
        "administrative region",
        "state or province",
        "state",
        "province",
        "region",
        "prefecture",
    ]
)
_CITY = _alt(["city or place", "city / place", "city / town", "city or town", "city name", "city"])
_OTHER = _alt(
    [
        "gps coordinates",
        "coordinates",
        "coordinate",
        "coords",
        "latitude",
        "longitude",
        "lat",
        "lon",
        "lng",
        "location",
    ]
)
_LABEL_RE = re.compile(
    "(?<!" + _LN_ + ")[\"'*_]{0,4}(?:(" + _COUNTRY + ")|(" + _REGION + ")|(" + _CITY + ")|(" + _OTHER + "))"
    + "[\"'*_]{0,4}(?:" + _S + "*\\([^()\\n]*\\))?[\"'*_]{0,4}" + _S_NO_NL + "*([:：=]|[-–—](?![0-9.]))"
)
_LINE_START_RE = re.compile("[" + _WS_BODY + ">#*•·\\-–—0-9.)]*")
_MAX_VALUE = 500
_NULL_WORDS = re.compile(
    "(?:"
    + "|".join(
        [_ci_exact("n") + "/?" + _ci_exact("a")]
        + [
            _ci_exact(w)
            for w in (
                "none",
                "null",
                "nil",
                "unknown",
                "not applicable",
                "not specified",
                "not available",
                "unclear",
            )
        ]
        + ["-+", "\\?+"]
    )
    + ")\\Z"
)
_CV_COORD = re.compile("[(\\[]" + _S + "*[-+\\u2212]?[0-9]")
_CV_SENTENCE = re.compile("(?<=" + _LL + "{3})\\." + _S)
_CV_PROSE = re.compile("," + _S + "+" + _LL)
_CV_LEAD = re.compile("^[" + _WS_BODY + "\"'\x60*_]+")
_CV_TRAIL = re.compile("[" + _WS_BODY + "\"'\x60*_,;:]+\\Z")
_CV_INITIAL = re.compile("(?:^|[" + _WS_BODY + ".])" + _LU + "\\.\\Z")
_HEX4 = re.compile("[0-9a-fA-F]{4}")
_VALUE_STOP = re.compile("[\\n;|}<]")
_OPEN_RE = re.compile(_ci_exact("<answer>"))
_CLOSE_RE = re.compile(_ci_exact("</answer>"))
_THINK_RE = re.compile(_ci_exact("<think>") + "([\\s\\S]*?)(?:" + _ci_exact("</think>") + "|\\Z)")


def _clean_value(raw: str) -> Optional[str]:
    v = raw
    # A coordinate pair written after the name ends it: "Biei Town (43.45, 142.61)".
    m = _CV_COORD.search(v)
    if m:
        v = v[: m.start()]
    # So does the end of a sentence ("France. My guess is…"), not "St. Louis" or "D.C. ".
    m = _CV_SENTENCE.search(v)
    if m:
        v = v[: m.start()]
    # And a comma going on in lower case is prose ("Barcelona, at approximately").
    m = _CV_PROSE.search(v)
    if m:
        v = v[: m.start()]
    v = _js_trim(v)
    while True:
        prev = v
        v = _CV_TRAIL.sub("", _CV_LEAD.sub("", v, count=1), count=1)
        # A full stop ends a sentence, but keep it after an initial ("Washington D.C.").
        if v.endswith(".") and not _CV_INITIAL.search(v):
            v = v[:-1]
        if v == prev:
            break
    if v == "" or _NULL_WORDS.match(v):
        return None
    return v


def _read_quoted(text: str, i: int) -> Optional[str]:
    """A quoted value starting at i; None when not closed on its line. The 500-character
    bound counts UTF-16 code units, as the TypeScript does."""
    open_ch = text[i]
    close = "\u201d" if open_ch == "\u201c" else open_ch
    out = []
    n = len(text)
    p = i + 1
    u = 1  # UTF-16 units from i
    while p < n and u < _MAX_VALUE:
        ch = text[p]
        if ch == close:
            return _join_surrogates("".join(out))
        if ch == "\n":
            return None
        if ch == "\\" and p + 1 < n:
            nxt = text[p + 1]
            hx = text[p + 2 : p + 6]
            if nxt == "u" and _HEX4.fullmatch(hx):
                out.append(chr(int(hx, 16)))
                p += 6
                u += 6
            else:
                out.append(" " if nxt in ("n", "t") else nxt)
                p += 2
                u += 1 + (2 if nxt > "\uffff" else 1)
            continue
        out.append(ch)
        p += 1
        u += 2 if ch > "\uffff" else 1
    return None


def _find_labels(text: str) -> List[Tuple[Optional[str], int, int]]:
    hits: List[Tuple[Optional[str], int, int]] = []
    for m in _LABEL_RE.finditer(text):
        sep = m.group(5) if m.group(5) is not None else ":"
        if sep not in (":", "：", "="):
            line_start = text.rfind("\n", 0, m.start() + 1) + 1
            if not _LINE_START_RE.fullmatch(text, line_start, m.start()):
                continue
        field = "country" if m.group(1) else "region" if m.group(2) else "city" if m.group(3) else None
        hits.append((field, m.start(), m.end()))
    return hits


def parse_levels(text: str) -> Dict[str, Optional[str]]:
    """country/region/city from labels and keys; the last non-empty value of each wins."""
    out: Dict[str, Optional[str]] = {"country": None, "region": None, "city": None}
    hits = _find_labels(text)
    n = len(text)
    for k, (field, _start, value_start) in enumerate(hits):
        if field is None:
            continue
        i = value_start
        while i < n and text[i] in (" ", "\t", "*", "_"):
            i += 1
        value: Optional[str] = None
        if i < n and text[i] in ('"', "'", "\u201c"):
            value = _read_quoted(text, i)
        if value is None:
            # Unquoted: up to the end of the line, ;, |, }, a tag, or the next label.
            limit = hits[k + 1][1] if k + 1 < len(hits) else n
            j, high = _advance_u16(text, i, _MAX_VALUE)
            window = text[i:limit] if limit <= j else text[i:j] + high
            stop = _VALUE_STOP.search(window)
            value = window[: stop.start()] if stop else window
        v = _clean_value(value)
        if v is not None:
            out[field] = v
    return out


def answer_text(text: str) -> str:
    """The last <answer>…</answer> block's content, else the whole text."""
    close = -1
    for m in _CLOSE_RE.finditer(text):
        close = m.start()
    if close < 0:
        return text
    open_at = -1
    for m in _OPEN_RE.finditer(text):
        if m.end() > close:
            break
        open_at = m.end()
    return text if open_at < 0 else text[open_at:close]


def parse_completion(text: str) -> Dict[str, Any]:
    """{reasoning, country, region, city, lat, lon, format_ok}, as parseCompletion."""
    answer = answer_text(text)
    levels = parse_levels(answer)
    coords = find_coordinates(answer)
    last = coords[-1] if coords else None
    think = _THINK_RE.search(text)
    return {
        "reasoning": _js_trim(think.group(1)) if think else None,
        "country": levels["country"],
        "region": levels["region"],
        "city": levels["city"],
        "lat": last["lat"] if last else None,
        "lon": last["lon"] if last else None,
        "format_ok": sum(1 for c in coords if c["paren"]) == 1,
    }


# ---------------------------------------------------------------------------------------
# GLOBE helpers (shared/reward/globe.ts): lenient ones for the workbench parser's names,
# strict ones as released (lingli1996/GLOBE examples/train/grpo/globe/plugin.py,
# GeoLocAccuracyV2ORM and MathFormat), in Python's own string semantics.
# ---------------------------------------------------------------------------------------

_GLOBE_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_GLOBE_COUNTRY = re.compile(r"country:\s*([^\n]+)")
_GLOBE_CITY = re.compile(r"city:\s*([^\n]+)")
_GLOBE_FORMAT = re.compile(r"^<think>.*?</think>\s*<answer>.*?</answer>(?![\s\S])", re.DOTALL | re.MULTILINE)


def globe_name_match(a: Optional[str], b: Optional[str]) -> bool:
    """Lenient: trimmed, one contains the other (case-insensitive), the shorter >= 0.7 x
    the longer (UTF-16 lengths, as the TypeScript)."""
    if a is None or b is None:
        return False
    x = _js_trim(a).lower()
    y = _js_trim(b).lower()
    if x == "" or y == "":
        return False
    if y not in x and x not in y:
        return False
    lx, ly = _u16len(x), _u16len(y)
    short, long_ = (lx, ly) if lx <= ly else (ly, lx)
    return short >= 0.7 * long_


def globe_label_score(
    country: Optional[str], city: Optional[str], truth_country: Optional[str], truth_city: Optional[str]
) -> float:
    """Lenient: 1.0 when country and city match, 0.2 when only the country does, else 0."""
    if not globe_name_match(country, truth_country):
        return 0.0
    return 1.0 if globe_name_match(city, truth_city) else 0.2


def globe_strict_fields(text: str) -> Dict[str, str]:
    """globe_accuracy's reading: the FIRST <answer> (stripped), case-sensitive
    country:/city: values, stripped and lower-cased; "" when absent."""
    m = _GLOBE_ANSWER.search(text)
    pred = m.group(1).strip() if m else ""
    c = _GLOBE_COUNTRY.search(pred)
    t = _GLOBE_CITY.search(pred)
    return {
        "country": c.group(1).strip().lower() if c else "",
        "city": t.group(1).strip().lower() if t else "",
    }


def globe_strict_match(pred: str, truth: Optional[str]) -> bool:
    """match_location as released: the truth not stripped, its length taken before
    lower-casing, the ratio by division."""
    if truth is None:
        return False
    len1 = len(pred)
    len2 = len(truth)
    pred = pred.lower()
    truth = truth.lower()
    if len1 == 0:
        return False
    return (pred in truth and len1 / len2 >= 0.7) or (truth in pred and len2 / len1 >= 0.7)


def globe_strict_score(text: str, truth_country: Optional[str], truth_city: Optional[str]) -> float:
    """globe_accuracy for one completion: 1.0 country and city, 0.2 country only, else 0."""
    f = globe_strict_fields(text)
    if not globe_strict_match(f["country"], truth_country):
        return 0.0
    return 1.0 if globe_strict_match(f["city"], truth_city) else 0.2


def globe_format_ok(text: str) -> bool:
    """GLOBE's format (external_math_format): ^<think>.*?</think>\\s*<answer>.*?</answer> at the end."""
    return _GLOBE_FORMAT.match(text) is not None


# ---------------------------------------------------------------------------------------
# Geo-R as released (aialt/geo-r src/open-r1-multimodal/src/open_r1/vlm_modules/
# qwen_module.py: loc_reward, haversine_distance, distance_to_reward, format_reward_rec)
# ---------------------------------------------------------------------------------------

_BBOX_FORMAT = re.compile(r"<think>.*?</think>\s*<answer>.*?\{.*\[\d+,\s*\d+,\s*\d+,\s*\d+\].*\}.*?</answer>", re.DOTALL)


def bbox_format_ok(text: str) -> bool:
    """VLM-R1's format_reward_rec: a think block, then an answer holding {... [x1, y1, x2, y2] ...}."""
    return _BBOX_FORMAT.search(text) is not None


def released_haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """haversine_distance as released: radians first, no clamping (a domain error raises)."""
    lat1, lon1, lat2, lon2 = map(math.radians, [lat1, lon1, lat2, lon2])
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    c = 2 * math.asin(math.sqrt(a))
    return c * 6371


def loc_literal_km(text: str, truth_lat: Optional[float], truth_lon: Optional[float]) -> float:
    """km from the completion read as a Python literal ({'LOC': [lat, lon]}) to the
    truth, as loc_reward computes it; NaN wherever the released code raises."""
    try:
        pred = ast.literal_eval(text).get("LOC", None)
        lat, lon = pred
        return released_haversine_km(lat, lon, float(truth_lat), float(truth_lon))
    except Exception:
        return math.nan


def released_curve_reward(km: Optional[float], c: Mapping[str, Any]) -> float:
    """distance_to_reward over the component's knots, written as released
    (v0 - ((d - k0) / (k1 - k0)) * (v0 - v1)); 0 for a missing distance."""
    if km is None or km != km:
        return 0.0
    knots = [float(k) for k in c["knots_km"]]
    values = [float(v) for v in c["values"]]
    v = values[-1]
    if km <= knots[0]:
        v = values[0]
    else:
        for i in range(1, len(knots)):
            if km <= knots[i]:
                v0 = values[i - 1]
                v = v0 - ((km - knots[i - 1]) / (knots[i] - knots[i - 1])) * (v0 - values[i])
                break
    r = c.get("round")
    return v if r is None else round(v, int(r))


# ---------------------------------------------------------------------------------------
# Reward specs (shared/reward/spec.ts)
# ---------------------------------------------------------------------------------------

_SPEC_KEYS = ("name", "description", "components", "combine")
_COMPONENT_KEYS = {
    "distance": ("kind", "knots_km", "values", "round", "weight"),
    "loc_dict": ("kind", "knots_km", "values", "round", "weight"),
    "format": ("kind", "style", "weight"),
    "label_match": ("kind", "strict", "weight"),
}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_finite_number(v: Any) -> bool:
    return _is_number(v) and math.isfinite(v)


def validate_spec(spec: Any) -> Dict[str, Any]:
    """Checks a spec as parseRewardSpec does and returns a normalised copy (combine
    defaulted, numbers as floats). Raises ValueError naming every bad field."""
    errors: List[str] = []
    if not isinstance(spec, Mapping):
        raise ValueError("invalid reward spec: (spec): expected an object")
    for key in spec:
        if key not in _SPEC_KEYS:
            errors.append("%s: unrecognized key" % key)
    out: Dict[str, Any] = {}
    if "name" in spec:
        if not isinstance(spec["name"], str) or spec["name"] == "":
            errors.append("name: must be a non-empty string")
        else:
            out["name"] = spec["name"]
    if "description" in spec:
        if not isinstance(spec["description"], str):
            errors.append("description: must be a string")
        else:
            out["description"] = spec["description"]
    combine = spec.get("combine", "product")
    if combine not in ("product", "weighted_sum"):
        errors.append("combine: must be 'product' or 'weighted_sum', got %r" % (combine,))
    out["combine"] = combine
    comps = spec.get("components")
    out_comps: List[Dict[str, Any]] = []
    if not isinstance(comps, (list, tuple)):
        errors.append("components: must be a list")
    elif len(comps) == 0:
        errors.append("components: needs at least one component")
    else:
        for i, c in enumerate(comps):
            out_comps.append(_validate_component(c, "components[%d]" % i, errors))
    out["components"] = out_comps
    if errors:
        raise ValueError("invalid reward spec: " + "; ".join(errors))
    return out


def _validate_component(c: Any, path: str, errors: List[str]) -> Dict[str, Any]:
    if not isinstance(c, Mapping):
        errors.append("%s: expected an object" % path)
        return {}
    kind = c.get("kind")
    if kind not in _COMPONENT_KEYS:
        errors.append(
            "%s.kind: must be 'distance', 'loc_dict', 'format' or 'label_match', got %r" % (path, kind)
        )
        return {}
    for key in c:
        if key not in _COMPONENT_KEYS[kind]:
            errors.append("%s.%s: unrecognized key for a %s component" % (path, key, kind))
    out: Dict[str, Any] = {"kind": kind}
    if "weight" in c:
        if not _is_finite_number(c["weight"]):
            errors.append("%s.weight: must be a finite number" % path)
        else:
            out["weight"] = float(c["weight"])
    if kind in ("distance", "loc_dict"):
        knots = c.get("knots_km")
        values = c.get("values")
        ok_knots = isinstance(knots, (list, tuple)) and all(_is_finite_number(k) for k in knots)
        ok_values = isinstance(values, (list, tuple)) and all(_is_finite_number(v) for v in values)
        if not ok_knots:
            errors.append("%s.knots_km: must be a list of finite numbers" % path)
        elif len(knots) < 2:
            errors.append("%s.knots_km: needs at least 2 knots" % path)
        else:
            if knots[0] != 0:
                errors.append("%s.knots_km[0]: the first knot must be 0" % path)
            for k in range(1, len(knots)):
                if not knots[k] > knots[k - 1]:
                    errors.append("%s.knots_km[%d]: knots must be strictly increasing" % (path, k))
                    break
        if not ok_values:
            errors.append("%s.values: must be a list of finite numbers" % path)
        elif ok_knots and len(values) != len(knots):
            errors.append(
                "%s.values: must have one value per knot (%d), got %d" % (path, len(knots), len(values))
            )
        if ok_knots:
            out["knots_km"] = [float(k) for k in knots]
        if ok_values:
            out["values"] = [float(v) for v in values]
        if "round" in c:
            r = c["round"]
            if not _is_finite_number(r) or float(r) != int(r) or not 0 <= r <= 12:
                errors.append("%s.round: must be an integer from 0 to 12" % path)
            else:
                out["round"] = int(r)
    elif kind == "format":
        if "style" in c:
            if c["style"] not in ("geo-r", "globe", "vlm-r1-bbox"):
                errors.append(
                    "%s.style: must be 'geo-r', 'globe' or 'vlm-r1-bbox', got %r" % (path, c["style"])
                )
            else:
                out["style"] = c["style"]
    else:
        if "strict" in c:
            if not isinstance(c["strict"], bool):
                errors.append("%s.strict: must be true or false" % path)
            else:
                out["strict"] = c["strict"]
    return out


def load_spec(path_or_dict: Union[str, "os.PathLike[str]", Mapping[str, Any]]) -> Dict[str, Any]:
    """A validated spec from a dict, a JSON file's path, or JSON text ('{…')."""
    if not isinstance(path_or_dict, (str, os.PathLike)):
        return validate_spec(path_or_dict)
    text = os.fspath(path_or_dict)
    if text.lstrip().startswith("{"):
        source = "spec JSON"
    else:
        source = text
        with open(text, encoding="utf-8") as f:
            text = f.read()
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ValueError("%s: invalid JSON (%s)" % (source, e)) from None
    return validate_spec(data)


def component_name(c: Mapping[str, Any], index: int, components: Sequence[Mapping[str, Any]]) -> str:
    """The component's key in `components` of a score: its kind, or kind_index when the
    spec has several of that kind."""
    same = sum(1 for o in components if o.get("kind") == c.get("kind"))
    return "%s_%d" % (c["kind"], index) if same > 1 else c["kind"]


# ---------------------------------------------------------------------------------------
# Scoring (shared/reward/score.ts)
# ---------------------------------------------------------------------------------------


def distance_reward(km: Optional[float], spec_or_component: Mapping[str, Any]) -> float:
    """Piecewise linear through the knots, the last value beyond the last knot, 0 for a
    missing distance; `round` as Python's round. Takes a distance component or a spec
    (its first distance component)."""
    c = spec_or_component
    if "components" in c:
        found = [x for x in c["components"] if x.get("kind") == "distance"]
        if not found:
            raise ValueError("distance_reward: the spec has no distance component")
        c = found[0]
    if km is None or km != km:
        return 0.0
    km = float(km)
    knots = [float(k) for k in c["knots_km"]]
    values = [float(v) for v in c["values"]]
    n = len(knots)
    if km <= knots[0]:
        v = values[0]
    elif km >= knots[n - 1]:
        v = values[n - 1]
    else:
        v = values[n - 1]
        for i in range(1, n):
            k1 = knots[i]
            if km <= k1:
                k0 = knots[i - 1]
                v0 = values[i - 1]
                v = v0 + ((values[i] - v0) * (km - k0)) / (k1 - k0)
                break
    r = c.get("round")
    return v if r is None else round(v, int(r))


def score_components(
    spec: Mapping[str, Any],
    text: str,
    km: Optional[float],
    parsed: Mapping[str, Any],
    truth_country: Optional[str] = None,
    truth_city: Optional[str] = None,
    truth_lat: Optional[float] = None,
    truth_lon: Optional[float] = None,
) -> Tuple[float, Dict[str, float]]:
    """The combination step of score(), for a completion already parsed."""
    comps = spec["components"]
    product = spec.get("combine", "product") == "product"
    reward = 1.0 if product else 0.0
    values: Dict[str, float] = {}
    for i, c in enumerate(comps):
        kind = c["kind"]
        if kind == "distance":
            v = distance_reward(km, c)
        elif kind == "loc_dict":
            v = released_curve_reward(loc_literal_km(text, truth_lat, truth_lon), c)
        elif kind == "format":
            style = c.get("style")
            if style == "globe":
                v = 1.0 if globe_format_ok(text) else 0.0
            elif style == "vlm-r1-bbox":
                v = 1.0 if bbox_format_ok(text) else 0.0
            else:
                v = 1.0 if parsed["format_ok"] else 0.0
        else:
            if c.get("strict"):
                v = globe_strict_score(text, truth_country, truth_city)
            else:
                v = globe_label_score(parsed["country"], parsed["city"], truth_country, truth_city)
        values[component_name(c, i, comps)] = v
        if product:
            reward *= v
        else:
            reward += c.get("weight", 1.0) * v
    return reward, values


def score(
    spec: Mapping[str, Any],
    text: str,
    truth_lat: Optional[float],
    truth_lon: Optional[float],
    truth_country: Optional[str] = None,
    truth_city: Optional[str] = None,
) -> Tuple[float, Dict[str, float]]:
    """(reward, {component name: value}) for one completion, as scoreCompletion. A
    missing predicted or true coordinate gives a distance of None (distance reward 0)."""
    parsed = parse_completion(text)
    km = None
    if parsed["lat"] is not None and truth_lat is not None and truth_lon is not None:
        km = haversine_km(parsed["lat"], parsed["lon"], float(truth_lat), float(truth_lon))
    return score_components(spec, text, km, parsed, truth_country, truth_city, truth_lat, truth_lon)


# ---------------------------------------------------------------------------------------
# GRPO group statistics as TRL computes and logs them (shared/grpo/group-stats.ts)
# ---------------------------------------------------------------------------------------

ADVANTAGE_EPS = 1e-4
ZERO_STD_EPS = 1e-8


def _group(rewards: Sequence[float]) -> Dict[str, Any]:
    g = len(rewards)
    # Plain left-to-right sums: Python 3.12's sum() compensates, JavaScript's loop does not.
    total = 0.0
    for r in rewards:
        total += r
    mean = total / g if g > 0 else math.nan
    ss = 0.0
    for r in rewards:
        ss += (r - mean) * (r - mean)
    std = math.sqrt(ss / (g - 1)) if g > 1 else 0.0
    return {
        "mean": mean,
        "std": std,
        "zero_std": std <= ZERO_STD_EPS,
        "advantages": [(r - mean) / (std + ADVANTAGE_EPS) for r in rewards],
    }


def group_stats(rewards_by_group: Sequence[Sequence[float]]) -> Dict[str, Any]:
    """Per group: mean, sample std (/ (G-1); 0 for G = 1), zero_std, advantages
    (r - mean)/(std + 1e-4); over all: count, mean_reward, reward_std (mean of the
    groups' std, as TRL logs it) and frac_reward_zero_std."""
    groups = [_group([float(r) for r in g]) for g in rewards_by_group]
    total = 0.0
    n = 0
    for g in rewards_by_group:
        for r in g:
            total += float(r)
            n += 1
    std_sum = 0.0
    zero = 0
    for s in groups:
        std_sum += s["std"]
        if s["zero_std"]:
            zero += 1
    count = len(groups)
    return {
        "groups": groups,
        "count": count,
        "mean_reward": total / n if n > 0 else math.nan,
        "reward_std": std_sum / count if count > 0 else math.nan,
        "frac_reward_zero_std": zero / count if count > 0 else math.nan,
    }
