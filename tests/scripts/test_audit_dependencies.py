"""scripts/audit_dependencies.py: fails on a known vulnerability, and says how many packages pip-audit
could audit (none, where no vulnerability service answers) instead of passing in silence."""
import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def run_with(report: dict | None, returncode: int = 0):
        stdout = "" if report is None else json.dumps(report)
        monkeypatch.setattr(module.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, returncode, stdout, "boom"))
        return module.main()

    return run_with


def test_a_known_vulnerability_fails_the_audit_and_is_named(audit, capsys):
    report = {"dependencies": [
        {"name": "django", "version": "5.2.1", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.2"]}]},
        {"name": "celery", "version": "5.5.0", "vulns": []},
    ], "fixes": []}
    assert audit(report, returncode=1) == 1
    out = capsys.readouterr().out
    assert "django 5.2.1: PYSEC-2025-1 (fixed in 5.2.2)" in out
    assert "2 of 2 installed packages audited; known vulnerabilities: 1" in out


def test_packages_it_could_not_audit_are_counted_not_passed_over(audit, capsys):
    reason = "Dependency not found on PyPI and could not be audited: amqp (5.4.2)"
    report = {"dependencies": [{"name": "amqp", "skip_reason": reason}, {"name": "celery", "skip_reason": reason}], "fixes": []}
    assert audit(report) == 0
    out = capsys.readouterr().out
    assert "0 of 2 installed packages audited" in out and "no vulnerability service answered" in out


def test_pip_audit_failing_fails_the_audit(audit, capsys):
    assert audit(None, returncode=2) == 1
    assert "pip-audit failed (exit 2)" in capsys.readouterr().err
