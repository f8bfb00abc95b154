"""pip-audit over the installed packages, saying how many it could audit: where no vulnerability
service answers (this project's build machines reach a package mirror only), pip-audit skips every
package and still ends "No known vulnerabilities found". Exits 1 on a known vulnerability or when
pip-audit itself fails; a package it could not audit is reported, not an error.

    python scripts/audit_dependencies.py        (make audit)
"""
import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    run = subprocess.run([str(PIP_AUDIT), "--progress-spinner", "off", "--skip-editable", "--format", "json"],
                         capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit failed (exit {run.returncode}):\n{run.stderr.strip()}", file=sys.stderr)
        return 1
    packages = report["dependencies"]
    skipped = [p for p in packages if "skip_reason" in p]
    vulnerable = [p for p in packages if p.get("vulns")]
    for package in vulnerable:
        for vuln in package["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"{package['name']} {package['version']}: {vuln['id']} (fixed in {fixed})")
    audited = len(packages) - len(skipped)
    print(f"pip-audit: {audited} of {len(packages)} installed packages audited; "
          f"known vulnerabilities: {sum(len(p['vulns']) for p in vulnerable)}")
    if skipped:
        print(f"  {len(skipped)} could not be audited, e.g. {skipped[0]['skip_reason']}"
              + (": no vulnerability service answered; audit where one does" if not audited else ""))
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
