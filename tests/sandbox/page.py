"""A small client for SimCord's preview page API, as the browser page uses it, and readers of
what it receives (tests only)."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import aiohttp

RAW_ID = re.compile(r"<(?:@[!&]?|#)\d+>")


def shown(payload: object, *, raw: bool = False) -> list[str]:
    """Every string the page may show, leaving out the raw text a member edits (a message's
    ``content``, a form's ``value``), which the page prefills but does not display."""
    found: list[str] = []

    def visit(value: object, key: str | None, prose: bool) -> None:
        if isinstance(value, str):
            if raw or prose or key not in ("content", "value"):
                found.append(value)
        elif isinstance(value, list):
            for item in value:
                visit(item, key, False)
        elif isinstance(value, dict):
            text = isinstance(value.get("type"), str) or key == "fields"
            for name, item in value.items():
                visit(item, name, text)

    visit(payload, None, False)
    return found


def raw_ids(payload: object) -> list[str]:
    return [found for text in shown(payload) for found in RAW_ID.findall(text)]


def mentions(payload: object) -> list[str]:
    """The labels of the mention pills in ``payload``."""
    if isinstance(payload, dict):
        own = [payload["label"]] if payload.get("type") == "mention" else []
        return own + [label for item in payload.values() for label in mentions(item)]
    if isinstance(payload, list):
        return [label for item in payload for label in mentions(item)]
    return []


def field_tokens(field: dict) -> list:
    return field.get("value_tokens", [])


def hrefs(payload: object) -> list[str]:
    if isinstance(payload, dict):
        own = [payload[key] for key in ("href", "url") if isinstance(payload.get(key), str)]
        return own + [link for item in payload.values() for link in hrefs(item)]
    if isinstance(payload, list):
        return [link for item in payload for link in hrefs(item)]
    return []


class PreviewPage:
    """One page context: what the browser gets when it opens the sandbox's address."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        parts = urlsplit(url)
        self.session = session
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.capability = parts.fragment
        self.context: str | None = None
        self.sequence = 0
        self.state: dict[str, Any] = {}

    def headers(self) -> dict[str, str]:
        headers = {"X-Simcord-Capability": self.capability}
        if self.context:
            headers["X-Simcord-Context"] = self.context
        return headers

    async def open(self, viewer_id: int | None = None) -> dict[str, Any]:
        body = {} if viewer_id is None else {"viewer_id": str(viewer_id)}
        async with self.session.post(f"{self.base}/api/pages", json=body, headers=self.headers()) as response:
            response.raise_for_status()
            self.state = await response.json()
        self.context = self.state["context"]["id"]
        self.sequence = 0
        return self.state

    async def read(self) -> dict[str, Any]:
        async with self.session.get(f"{self.base}/api/state", headers=self.headers()) as response:
            response.raise_for_status()
            self.state = await response.json()
        return self.state

    async def commands(self) -> dict[str, Any]:
        async with self.session.get(f"{self.base}/api/commands", headers=self.headers()) as response:
            response.raise_for_status()
            return await response.json()

    async def run(self, invocation: str, **options: Any) -> dict[str, Any]:
        """Run a slash command as the page's viewer; returns the action receipt."""
        entry = next(e for e in (await self.commands())["entries"] if e["invocation"] == invocation)
        await self.read()
        self.sequence += 1
        body = {
            "protocol_version": 3,
            "kind": "run_command",
            "sequence": self.sequence,
            "request_id": str(uuid.uuid4()),
            "generation": self.state["context"]["generation"],
            "bot_generation": self.state["botGeneration"],
            "published_revision": self.state["publishedRevision"],
            "command_id": entry["commandId"],
            "path": entry["path"],
            "schema_fingerprint": entry["schemaFingerprint"],
            "options": options,
        }
        async with self.session.post(
            f"{self.base}/api/action", json=body, headers=self.headers()
        ) as response:
            response.raise_for_status()
            return await response.json()

    def texts(self) -> str:
        """Every message's text and embed titles in the page's window (for assertions)."""
        return repr(self.state.get("messages", {}))
