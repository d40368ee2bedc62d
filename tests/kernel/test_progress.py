"""Progress bars show on a terminal only: piped, a long command prints nothing extra."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = "from boh.kernel.progress import steps\nwith steps(3, 'Loading') as step:\n" + "".join(
    f"    step('part {i}')\n" for i in range(3)
)


def test_piped_output_stays_quiet() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert out.stdout == "" and out.stderr == ""


def test_a_terminal_sees_the_bar() -> None:
    # `script` gives the command a pseudo-terminal (util-linux)
    out = subprocess.run(
        ["script", "-q", "-e", "-c", f"{sys.executable} -c \"{SCRIPT}\"", "/dev/null"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "Loading" in out.stdout
