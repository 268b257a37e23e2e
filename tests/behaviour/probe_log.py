"""What the probe extension saw. A plain module: discord.py re-executes extension modules on load."""

from __future__ import annotations

FIRED: list[tuple[int, int]] = []  # (task id, epoch it ran)
FAIL_TIMES: dict[int, int] = {}  # task id -> failures still to simulate
