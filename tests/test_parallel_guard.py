"""A plain script without ``if __name__ == "__main__":`` runs on one process, with one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """\
from carezones.parallel import run_tasks
print(run_tasks(pow, [1, 2, 3], 2, workers=2))
"""


def _run(tmp_path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "analysis.py"
    path.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def test_an_unguarded_script_runs_here_and_says_how_to_use_every_core(tmp_path):
    done = _run(tmp_path, SCRIPT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[2, 4, 8]"
    lines = done.stderr.strip().splitlines()
    assert len(lines) <= 2, done.stderr  # the warning and the line it points at
    assert "analysis.py:2: RuntimeWarning: analysis.py, line 2: running on one process" in lines[0]
    assert 'if __name__ == "__main__":' in lines[0]
    assert "Nanny" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "text",
    [
        'if __name__ == "__main__":\n    from carezones.parallel import unguarded_script\n'
        "    print(unguarded_script())\n",
        "def main():\n    from carezones.parallel import unguarded_script\n"
        "    return unguarded_script()\n\nif '__main__' == __name__:\n    print(main())\n",
    ],
    ids=["guard", "guard-reversed-in-a-function"],
)
def test_a_guarded_call_may_start_worker_processes(tmp_path, text):
    done = _run(tmp_path, text)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "None"


def test_an_unguarded_call_in_a_function_is_seen_too(tmp_path):
    text = (
        "from carezones.parallel import unguarded_script\n"
        "def main():\n    return unguarded_script()\n"
        "print(main())\n"
    )
    done = _run(tmp_path, text)
    assert "analysis.py, line 4: running on one process" in done.stdout
