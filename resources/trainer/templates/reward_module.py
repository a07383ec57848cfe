"""Template: the tail of the plain-module reward plug-in (target "module").

The exporter puts the lines below the prelude's end marker after georeason_reward.py
and the spec; the prelude only lets py_compile and pyflakes check this file on its own.
"""

# ---- checker prelude (left out of the plug-in) ----
from georeason_reward import score

SPEC = {}  # filled in: the plug-in defines SPEC from the exported spec
# ---- end of checker prelude ----


def reward(text, lat=None, lon=None, country=None, city=None):
    """The spec's reward for one completion text."""
    return score(SPEC, text, lat, lon, country, city)[0]
