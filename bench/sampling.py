"""py-spy sampling this process, for the benches' "our own code" figures (``--sample``).

py-spy (``pip install py-spy``) reads the process's stacks from outside, so nothing is traced and
nothing is slowed: a sample's innermost frame is what was running. Our own code's share is the
samples whose innermost frame is in ``bot/`` or ``cogs/`` on the main thread (C functions our code
calls count as ours; aiosqlite's thread does not), times the process CPU of the same stretch.
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


@dataclass
class Samples:
    ours: int = 0  # innermost frame in our code, on the main thread
    total: int = 0  # every sample of every thread that was running
    under: dict[str, int] = field(default_factory=dict)  # per label: samples with such a frame anywhere

    def share(self, cpu: float) -> float:
        """Our own code's CPU seconds out of ``cpu``, the process CPU of the sampled stretch."""
        return self.ours / self.total * cpu if self.total else 0.0

    def share_under(self, label: str, cpu: float) -> float:
        return self.under.get(label, 0) / self.total * cpu if self.total else 0.0


def read_samples(raw: Iterable[str], under: Mapping[str, re.Pattern[str]] | None = None) -> Samples:
    """From py-spy's raw output (``--threads``: a stack per line, ``thread (id): name;frame;...
    count``, the innermost frame last). ``under`` counts, per label, the samples with a frame
    matching its pattern anywhere in the stack (what that work costs with all it calls)."""
    samples = Samples(under=dict.fromkeys(under or {}, 0))
    for line in raw:
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames, n = stack.split(";"), int(count)
        samples.total += n
        if ": MainThread" in frames[0] and OWN_FRAME.search(frames[-1]):
            samples.ours += n
        for label, pattern in (under or {}).items():
            if any(pattern.search(frame) for frame in frames):
                samples.under[label] += n
    return samples


def sampled_share(raw: Iterable[str]) -> tuple[int, int]:
    """(samples in our own code, all samples), as :func:`read_samples` counts them."""
    samples = read_samples(raw)
    return samples.ours, samples.total


class Sampler:
    """py-spy recording this process into ``out`` between :meth:`start` and :meth:`stop`."""

    def __init__(self, out: Path, rate: int = SAMPLE_RATE) -> None:
        self.out = out
        self.rate = rate
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> bool:
        """Attach py-spy (waits a second for it on purpose: nothing runs meanwhile, so nothing is
        missed); False without py-spy."""
        spy = shutil.which("py-spy")
        if spy is None:
            return False
        command = [spy, "record", "--pid", str(os.getpid()), "--rate", str(self.rate), "--format", "raw"]
        self._process = subprocess.Popen(
            [*command, "--threads", "--nonblocking", "-o", str(self.out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
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
