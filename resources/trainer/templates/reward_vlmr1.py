"""Template: the tail of the VLM-R1 reward plug-in (target "vlm-r1").

The exporter puts the lines below the prelude's end marker after georeason_reward.py,
the spec and reward_batch.py. Each block between "for each component" markers is
written once per component of the spec, with COMPONENT replaced by the component's
name. The prelude only lets py_compile and pyflakes check this file on its own.
"""

# ---- checker prelude (left out of the plug-in) ----
from reward_batch import _component_values, score_batch
# ---- end of checker prelude ----


def georeason_reward(completions, solution=None, **kwargs):
    """VLM-R1 reward function: the spec's reward for each completion."""
    if solution is not None:
        kwargs["solution"] = solution
    return [float(r) for r, _comps in score_batch(completions, kwargs)]
# ---- for each component: COMPONENT is its name ----


def georeason_COMPONENT(completions, **kwargs):
    """The 'COMPONENT' component alone (its raw value, not weighted)."""
    return _component_values("COMPONENT", completions, kwargs)
# ---- end for each component ----


reward_funcs_registry = {
    "georeason": georeason_reward,
    # ---- for each component: COMPONENT is its name ----
    "georeason_COMPONENT": georeason_COMPONENT,
    # ---- end for each component ----
}
