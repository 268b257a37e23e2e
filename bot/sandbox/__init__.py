"""Try Meetbridge without a token: the real bot against SimCord's simulated Discord.

``python -m bot sandbox`` serves a demo server in the browser; ``--tour`` plays the whole loop as
scripted members and prints what happened. Everything here needs the optional extra ``sandbox``
(SimCord with its preview runtime); importing this package without it raises ImportError, which
``python -m bot`` turns into the install command. Nothing outside this package imports SimCord.
"""

from __future__ import annotations

import importlib.util

# SimCord itself, then what its browser preview needs at run time (the `preview` extra).
REQUIRED_MODULES = ("simcord", "aiohttp", "markdown_it", "linkify_it", "regex", "PIL")

_missing = [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]
if _missing:
    raise ImportError(f"the sandbox needs {', '.join(_missing)} (pip install -e '.[sandbox]')")

from bot.sandbox.cli import run_sandbox  # noqa: E402
from bot.sandbox.tour import StepFailed, TourResult, run_tour  # noqa: E402

__all__ = ["StepFailed", "TourResult", "run_sandbox", "run_tour"]
