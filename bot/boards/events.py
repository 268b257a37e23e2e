"""A meetup's native Discord scheduled event: made before its announcement (which links it), kept
in step when the meetup changes, ended when it is cancelled, deleted when the announcement that
would have linked it could not be posted (it is made again on the next try).

An event is a nicety: when Discord refuses one, the meetup goes ahead without it.
"""

from __future__ import annotations

import logging

from bot.adapters.outbound import Outbound, Undeliverable
from bot.domain.clock import from_epoch
from bot.domain.meetups import Meetup
from bot.services.meetups import MeetupService
from bot.ui import meetups as ui

log = logging.getLogger(__name__)


class ScheduledEvents:
    def __init__(self, outbound: Outbound, meetups: MeetupService) -> None:
        self.outbound = outbound
        self.meetups = meetups

    async def create(self, meetup: Meetup) -> Meetup:
        """The meetup with its new event recorded (unchanged when Discord refused one)."""
        try:
            event_id = await self.outbound.create_event(
                meetup.guild_id,
                name=meetup.title,
                start=from_epoch(meetup.starts_at),
                end=from_epoch(meetup.ends_at),
                location=meetup.place,
                description=ui.event_description(meetup),
            )
        except Undeliverable as error:
            log.info("no scheduled event for meetup %d (%s)", meetup.id, error)
            return meetup
        if event_id is None:
            return meetup
        return await self.meetups.set_event(meetup, event_id)

    async def sync(self, meetup: Meetup, *, description_only: bool = False) -> None:
        """The event shows the meetup as it is (only its text: once the announcement it links is up)."""
        if meetup.event_id is None:
            return
        try:
            if description_only:
                await self.outbound.update_event(
                    meetup.guild_id, meetup.event_id, description=ui.event_description(meetup)
                )
            else:
                await self.outbound.update_event(
                    meetup.guild_id,
                    meetup.event_id,
                    name=meetup.title,
                    description=ui.event_description(meetup),
                    start=from_epoch(meetup.starts_at),
                    end=from_epoch(meetup.ends_at),
                    location=meetup.place,
                )
        except Undeliverable as error:
            log.info("could not update the scheduled event of meetup %d (%s)", meetup.id, error)

    async def end(self, meetup: Meetup) -> None:
        """A cancelled meetup's event is cancelled (or ended, once it has begun)."""
        if meetup.event_id is None:
            return
        try:
            await self.outbound.end_event(meetup.guild_id, meetup.event_id)
        except Undeliverable as error:
            log.info("could not cancel the scheduled event of meetup %d (%s)", meetup.id, error)

    async def delete(self, meetup: Meetup) -> None:
        """Undo the event of a meetup that could not be announced (it is created again on retry)."""
        if meetup.event_id is not None:
            try:
                await self.outbound.delete_event(meetup.guild_id, meetup.event_id)
            except Undeliverable as error:
                log.info("could not delete the scheduled event of meetup %d (%s)", meetup.id, error)
        await self.meetups.set_event(meetup, None)
