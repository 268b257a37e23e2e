"""Where the files Meetbridge ships (synonyms, gazetteer) are read from.

In a checkout they sit in ``data/`` beside the code. The Docker image keeps them outside the
``data/`` volume (a volume keeps the files it was created with, so an upgraded image would
otherwise read old ones) and points ``MEETBRIDGE_SHIPPED_DATA`` at them.
"""

from __future__ import annotations

import os
from pathlib import Path

SHIPPED_DATA = Path(os.environ.get("MEETBRIDGE_SHIPPED_DATA") or Path(__file__).resolve().parents[1] / "data")
