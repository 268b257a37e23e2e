"""The one way out: every post, edit, reaction, thread, scheduled event and DM the bot makes.

Features never hold a Discord channel or message to write to; they call this class with ids and
get plain results back (:class:`Posted`), so the rules below live here and nowhere else:

- **Pings are explicit.** The client's default is no mentions at all. A post names the users it
  may ping (``ping``) and, rarely, the roles (``ping_roles``: a server's moderator role on a
  report); text members typed never pings anyone, whatever it contains (``<@id>``, ``<@&role>``,
  ``@everyone``), and replies never ping the replied-to author.
- **Payloads fit Discord's limits** (:mod:`bot.domain.limits`): members' text is clipped with an
  ellipsis rather than the request failing.
- **Few invalid requests.** Discord bans a bot's IP for 10,000 invalid (401/403/429) requests in
  10 minutes. After a 403, the same kind of request in the same channel is not tried again until
  something changes (:meth:`forgive`: a permission update; :meth:`admin_acted`: a command from an
  admin, taken as such at most once per 10 minutes) or an hour passes; the caller gets
  :class:`Undeliverable` at once, without a request. A thread has its channel's permissions, so a
  missing permission (code 50013) met in one thread holds that kind of request in every thread of
  the channel. A 429 holds that kind of request for its ``retry_after``.

- **A share of the global limit.** Discord allows a bot token 50 requests a second across all
  of its processes. Each shard process keeps to its share (``MEETBRIDGE_GLOBAL_RATE_SHARE``, by default
  50 times its fraction of the shards) with a token bucket (:class:`RateBudget`): a request beyond
  it waits its turn here instead of meeting a global 429. The shares are fixed per process rather
  than drawn from one budget in the database: no round trip per request, no process stalls when
  the database is slow, and the sum of the shares is what the operator wrote down; the price is
  that an idle process's share is not lent to a busy one. A single process has the whole limit
  and no bucket: discord.py waits out a global 429 for it.

Failures surface as :class:`Undeliverable`, which says whether trying again can help and which
permission was missing, so a durable task can retry or tell the organiser what to fix.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import discord

from bot.domain import limits
from bot.domain.outbox import Delivered

log = logging.getLogger(__name__)

FORBIDDEN_HOLD = 3600
"""After a 403, how long the same kind of request in that channel waits unless forgiven."""
ADMIN_FORGIVE_INTERVAL = 600
"""An admin's commands count as "something changed" at most this often in a server."""
MISSING_PERMISSIONS = 50013
"""Discord's code for a 403 caused by a channel or role permission (not by one thread's access)."""
DEFAULT_RETRY_AFTER = 5.0
NOTED_FOR = 24 * 3600
"""How long a refusal is shown in /config show after it happened (unless it is fixed)."""


class Action(StrEnum):
    POST = "post"
    EDIT = "edit"
    READ = "read"
    DELETE = "delete"
    REACT = "react"
    THREAD = "thread"
    THREAD_MEMBER = "thread_member"
    THREAD_POST = "thread_post"  # a post in some thread of a channel (held for all of them)
    EVENT = "event"
    DM = "dm"


# What Discord wanted when it answered 403, in the words of the server settings.
NEEDED: dict[Action, str] = {
    Action.POST: "Send Messages and Embed Links",
    Action.EDIT: "View Channel",
    Action.READ: "View Channel and Read Message History",
    Action.DELETE: "View Channel",
    Action.REACT: "Add Reactions and Read Message History",
    Action.THREAD: "Create Public Threads and Create Private Threads",
    Action.THREAD_MEMBER: "Send Messages in Threads",
    Action.THREAD_POST: "Send Messages in Threads",
    Action.EVENT: "Create Events and Manage Events",
    Action.DM: "an open DM (the member's privacy settings)",
}


class Undeliverable(Exception):
    """Discord did not take a request (or it was not made because it would not be taken)."""

    def __init__(
        self,
        action: Action,
        scope_id: int,
        *,
        status: int,
        code: int = 0,
        retry_after: float | None = None,
        requested: bool = True,
    ) -> None:
        self.action = action
        self.scope_id = scope_id  # the channel (or guild for events, user for DMs)
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.requested = requested  # False: held back by an earlier refusal, no request made
        super().__init__(f"{action.value} in {scope_id}: {status} (code {code})")

    @property
    def forbidden(self) -> bool:
        return self.status == 403

    @property
    def gone(self) -> bool:
        return self.status == 404

    @property
    def rate_limited(self) -> bool:
        return self.status == 429

    @property
    def permanent(self) -> bool:
        """Trying again will not help until somebody changes something (a permission, a channel)."""
        return self.status in (401, 403, 404)

    @property
    def missing(self) -> str:
        return NEEDED[self.action]


@dataclass(frozen=True, slots=True)
class Posted:
    """A message the bot posted: enough to link to it and to edit it later."""

    guild_id: int | None
    channel_id: int
    message_id: int

    @property
    def jump_url(self) -> str:
        return f"https://discord.com/channels/{self.guild_id or '@me'}/{self.channel_id}/{self.message_id}"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A 403 the bot met recently, for ``/config show``."""

    guild_id: int
    channel_id: int
    action: Action
    at: float

    @property
    def missing(self) -> str:
        return NEEDED[self.action]


@dataclass(slots=True)
class _Hold:
    until: float
    guild_id: int | None
    status: int
    code: int
    since: float = 0.0


def pings(user_ids: Iterable[int] = (), role_ids: Iterable[int] = ()) -> discord.AllowedMentions:
    """Mentions that may notify exactly these users and roles: no @everyone, no reply ping."""
    users = [discord.Object(user_id) for user_id in dict.fromkeys(user_ids) if user_id]
    roles = [discord.Object(role_id) for role_id in dict.fromkeys(role_ids) if role_id]
    return discord.AllowedMentions(
        everyone=False, roles=roles or False, users=users or False, replied_user=False
    )


NO_PINGS = discord.AllowedMentions.none()


def fit_embed(embed: discord.Embed | None) -> discord.Embed | None:
    if embed is None:
        return None
    data = embed.to_dict()
    if limits.embed_fits(data):
        return embed
    fitted = limits.fit_embed(dict(data))
    return embed if fitted == data else discord.Embed.from_dict(fitted)


def fit_view(view: discord.ui.View | None) -> discord.ui.View | None:
    """Clip labels and options in place (views are built fresh for each message), also of the
    buttons and selects that dynamic items (persistent, with ids in their custom id) wrap."""
    if view is None:
        return None
    for child in view.children:
        item = child.item if isinstance(child, discord.ui.DynamicItem) else child
        if isinstance(item, discord.ui.Button) and item.label:
            item.label = limits.clip(item.label, limits.BUTTON_LABEL)
        elif isinstance(item, discord.ui.Select):
            if item.placeholder:
                item.placeholder = limits.clip(item.placeholder, limits.SELECT_PLACEHOLDER)
            options = item.options[: limits.SELECT_OPTIONS]
            for option in options:
                # A label of spaces reads as none, and Discord refuses the whole menu for it.
                option.label = limits.clip(" ".join(option.label.split()), limits.SELECT_OPTION_TEXT) or "-"
                if option.description:
                    option.description = limits.clip(option.description, limits.SELECT_OPTION_TEXT)
            item.options = options
            item.max_values = min(item.max_values, max(1, len(options)))
    return view


def fit_message(
    content: str | None = None, embed: discord.Embed | None = None, view: discord.ui.View | None = None
) -> dict[str, Any]:
    """``send``/``edit`` keyword arguments within Discord's limits (only the parts given)."""
    message: dict[str, Any] = {}
    if content is not None:
        message["content"] = limits.fit_content(content)
    if embed is not None:
        message["embed"] = fit_embed(embed)
    if view is not None:
        message["view"] = fit_view(view)
    return message


Forgiven = Callable[[int], Awaitable[None]]


class RateBudget:
    """A token bucket: ``rate`` requests a second on average, a burst of at most one second's
    worth. A request beyond it reserves the next free slot and sleeps until then (first come,
    first served), so a burst is spread out instead of refused."""

    def __init__(self, rate: float, *, now: Callable[[], float]) -> None:
        if rate <= 0:
            raise ValueError("the rate must be positive")
        self.rate = rate
        self._now = now
        self._tokens = rate
        self._at = now()
        self.waited = 0.0  # seconds requests spent waiting, for benchmarks and logs

    def reserve(self) -> float:
        """Take one request's token; how long to wait before making it (0 when there is room)."""
        now = self._now()
        self._tokens = min(self.rate, self._tokens + (now - self._at) * self.rate)
        self._at = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def take(self) -> None:
        wait = self.reserve()
        if wait > 0:
            self.waited += wait
            await asyncio.sleep(wait)


class Outbound:
    def __init__(
        self, client: discord.Client, *, now: Callable[[], float], rate: float | None = None
    ) -> None:
        """``rate``: this process's share of Discord's global limit; None for a single process,
        which has the whole of it (discord.py already waits out a global 429 for it)."""
        self.client = client
        self._now = now
        self.budget = RateBudget(rate, now=now) if rate is not None else None
        self._holds: dict[tuple[int, Action], _Hold] = {}
        self._refusals: dict[tuple[int, Action], Refusal] = {}
        self._forgiven: list[Forgiven] = []
        self._admin_forgave: dict[int, float] = {}  # guild id -> when an admin's command last forgave
        # Counters for benchmarks and logs.
        self.requests = 0
        self.invalid = 0  # answered 401, 403 or 429
        self.held_back = 0  # not made because an earlier answer said it would fail

    # -- the breaker -----------------------------------------------------------------------------

    def on_forgiven(self, listener: Forgiven) -> None:
        """Called with a guild id after :meth:`forgive`: time to retry what was held back."""
        self._forgiven.append(listener)

    async def forgive(self, guild_id: int) -> bool:
        """Something changed in this server (permissions, an admin acted): try everything again."""
        held = [key for key, hold in self._holds.items() if hold.guild_id == guild_id]
        for key in held:
            del self._holds[key]
        # Refusals stay listed (/config show) until a request of that kind there succeeds.
        if not held:
            return False
        log.info("guild %s: %d held-back request kind(s) may be tried again", guild_id, len(held))
        for listener in list(self._forgiven):
            try:
                await listener(guild_id)
            except Exception:
                log.exception("a forgiven listener failed for guild %s", guild_id)
        return True

    async def admin_acted(self, guild_id: int) -> bool:
        """Someone with Manage Server used the bot: perhaps they fixed what was refused.

        Forgives like :meth:`forgive`, but at most once per :data:`ADMIN_FORGIVE_INTERVAL` in a
        server: an admin who keeps using the bot while it lacks permissions must not make it ask
        Discord again after every click. Permission updates are always forgiven at once.
        """
        last = self._admin_forgave.get(guild_id)
        if last is not None and self._now() - last < ADMIN_FORGIVE_INTERVAL:
            return False
        forgiven = await self.forgive(guild_id)
        if forgiven:
            self._admin_forgave[guild_id] = self._now()
        return forgiven

    def forgive_channel(self, channel_id: int, *, older_than: float = 60) -> bool:
        """Let requests in one channel be tried again (an organiser says it is fixed), at most once
        a minute, so that asking again and again cannot make the bot hammer Discord."""
        now = self._now()
        held = [
            key
            for key, hold in self._holds.items()
            if key[0] == channel_id and hold.status != 429 and now - hold.since >= older_than
        ]
        for key in held:
            del self._holds[key]
        return bool(held)

    def refusals(self, guild_id: int) -> list[Refusal]:
        """Permissions Discord recently said the bot lacks in this server, newest first."""
        horizon = self._now() - NOTED_FOR
        found = [r for r in self._refusals.values() if r.guild_id == guild_id and r.at >= horizon]
        return sorted(found, key=lambda refusal: -refusal.at)

    def held(self, scope_id: int, action: Action, guild_id: int | None = None) -> bool:
        return any(
            (hold := self._holds.get(key)) is not None and hold.until > self._now()
            for key in self._keys(scope_id, action, guild_id)
        )

    def _thread_parent(self, channel_id: int, guild_id: int | None) -> int | None:
        """The channel a thread belongs to (a thread has its permissions), when the cache knows it.

        With the server known this is one lookup in its threads; discord.py's ``get_channel``
        looks through every server the bot is in, which a request must not pay for."""
        if guild_id is not None:
            guild = self.client.get_guild(guild_id)
            thread = guild.get_thread(channel_id) if guild is not None else None
            return thread.parent_id if thread is not None else None
        channel = self.client.get_channel(channel_id)
        return channel.parent_id if isinstance(channel, discord.Thread) else None

    def _keys(self, scope_id: int, action: Action, guild_id: int | None) -> list[tuple[int, Action]]:
        """The holds that apply: this channel's, a global 429's, and for a thread its channel's."""
        keys = [(scope_id, action), (0, action)]
        if action is Action.DM:
            return keys  # a DM's scope is a member, never a thread
        parent = self._thread_parent(scope_id, guild_id)
        if parent is not None:
            keys.append((parent, _in_threads(action)))
        return keys

    def _check(self, scope_id: int, action: Action, guild_id: int | None) -> None:
        for key in self._keys(scope_id, action, guild_id):
            hold = self._holds.get(key)
            if hold is None:
                continue
            if hold.until <= self._now():
                del self._holds[key]
                continue
            self.held_back += 1
            retry_after = hold.until - self._now() if hold.status == 429 else None
            raise Undeliverable(
                action, scope_id, status=hold.status, code=hold.code, retry_after=retry_after, requested=False
            )

    def _failed(self, error: Exception, action: Action, scope_id: int, guild_id: int | None) -> Undeliverable:
        """Record what Discord's answer means for the next request, and describe it."""
        now = self._now()
        if isinstance(error, discord.RateLimited):
            self.invalid += 1
            self._holds[(scope_id, action)] = _Hold(now + error.retry_after, guild_id, 429, 0)
            return Undeliverable(action, scope_id, status=429, retry_after=error.retry_after)
        assert isinstance(error, discord.HTTPException)
        status, code = error.status, getattr(error, "code", 0)
        if status == 429:
            self.invalid += 1
            retry_after = _retry_after(error)
            is_global = _is_global(error)
            key = (0, action) if is_global else (scope_id, action)
            self._holds[key] = _Hold(now + retry_after, None if is_global else guild_id, 429, code)
            return Undeliverable(action, scope_id, status=429, code=code, retry_after=retry_after)
        if status in (401, 403):
            self.invalid += 1
            key = (scope_id, action)
            parent = self._thread_parent(scope_id, guild_id) if code == MISSING_PERMISSIONS else None
            if parent is not None:  # the channel's permission: every thread of it would be refused
                key = (parent, _in_threads(action))
            self._holds[key] = _Hold(now + FORBIDDEN_HOLD, guild_id, status, code, since=now)
            if guild_id is not None and action is not Action.DM:
                self._refusals[key] = Refusal(guild_id, *key, now)
            log.warning(
                "guild %s: %s refused in %s (%s %s); holding that back",
                guild_id,
                action,
                scope_id,
                status,
                code,
            )
        return Undeliverable(action, scope_id, status=status, code=code)

    def _succeeded(self, scope_id: int, action: Action, guild_id: int | None) -> None:
        for key in self._keys(scope_id, action, guild_id):
            self._refusals.pop(key, None)

    async def _call(
        self, action: Action, scope_id: int, guild_id: int | None, request: Callable[[], Awaitable[Any]]
    ) -> Any:
        self._check(scope_id, action, guild_id)
        if self.budget is not None:
            await self.budget.take()
        self.requests += 1
        try:
            result = await request()
        except (discord.HTTPException, discord.RateLimited) as error:
            raise self._failed(error, action, scope_id, guild_id) from error
        self._succeeded(scope_id, action, guild_id)
        return result

    # -- messages --------------------------------------------------------------------------------

    def _messageable(self, channel_id: int, guild_id: int | None) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

    async def post(
        self,
        channel_id: int,
        guild_id: int | None,
        *,
        content: str | None = None,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
        file: discord.File | None = None,
        ping: Iterable[int] = (),
        ping_roles: Iterable[int] = (),
        reply_to: int | None = None,
    ) -> Posted:
        """Post in a channel or thread; only the users in ``ping`` (and roles in ``ping_roles``)
        may be notified."""
        channel = self._messageable(channel_id, guild_id)
        message = fit_message(content, embed, view)
        if file is not None:
            message["file"] = file
        if reply_to is not None:
            message["reference"] = channel.get_partial_message(reply_to)
            message["mention_author"] = False
        sent = await self._call(
            Action.POST,
            channel_id,
            guild_id,
            lambda: channel.send(allowed_mentions=pings(ping, ping_roles), **message),
        )
        return Posted(guild_id, sent.channel.id, sent.id)

    async def edit(
        self,
        channel_id: int,
        guild_id: int | None,
        message_id: int,
        *,
        content: str | None = None,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
        clear_view: bool = False,
        ping: Iterable[int] = (),
    ) -> None:
        """Edit one of the bot's messages (only the parts given; ``clear_view`` removes buttons)."""
        message = fit_message(content, embed, view)
        if clear_view:
            message["view"] = None
        target = self._messageable(channel_id, guild_id).get_partial_message(message_id)
        await self._call(
            Action.EDIT, channel_id, guild_id, lambda: target.edit(allowed_mentions=pings(ping), **message)
        )

    async def delete(self, channel_id: int, guild_id: int | None, message_id: int) -> bool:
        """Delete a message; False when it was already gone."""
        target = self._messageable(channel_id, guild_id).get_partial_message(message_id)
        try:
            await self._call(Action.DELETE, channel_id, guild_id, target.delete)
        except Undeliverable as error:
            if error.gone:
                return False
            raise
        return True

    async def react(self, channel_id: int, guild_id: int | None, message_id: int, emoji: str) -> None:
        target = self._messageable(channel_id, guild_id).get_partial_message(message_id)
        await self._call(Action.REACT, channel_id, guild_id, lambda: target.add_reaction(emoji))

    async def fetch(self, channel_id: int, guild_id: int | None, message_id: int) -> discord.Message:
        """Read a message (a poll's reactions): not a write, but its 403s count all the same."""
        channel = self._messageable(channel_id, guild_id)
        return await self._call(Action.READ, channel_id, guild_id, lambda: channel.fetch_message(message_id))

    # -- threads ---------------------------------------------------------------------------------

    async def thread_from_message(
        self, channel_id: int, guild_id: int, message_id: int, *, name: str, archive_minutes: int
    ) -> int:
        """A public thread under one of the bot's messages; its id."""
        message = self._messageable(channel_id, guild_id).get_partial_message(message_id)
        thread = await self._call(
            Action.THREAD,
            channel_id,
            guild_id,
            lambda: message.create_thread(
                name=limits.fit_thread_name(name),
                auto_archive_duration=archive_minutes,  # type: ignore[arg-type]
            ),
        )
        return int(thread.id)

    async def private_thread(self, channel_id: int, guild_id: int, *, name: str, archive_minutes: int) -> int:
        """A private thread in a text channel that members cannot invite others to; its id."""
        guild = self.client.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None else None
        if not isinstance(channel, discord.TextChannel):
            raise Undeliverable(Action.THREAD, channel_id, status=404, requested=False)
        thread = await self._call(
            Action.THREAD,
            channel_id,
            guild_id,
            lambda: channel.create_thread(
                name=limits.fit_thread_name(name),
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=archive_minutes,  # type: ignore[arg-type]
            ),
        )
        return int(thread.id)

    async def add_to_thread(self, thread_id: int, guild_id: int, user_id: int) -> None:
        await self._call(
            Action.THREAD_MEMBER,
            thread_id,
            guild_id,
            lambda: self.client.http.add_user_to_thread(thread_id, user_id),
        )

    # -- scheduled events ------------------------------------------------------------------------

    async def create_event(
        self,
        guild_id: int,
        *,
        name: str,
        start: datetime,
        end: datetime,
        location: str,
        description: str,
    ) -> int | None:
        """A native scheduled event (external, with a location); None when the bot is not there."""
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return None
        event = await self._call(
            Action.EVENT,
            guild_id,
            guild_id,
            lambda: guild.create_scheduled_event(
                name=limits.clip(name, limits.EVENT_NAME),
                start_time=start,
                end_time=end,
                entity_type=discord.EntityType.external,
                location=limits.clip(location, limits.EVENT_LOCATION),
                privacy_level=discord.PrivacyLevel.guild_only,
                description=limits.clip(description, limits.EVENT_DESCRIPTION),
            ),
        )
        return int(event.id)

    async def _event(self, guild_id: int, event_id: int) -> discord.ScheduledEvent | None:
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return None
        event = guild.get_scheduled_event(event_id)
        if event is None:
            try:
                event = await self._call(
                    Action.EVENT, guild_id, guild_id, lambda: guild.fetch_scheduled_event(event_id)
                )
            except Undeliverable as error:
                if error.gone:
                    return None
                raise
        return event

    async def update_event(
        self,
        guild_id: int,
        event_id: int,
        *,
        name: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        location: str | None = None,
        description: str | None = None,
    ) -> None:
        """Change a scheduled event that has not ended (a no-op once it is over or gone)."""
        event = await self._event(guild_id, event_id)
        if event is None or event.status not in (discord.EventStatus.scheduled, discord.EventStatus.active):
            return
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = limits.clip(name, limits.EVENT_NAME)
        if description is not None:
            changes["description"] = limits.clip(description, limits.EVENT_DESCRIPTION)
        if location is not None:
            changes["location"] = limits.clip(location, limits.EVENT_LOCATION)
        if start is not None:
            changes["start_time"] = start
        if end is not None:
            changes["end_time"] = end
        await self._call(Action.EVENT, guild_id, guild_id, lambda: event.edit(**changes))

    async def end_event(self, guild_id: int, event_id: int) -> None:
        """Cancel a scheduled event that has not started, end one that has."""
        event = await self._event(guild_id, event_id)
        if event is None:
            return
        if event.status is discord.EventStatus.scheduled:
            await self._call(Action.EVENT, guild_id, guild_id, event.cancel)
        elif event.status is discord.EventStatus.active:
            await self._call(Action.EVENT, guild_id, guild_id, event.end)

    async def delete_event(self, guild_id: int, event_id: int) -> None:
        event = await self._event(guild_id, event_id)
        if event is not None:
            await self._call(Action.EVENT, guild_id, guild_id, event.delete)

    # -- DMs (for the paced outbox only) ---------------------------------------------------------

    async def dm(
        self,
        user_id: int,
        *,
        content: str | None = None,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> Delivered:
        """One DM. Never call this from a feature: queue it in the outbox (consent, pacing, retries)."""
        message = fit_message(content, embed, view)

        async def send() -> None:
            user = self.client.get_user(user_id) or await self.client.fetch_user(user_id)
            await user.send(allowed_mentions=NO_PINGS, **message)

        try:
            await self._call(Action.DM, user_id, None, send)
        except Undeliverable as error:
            if error.forbidden:
                return Delivered.CLOSED
            if error.gone:
                return Delivered.GONE
            log.warning("DM to %s failed: %s", user_id, error)
            return Delivered.FAILED
        return Delivered.SENT


def _in_threads(action: Action) -> Action:
    """The kind of request a thread's refusal holds in every thread of its channel: posting and
    adding members both need Send Messages in Threads; the rest need what they need anywhere."""
    return Action.THREAD_POST if action in (Action.POST, Action.THREAD_MEMBER) else action


def _retry_after(error: discord.HTTPException) -> float:
    headers = getattr(error.response, "headers", None) or {}
    for value in (headers.get("Retry-After"), headers.get("retry-after")):
        try:
            if value is not None:
                return max(0.0, float(value))
        except ValueError:
            continue
    return DEFAULT_RETRY_AFTER


def _is_global(error: discord.HTTPException) -> bool:
    headers = getattr(error.response, "headers", None) or {}
    return str(headers.get("X-RateLimit-Global", "")).lower() == "true"
