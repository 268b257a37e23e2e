"""Discord I/O at the edge: the one way messages, threads, events and DMs go out."""
