"""Each feature's Discord side: what it posts, edits, threads, events and DMs, and its undo.

A board turns a use case's result (:mod:`bot.services`) into Discord I/O through
:class:`bot.adapters.outbound.Outbound`, renders with :mod:`bot.ui`, and undoes its own posts when a
later step fails. Durable Discord work (an announcement, a reminder, a notice) is a scheduled task
whose handler lives here. Boards never touch the database: they ask the services.
"""
