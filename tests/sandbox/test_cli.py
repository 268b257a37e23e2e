"""``python -m bot sandbox`` around the sandbox: the install hint, the plain bot without SimCord."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_the_sandbox_extra_it_says_which_install_command_to_run(tmp_path: Path) -> None:
    # As if SimCord, then only its preview runtime, were not installed (importing raises ImportError).
    done = python(
        "import sys\n"
        "from bot.__main__ import main\n"
        "sys.modules['simcord'] = None\n"
        "without_simcord = main(['sandbox'])\n"
        "del sys.modules['simcord']; sys.modules['markdown_it'] = None\n"
        "without_preview = main(['sandbox', '--tour'])\n"
        "print(without_simcord, without_preview)",
        tmp_path,
    )

    assert done.stdout.split() == ["2", "2"], done.stderr
    hint = "meetbridge: the sandbox needs its extra: pip install -e '.[sandbox]'"
    assert done.stderr.splitlines() == [hint, hint]
    assert not (tmp_path / "data").exists()


def test_the_bot_and_every_cog_load_without_importing_simcord(tmp_path: Path) -> None:
    done = python(
        "import importlib, sys\n"
        "import bot.__main__\n"
        "from bot import Settings, create_bot\n"
        "from bot.app import EXTENSIONS\n"
        "for name in EXTENSIONS: importlib.import_module(name)\n"
        "create_bot(Settings(database_path='x.db', geocoder='offline'))\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('simcord', 'markdown_it') or m.startswith('bot.sandbox')))",
        tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_an_existing_database_is_refused_and_left_alone(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = tmp_path / "meetbridge.db"
    database.write_bytes(b"precious")

    assert main(["sandbox", "--tour", "--database", str(database)]) == 2

    assert database.read_bytes() == b"precious"
    assert "already exists" in capsys.readouterr().err


def test_a_speed_that_would_stop_the_clock_is_refused(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["sandbox", "--speed", "0"]) == 2

    assert "--speed must be above 0" in capsys.readouterr().err
