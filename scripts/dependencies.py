"""Prints the project's run-time dependencies from pyproject.toml, one requirement a line: what the
Docker image installs (`pip install -r`), without installing the project itself. The image runs the
apps from its working folder, so installing the package too would put a second copy of every app in
site-packages, one that no process imports but that could drift from the first.

    python dependencies.py > requirements.txt
"""
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")

if __name__ == "__main__":
    print("\n".join(tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]))
