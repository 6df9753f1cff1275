"""The tuner knows nothing of what is solved: importing it loads no solvers, problems or cli."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tuner"
FORBIDDEN = {"solvers", "problems", "cli"}


def test_no_module_of_the_tuner_imports_upward():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            assert not {name.split(".")[0] for name in names} & FORBIDDEN, (path, names)


def test_importing_tuner_loads_none_of_them():
    code = ("import sys, tuner; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'solvers', 'problems', 'cli'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"
