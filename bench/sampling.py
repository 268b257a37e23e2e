"""py-spy sampling this process, for the benches' "our own code" figures (``--sample``).

py-spy (``pip install py-spy``) reads the process's stacks from outside, so nothing is traced:
a sample's innermost frame is what was running. Only samples of a thread holding the GIL are
kept (``--gil``), so a thread waiting (aiosqlite's, for a statement or for the GIL) is not
counted as working. Our own code's share is the main thread's samples whose innermost Python
frame is in ``bot/`` or ``cogs/`` (C functions our code calls count as ours), times the main
thread's CPU over the same stretch (``time.thread_time()``).

With ``native=True`` the C frames are read too (py-spy then pauses the process for each sample):
a sample inside the garbage collector (``gc_collect_main``) is then counted apart, not billed to
the Python line whose allocation happened to start the pass (a pass scans the whole heap, most of
it the simulator's model of Discord).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_RATE = 1000  # samples a second
OWN_FRAME = re.compile(r"\((bot|cogs)/[^()]*\.py:\d+\)$")  # py-spy names files from the import root
PYTHON_FRAME = re.compile(r"\.py:\d+\)$")
IN_GC = "gc_collect_main"  # CPython's collector, seen in native stacks


@dataclass
class Samples:
    main: int = 0  # the main thread's samples (it held the GIL: it was running Python or C under it)
    ours: int = 0  # of them, innermost Python frame in our code (not inside a GC pass)
    gc: int = 0  # of them, inside a garbage collector pass (native stacks only)
    under: dict[str, int] = field(default_factory=dict)  # per label: samples with such a frame (not in GC)

    def share(self, cpu: float) -> float:
        """Our own code's CPU seconds, ``cpu`` being the main thread's over the sampled stretch."""
        return self.ours / self.main * cpu if self.main else 0.0

    def share_under(self, label: str, cpu: float) -> float:
        return self.under.get(label, 0) / self.main * cpu if self.main else 0.0


def read_samples(raw: Iterable[str], under: Mapping[str, re.Pattern[str]] | None = None) -> Samples:
    """From py-spy's raw output (``--threads``: a stack per line, ``thread (id): name;frame;...
    count``, the innermost frame last), the main thread's samples. ``under`` counts, per label,
    the samples with a frame matching its pattern anywhere in the stack (what that work costs with
    all it calls), outside the garbage collector's passes."""
    samples = Samples(under=dict.fromkeys(under or {}, 0))
    for line in raw:
        stack, _, count = line.rstrip().rpartition(" ")
        frames = stack.split(";")
        if not count.isdigit() or not frames[0].endswith(": MainThread"):
            continue
        n = int(count)
        samples.main += n
        if any(IN_GC in frame for frame in frames):
            samples.gc += n
            continue
        innermost = next((frame for frame in reversed(frames) if PYTHON_FRAME.search(frame)), "")
        if OWN_FRAME.search(innermost):
            samples.ours += n
        for label, pattern in (under or {}).items():
            if any(pattern.search(frame) for frame in frames):
                samples.under[label] += n
    return samples


def sampled_share(raw: Iterable[str]) -> tuple[int, int]:
    """(samples in our own code, the main thread's samples), as :func:`read_samples` counts them."""
    samples = read_samples(raw)
    return samples.ours, samples.main


class Sampler:
    """py-spy recording this process into ``out`` between :meth:`start` and :meth:`stop`."""

    def __init__(self, out: Path, rate: int = SAMPLE_RATE, *, native: bool = False) -> None:
        self.out = out
        self.rate = rate
        self.native = native
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> bool:
        """Attach py-spy (waits a second for it on purpose: nothing runs meanwhile, so nothing is
        missed); False without py-spy."""
        spy = shutil.which("py-spy")
        if spy is None:
            return False
        command = [spy, "record", "--pid", str(os.getpid()), "--rate", str(self.rate), "--format", "raw"]
        command += ["--threads", "--gil", "--native" if self.native else "--nonblocking", "-o", str(self.out)]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        return True

    def stop(self, under: Mapping[str, re.Pattern[str]] | None = None) -> Samples | None:
        """Detach (py-spy writes what it sampled and exits) and read the samples; None if none."""
        if self._process is None:
            return None
        self._process.send_signal(signal.SIGINT)
        self._process.wait()
        self._process = None
        if not self.out.exists():
            return None
        return read_samples(self.out.read_text().splitlines(), under)
