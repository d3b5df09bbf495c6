"""Counting the round trips this thread makes to Redis, on redis-py's own connections.

Every command (or pipeline, or MGET) redis-py sends goes out through one
``AbstractConnection.send_packed_command`` call and waits for its answer: one call is one round
trip. The count wraps that method for the duration of the block and calls the real one, so
Redis itself answers as always; only calls made on the counting thread are recorded (other
threads, such as the outbox's relay, talk to Redis on their own schedule). Used by the tests of
the student pages and by the bench's seed (bench/run.py).
"""

import threading
from contextlib import contextmanager

from redis.connection import AbstractConnection


def _command_name(command):
    """The command's name and first argument from its packed bytes, for failure messages."""
    first = command[0] if isinstance(command, list | tuple) else command
    if isinstance(first, str):
        first = first.encode()
    # RESP: *<n>\r\n$<len>\r\n<NAME>\r\n$<len>\r\n<first argument>\r\n...: "NAME first-argument"
    parts = bytes(first).split(b"\r\n")
    words = [part.decode(errors="replace") for part in parts[2:5:2]]
    return " ".join(words) or "?"


@contextmanager
def counting_redis_round_trips():
    """Yields a list that receives each command sent to Redis from this thread (its name and first
    argument: ``"GET ringlet:1:portal:content-version"``)."""
    sent = []
    thread = threading.get_ident()
    original = AbstractConnection.send_packed_command

    def send_packed_command(self, command, check_health=True):
        if threading.get_ident() == thread:
            sent.append(_command_name(command))
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = send_packed_command
    try:
        yield sent
    finally:
        AbstractConnection.send_packed_command = original
