"""Structure: the layers of README's Layout table, enforced on every module's imports.

Every ``import`` counts, wherever it is written: at the top, inside a function, or under
``TYPE_CHECKING`` (a type-only import is still a dependency a reader must follow). A module's layer
is named by its path; what each layer may import is :data:`MAY_IMPORT`, and the third-party
packages it must never load are :data:`NEVER`. README's Layout table says the same in words.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Module name prefix -> layer; the longest prefix wins.
LAYERS: dict[str, str] = {
    "bot.domain": "domain",
    "bot.storage": "storage",
    "bot.scheduling": "scheduling",
    "bot.services": "services",
    # The one way out to Discord (outbound posts, replies), the one error answer, Discord's clock.
    "bot.adapters": "adapters",
    "bot.errors": "adapters",
    "bot.clock": "adapters",
    "bot.ui": "ui",
    # Each feature's Discord side: posts, threads, events, DMs, undone when a later step fails.
    "bot.boards": "boards",
    "cogs": "cogs",
    # The wiring: it builds everything, so it may import everything.
    "bot": "app",
    "bot.app": "app",
    "bot.config": "app",
    "bot.__main__": "app",
    "bot.sandbox": "app",
}

# What each layer may import of ours (itself included). The order is the layering, bottom up.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "domain": frozenset({"domain"}),
    "storage": frozenset({"storage", "domain"}),
    "scheduling": frozenset({"scheduling", "storage", "domain"}),
    "services": frozenset({"services", "scheduling", "storage", "domain"}),
    "adapters": frozenset({"adapters", "domain"}),
    "ui": frozenset({"ui", "adapters", "domain"}),
    "boards": frozenset({"boards", "services", "scheduling", "ui", "adapters", "domain"}),
    # Cogs are handed the bot (``bot.app``) and take what they need from what it built.
    "cogs": frozenset({"cogs", "boards", "services", "ui", "adapters", "domain", "app"}),
    # The wiring builds everything; it loads the cogs by name (extensions), never by import.
    "app": frozenset(LAYERS.values()) - {"cogs"},
}

# Third-party packages a layer must never load: Discord, the database driver, the scheduler.
NEVER: dict[str, frozenset[str]] = {
    "domain": frozenset({"discord", "aiosqlite", "asyncpg", "apscheduler"}),
    "storage": frozenset({"discord", "apscheduler"}),
    "scheduling": frozenset({"discord"}),
    "services": frozenset({"discord", "asyncpg"}),
    "adapters": frozenset({"aiosqlite", "asyncpg", "apscheduler"}),
    "ui": frozenset({"aiosqlite", "asyncpg", "apscheduler"}),
    "boards": frozenset({"aiosqlite", "asyncpg", "apscheduler"}),
    "cogs": frozenset({"aiosqlite", "asyncpg", "apscheduler"}),
    "app": frozenset(),
}


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the importing module
    imported: str  # the module (or package) it imports
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "cogs").rglob("*.py"))


def imports_of(path: Path) -> Iterator[Import]:
    """Every import in the file, wherever it is written; ``from a import b`` is ``a.b`` when ``b``
    is a module of ours, else ``a``."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield Import(module, candidate if is_our_module(candidate) else base, node.lineno)


@cache
def our_modules() -> frozenset[str]:
    return frozenset(module_name(path) for path in source_files())


def is_our_module(name: str) -> bool:
    return name in our_modules()


def is_ours(name: str) -> bool:
    top = name.split(".")[0]
    return top in ("bot", "cogs")


def layer_of(name: str) -> str:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        layer = LAYERS.get(".".join(parts[:end]))
        if layer is not None:
            return layer
    raise KeyError(f"{name} is in no layer: add it to LAYERS")


def violation(found: Import) -> str | None:
    """Why this import breaks the layering, or None."""
    layer = layer_of(found.module)
    if is_ours(found.imported):
        imported = layer_of(found.imported)
        if imported not in MAY_IMPORT[layer]:
            return f"{layer} may not import {imported}"
        return None
    top = found.imported.split(".")[0]
    if top in NEVER[layer]:
        return f"{layer} may not import {top}"
    return None


def all_imports() -> list[Import]:
    return [found for path in source_files() for found in imports_of(path)]


def violations() -> list[str]:
    found = []
    for each in all_imports():
        why = violation(each)
        if why is not None:
            found.append(f"{each.module}:{each.line} imports {each.imported}: {why}")
    return found


def package_of(name: str) -> str:
    """``bot.services.meetups`` -> ``bot.services``; a top-level module of ``bot`` is its own."""
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else parts[0]


def test_every_module_is_in_a_layer() -> None:
    for name in our_modules():
        layer_of(name)


def test_the_layers_allow_no_cycle() -> None:
    """The table itself is layered: no two layers may import each other, however indirectly."""
    seen: set[str] = set()

    def visit(layer: str, path: tuple[str, ...]) -> None:
        assert layer not in path, f"cycle: {' -> '.join((*path, layer))}"
        if layer in seen:
            return
        for below in MAY_IMPORT[layer] - {layer}:
            visit(below, (*path, layer))
        seen.add(layer)

    for layer in MAY_IMPORT:
        visit(layer, ())


def test_no_import_breaks_the_layering() -> None:
    found = violations()
    assert not found, "\n".join(found)


def test_the_imports_between_packages_make_no_cycle() -> None:
    """Between layers and between the packages inside ``bot`` (a board may use another board,
    but no two packages lean on each other, however indirectly)."""
    graph: dict[str, set[str]] = {}
    for each in all_imports():
        if not is_ours(each.imported):
            continue
        source, target = package_of(each.module), package_of(each.imported)
        if source != target:
            graph.setdefault(source, set()).add(target)
    done: set[str] = set()

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in path, f"cycle: {' -> '.join((*path, package))}"
        if package in done:
            return
        for target in graph.get(package, ()):
            visit(target, (*path, package))
        done.add(package)

    for package in list(graph):
        visit(package, ())


def test_the_scan_counts_imports_inside_functions_and_type_checking(tmp_path: Path) -> None:
    sample = ROOT / "bot" / "domain" / "_layers_sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bot.services.meetups import MeetupService\n"
        "def f():\n    import discord\n",
        encoding="utf-8",
    )
    try:
        found = [(each.imported, violation(each)) for each in imports_of(sample)]
    finally:
        sample.unlink()
    assert ("bot.services.meetups", "domain may not import services") in found
    assert ("discord", "domain may not import discord") in found


def loaded_after(code: str) -> set[str]:
    """Top-level packages loaded in a fresh interpreter after running ``code``."""
    script = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", ["bot.domain.when", "bot.domain.interests", "bot.domain.meetups"])
def test_importing_a_domain_module_loads_no_discord_no_driver_no_scheduler(module: str) -> None:
    loaded = loaded_after(f"import {module}")
    assert not loaded & {"discord", "aiosqlite", "asyncpg", "apscheduler"}


def test_importing_every_domain_module_loads_nothing_else_of_ours() -> None:
    domain = sorted(name for name in our_modules() if layer_of(name) == "domain")
    script = "\n".join(f"import {name}" for name in domain)
    script += "\nimport sys\nprint(' '.join(sorted(m for m in sys.modules if m.startswith(('bot', 'cogs')))))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    others = [name for name in result.stdout.split() if name != "bot" and layer_of(name) != "domain"]
    assert others == []
    assert "discord" not in loaded_after(script)


def test_the_entry_point_still_loads_lazily() -> None:
    loaded = loaded_after("from bot import Settings, create_bot\nassert callable(create_bot) and Settings")
    assert "discord" in loaded  # create_bot builds a discord.py bot: asking for it loads it
