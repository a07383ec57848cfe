# GeoReason Workbench: runs VLM-R1's grpo_jsonl.py with the reward spec registered as
# "georeason", without touching the checkout. The script's top level runs as a module
# (its "if __name__ == '__main__':" block left out), the generated reward plug-in is
# added to its reward_funcs_registry, then that block runs, as "python grpo_jsonl.py" would.
import ast
import os
import sys
import types

SCRIPT = ""  # filled in: the path of grpo_jsonl.py in the VLM-R1 checkout
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(SCRIPT))
sys.argv[0] = SCRIPT


def _is_main_test(node):
    return (
        isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Name)
        and node.left.id == "__name__"
        and len(node.comparators) == 1
        and isinstance(node.comparators[0], ast.Constant)
        and node.comparators[0].value == "__main__"
    )


with open(SCRIPT, encoding="utf-8") as f:
    tree = ast.parse(f.read(), SCRIPT)
main_blocks = [n for n in tree.body if isinstance(n, ast.If) and _is_main_test(n.test)]
tree.body = [n for n in tree.body if n not in main_blocks]
if not main_blocks:
    sys.exit("georeason: %s has no 'if __name__ == \"__main__\":' block to run" % SCRIPT)

module = types.ModuleType("grpo_jsonl")
module.__file__ = SCRIPT
sys.modules["grpo_jsonl"] = module
exec(compile(tree, SCRIPT, "exec"), module.__dict__)
registry = module.__dict__.get("reward_funcs_registry")
if not isinstance(registry, dict):
    sys.exit("georeason: %s defines no reward_funcs_registry dict; this VLM-R1 version is not supported" % SCRIPT)

from georeason_reward_vlmr1 import reward_funcs_registry as georeason_registry  # noqa: E402

registry.update(georeason_registry)
print("georeason: reward functions registered: %s" % ", ".join(sorted(georeason_registry)), flush=True)
for block in main_blocks:
    exec(compile(ast.Module(body=block.body, type_ignores=[]), SCRIPT, "exec"), module.__dict__)
