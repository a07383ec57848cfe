"""Template: the tail of the TRL reward plug-in (target "trl").

The exporter puts the lines below the prelude's end marker after georeason_reward.py,
the spec and reward_batch.py. Each block between "for each component" markers is
written once per component of the spec, with COMPONENT replaced by the component's
name. The prelude only lets py_compile and pyflakes check this file on its own.
"""

# ---- checker prelude (left out of the plug-in) ----
from reward_batch import _component_values, score_batch
# ---- end of checker prelude ----


def reward_func(completions, **kwargs):
    """TRL reward function: the spec's reward for each completion."""
    return [float(r) for r, _comps in score_batch(completions, kwargs)]


# TRL logs rewards/<__name__>/mean.
reward_func.__name__ = "georeason"
# ---- for each component: COMPONENT is its name ----


def georeason_COMPONENT(completions, **kwargs):
    """The 'COMPONENT' component alone (its raw value, not weighted)."""
    return _component_values("COMPONENT", completions, kwargs)
# ---- end for each component ----


REWARD_FUNCS = [
    reward_func,
    # ---- for each component: COMPONENT is its name ----
    georeason_COMPONENT,
    # ---- end for each component ----
]
REWARD_WEIGHTS = [
    1.0,
    # ---- for each component: COMPONENT is its name ----
    0.0,
    # ---- end for each component ----
]
