"""``python -m bot sandbox`` around the sandbox: the install hint, the plain bot without SimCord."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import simcord

from bot.__main__ import main
from bot.sandbox.cli import Refused, database_in_use

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


def test_a_database_in_use_is_refused_to_a_second_sandbox_until_the_first_lets_go(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    with database_in_use(None, "sandbox.db") as database:
        database.write_bytes(b"the first sandbox's data")
        with (
            pytest.raises(Refused, match=r"another sandbox is running on data/sandbox/sandbox\.db"),
            database_in_use(None, "sandbox.db"),
        ):
            pass
        assert database.read_bytes() == b"the first sandbox's data"

    with database_in_use(None, "sandbox.db") as again:  # let go: the next run starts afresh
        assert not again.exists()


def test_a_second_sandbox_on_a_running_ones_database_exits_cleanly_and_deletes_nothing(
    tmp_path: Path,
) -> None:
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout is not None
        address = first.stdout.readline().split("open ", 1)[1].split()[0]
        database = tmp_path / "data" / "sandbox" / "sandbox.db"
        with sqlite3.connect(database) as db:
            meetups = db.execute("SELECT COUNT(*) FROM meetups").fetchone()

        second = subprocess.run(
            [sys.executable, "-m", "bot", "sandbox"],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )

        assert second.returncode == 2
        assert second.stdout == ""
        assert "another sandbox is running on data/sandbox/sandbox.db" in second.stderr
        assert "Traceback" not in second.stderr
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT COUNT(*) FROM meetups").fetchone() == meetups == (1,)
        with urllib.request.urlopen(address.split("#")[0], timeout=10) as response:  # still serving
            assert response.status == 200
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=20)
        assert first.returncode == 0, err
    finally:
        first.kill()
        first.wait()


def test_a_simcord_that_moved_what_the_page_relies_on_stops_the_sandbox_with_one_line(
    tmp_path: Path,
) -> None:
    # As if a SimCord release had renamed a method the sandbox's page wraps.
    done = python(
        "import sys\n"
        "from simcord.preview import Preview\n"
        "Preview._replay_response = None\n"
        "from bot.__main__ import main\n"
        "sys.exit(main(['sandbox', '--database', 'x.db']))",
        tmp_path,
    )

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"meetbridge: the sandbox could not start: SimCord {simcord.__version__} changed what the "
        "sandbox's page relies on (bot/sandbox/preview.py): Preview._replay_response is gone"
    ]
