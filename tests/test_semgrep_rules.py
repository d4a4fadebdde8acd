"""The project's semgrep rules fire exactly where the cases in .semgrep/cases/ say they should."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / ".semgrep" / "scr_register.yml"
CASES = ROOT / ".semgrep" / "cases"
SEMGREP = shutil.which("semgrep") or str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "semgrep")


def expected_findings():
    """{(file, line, rule)} for every `# ruleid: RULE` comment: the rule must fire on the next line."""
    expected = set()
    for path in CASES.rglob("*.py"):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, start=1):
            if match := re.search(r"#\s*ruleid:\s*([\w-]+)", line):
                expected.add((str(path.relative_to(CASES)), number + 1, match.group(1)))
    return expected


@pytest.mark.skipif(not Path(SEMGREP).exists(), reason="semgrep is installed by requirements-dev.txt")
def test_each_project_rule_fires_on_its_bad_cases_and_not_on_the_good_ones():
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [SEMGREP, "scan", "--disable-version-check", "--config", str(RULES), "--json", "--metrics=off", "."],
        cwd=CASES,
        env={**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    found = {
        (hit["path"], hit["start"]["line"], hit["check_id"].rsplit(".", 1)[-1])
        for hit in json.loads(result.stdout)["results"]
    }
    assert expected_findings()
    assert found == expected_findings()
