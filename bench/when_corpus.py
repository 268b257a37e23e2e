"""Score the time reader against the corpus of typed times (tests/unit/when_corpus.py).

Run from the repository root: ``python bench/when_corpus.py`` prints, per server timezone, how
many phrase-and-moment cases are read correctly; ``--code ../other-checkout`` scores that
checkout's reader instead (the corpus is always this one), which is how the share before a change
is measured. ``--failures N`` lists up to N cases read wrongly. A few seconds.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILE = ROOT / "tests" / "unit" / "when_corpus.py"


def load_corpus() -> ModuleType:
    """The corpus module by its path, so ``--code`` can put another checkout's ``bot`` first."""
    spec = importlib.util.spec_from_file_location("when_corpus", CORPUS_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["when_corpus"] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def reader_for(corpus: ModuleType) -> tuple[object, bool]:
    """The reader of the ``bot`` package on sys.path; a reader without date orders gets none."""
    from bot.domain import durations, when
    from bot.domain.errors import UserError

    takes_order = "order" in inspect.signature(when.read_time).parameters

    def with_order(function: Callable[..., object]) -> Callable[..., object]:
        def call(text: str, now: datetime, tz: str, order: str, **extra: object) -> object:
            if takes_order:
                extra["order"] = order
            return function(text, now=now, tz=tz, **extra)

        return call

    read_time = with_order(when.read_time)
    read_closes = with_order(when.read_closes)
    return corpus.Reader(
        read_time=read_time,
        read_closes=lambda text, now, tz, order: read_closes(text, now, tz, order, latest=None),
        parse_duration=durations.parse_duration,
        refusal=UserError,
    ), takes_order


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> dict[str, tuple[int, int]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose bot package is scored")
    parser.add_argument("--failures", type=int, default=0, help="list up to this many wrong cases")
    parser.add_argument("--zone", action="append", help="only this zone (repeatable)")
    args = parser.parse_args(argv)

    if args.code.resolve() != ROOT:
        sys.path.insert(0, str(args.code.resolve()))
        for name in [name for name in sys.modules if name == "bot" or name.startswith("bot.")]:
            del sys.modules[name]
    else:
        sys.path.insert(0, str(ROOT))
    corpus = load_corpus()
    reader, takes_order = reader_for(corpus)
    import bot

    zones = tuple(args.zone) if args.zone else corpus.ZONES
    out(f"reader: {Path(bot.__file__).resolve().parent.parent} (date order setting: {takes_order})")
    out(f"corpus: {len(corpus.CORPUS)} phrases ({len({p.text for p in corpus.CORPUS})} distinct texts)")
    started = time.perf_counter()
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    wrong: list[str] = []
    for phrase, ctx in corpus.cases(zones):
        total[ctx.tz] += 1
        problem = corpus.check(phrase, ctx, reader)
        if problem is None:
            right[ctx.tz] += 1
        else:
            wrong.append(f"{ctx.tz} {ctx.label}: “{phrase.text}” ({phrase.kind}): {problem}")
    elapsed = time.perf_counter() - started
    for tz in zones:
        out(f"{tz}: {right[tz]}/{total[tz]} read correctly ({100 * right[tz] / total[tz]:.1f}%)")
    all_right, all_total = sum(right.values()), sum(total.values())
    out(f"all zones: {all_right}/{all_total} ({100 * all_right / all_total:.1f}%) in {elapsed:.1f} s")
    for line in wrong[: args.failures]:
        out(f"  {line}")
    return {tz: (right[tz], total[tz]) for tz in zones}


if __name__ == "__main__":
    main()
