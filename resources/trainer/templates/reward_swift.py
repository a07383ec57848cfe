"""Template: the tail of the ms-swift reward plug-in (target "swift").

The exporter puts the lines below the prelude's end marker after georeason_reward.py,
the spec and reward_batch.py. Each block between "for each component" markers is
written once per component of the spec, with COMPONENT replaced by the component's
name. The prelude only lets py_compile and pyflakes check this file on its own.
"""

# ---- checker prelude (left out of the plug-in) ----
from typing import List

from reward_batch import _component_values, score_batch
# ---- end of checker prelude ----
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
        "swift rlhf --external_plugins georeason_reward_swift.py, or use georeason_reward_trl.py outside ms-swift."
    )


ORM, orms = _swift_registry()
# ---- for each component: COMPONENT is its name ----


def georeason_COMPONENT(completions, **kwargs):
    """The 'COMPONENT' component alone (its raw value, not weighted)."""
    return _component_values("COMPONENT", completions, kwargs)
# ---- end for each component ----


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
# ---- for each component: COMPONENT is its name ----
orms["georeason_COMPONENT"] = _component_orm("COMPONENT", georeason_COMPONENT)
# ---- end for each component ----
