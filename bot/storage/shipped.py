"""The files Meetbridge ships (synonyms, gazetteer): where they are read from, and reading them.

In a checkout they sit in ``data/`` beside the code. The Docker image keeps them outside the
``data/`` volume (a volume keeps the files it was created with, so an upgraded image would
otherwise read old ones) and points ``MEETBRIDGE_SHIPPED_DATA`` at them.

The domain never opens a file: the app reads the synonym list here and hands it to
:func:`bot.domain.interests.use_synonyms`.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from bot.domain.interests import Synonyms

log = logging.getLogger(__name__)

SHIPPED_DATA = Path(os.environ.get("MEETBRIDGE_SHIPPED_DATA") or Path(__file__).resolve().parents[2] / "data")
SYNONYMS_FILE = SHIPPED_DATA / "interest_synonyms.toml"


@lru_cache(maxsize=1)
def shipped_synonyms() -> Synonyms:
    """The shipped synonym list (``data/interest_synonyms.toml``), read once per process."""
    synonyms = Synonyms.from_toml(SYNONYMS_FILE.read_text(encoding="utf-8"))
    log.debug("loaded %d interest synonyms from %s", len(synonyms.lookup), SYNONYMS_FILE)
    return synonyms
