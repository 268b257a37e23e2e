"""/block and /unblock, and the one question every feature asks: are these two kept apart?

A block is made by one member and works both ways (see :mod:`bot.domain.safety`). Features ask
here, never the table: pairing (:meth:`BlockService.pairs`, a hard rule of every round), /match
and /ask (:meth:`BlockService.hidden_from`, both directions), recording a meeting and introducing
two members (:meth:`BlockService.between`), /profile. Nothing here tells the member blocked.
"""

from __future__ import annotations

import logging

from bot.domain.errors import UserError
from bot.domain.safety import MAX_BLOCKS, UNBLOCK_EXAMPLE, Block, Blocked, check_block
from bot.storage.safety import BlockRepository

log = logging.getLogger(__name__)


class BlockService:
    def __init__(self, repo: BlockRepository) -> None:
        self.repo = repo

    async def block(
        self, guild_id: int, member_id: int, other_id: int, now: int, *, other_is_bot: bool = False
    ) -> Blocked:
        check_block(member_id, other_id, other_is_bot=other_is_bot)
        count = await self.repo.count(guild_id, member_id)
        if count >= MAX_BLOCKS and not await self.repo.made(guild_id, member_id, other_id):
            raise UserError(
                f"You've blocked {MAX_BLOCKS} members in this server, the most one member can. "
                "Unblock someone first, or ask a moderator for help with /report.",
                UNBLOCK_EXAMPLE,
            )
        changed = await self.repo.add(guild_id, member_id, other_id, now)
        if changed:
            log.info("guild %s: a member blocked another (%d blocks now)", guild_id, count + 1)
        return Blocked(changed=changed, count=count + int(changed))

    async def unblock(
        self, guild_id: int, member_id: int, other_id: int, *, other_is_bot: bool = False
    ) -> bool:
        """False when the member had not blocked them (nothing changes)."""
        check_block(member_id, other_id, other_is_bot=other_is_bot, example=UNBLOCK_EXAMPLE)
        return await self.repo.remove(guild_id, member_id, other_id)

    async def blocked_by(self, guild_id: int, member_id: int) -> list[Block]:
        """The member's own blocks, newest first (never who blocked them)."""
        return await self.repo.made_by(guild_id, member_id)

    async def has_blocked(self, guild_id: int, member_id: int, other_id: int) -> bool:
        """Whether ``member_id`` blocked ``other_id`` (one direction: what the member knows)."""
        return await self.repo.made(guild_id, member_id, other_id)

    async def hidden_from(self, guild_id: int, member_id: int) -> set[int]:
        """Everyone kept apart from the member: those they blocked and those who blocked them."""
        return await self.repo.either_way(guild_id, member_id)

    async def between(self, guild_id: int, a: int, b: int) -> bool:
        """Whether either of the two blocked the other."""
        return await self.repo.between(guild_id, a, b)

    async def pairs(self, guild_id: int) -> set[tuple[int, int]]:
        """Every pair kept apart in the server (smaller id first), for pairing rounds."""
        return await self.repo.pairs(guild_id)
