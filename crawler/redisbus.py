"""The Redis side of a distributed crawl: key names, the messages workers send the one writer, the reliable
queue they travel on, and the set of archived article URLs. No Scrapy here: `fanwen ingest` imports it too.

Keys (one crawl "frontier" per spider and start URLs, so two different crawls can share a Redis):

    fanwen:<frontier>:requests     scrapy-redis' shared request queue (a sorted set of pickled requests)
    fanwen:<frontier>:dupefilter   scrapy-redis' request fingerprints: every URL is fetched once per run
    fanwen:<frontier>:workers      worker id → "<redis time> <busy 0|1>", refreshed every second
    fanwen:items                   messages to the writer: documents (raw pages + extraction), run ends
    fanwen:items:processing        messages the writer has taken but not committed yet (reliable queue)
    fanwen:items:rejected          messages the writer could not read (kept, never dropped)
    fanwen:known                   archived article URLs, kept by the writer, read by workers
    fanwen:takedowns               the archive's active takedown patterns (GLOB), kept by the writer

Messages are pickled, like the requests scrapy-redis queues: Redis must only be reachable by your own
machines (README "Running on several machines").
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fanwen.errors import FanwenError, UsageError
from fanwen.pipelines.records import Document

PREFIX = "fanwen:"
ITEMS = PREFIX + "items"
PROCESSING = ITEMS + ":processing"
REJECTED = ITEMS + ":rejected"
KNOWN = PREFIX + "known"
TAKEDOWNS = PREFIX + "takedowns"
SCHEMES = ("redis://", "rediss://", "unix://")


@dataclass(frozen=True)
class WorkerRun:
    """Who sent a message: one worker process's run of one spider (becomes one `crawls` row)."""

    host: str
    pid: int
    started: str
    command: str
    site: str
    # The site config's title, which the writer records in `sites` as a local crawl does; "" for the generic
    # spider, whose title the writer reads off the stored pages when the run ends. (A message from a worker
    # older than this field unpickles with the default.)
    title: str = ""

    @property
    def worker_id(self) -> str:
        return f"{self.host}:{self.pid}:{self.started}:{self.site}"


@dataclass
class Message:
    """What travels from a worker to the writer: a `Document` (kind "doc") or the end of a run ("finish")."""

    kind: str
    run: WorkerRun
    doc: Document | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def frontier_keys(frontier: str) -> dict[str, str]:
    """The shared-queue keys of one crawl frontier."""
    base = f"{PREFIX}{frontier}:"
    return {"requests": base + "requests", "dupefilter": base + "dupefilter", "workers": base + "workers"}


def connect(url: str):  # -> redis.Redis (imported lazily: the CLI must not pay for it at start-up)
    """A client for `url`, checked with a PING; a bad URL or an unreachable server is a one-line error."""
    import redis

    if not url.startswith(SCHEMES):
        raise UsageError(f"--redis {url!r}: expected redis://HOST:PORT/DB")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=60, health_check_interval=30)
        client.ping()
    except (ValueError, redis.RedisError) as e:
        raise FanwenError(f"cannot reach Redis at {url}: {e}") from e
    return client


def encode(message: Message) -> bytes:
    return zlib.compress(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL), 3)


def decode(data: bytes) -> Message:
    """Raises ValueError for anything that is not a message (the writer sets it aside)."""
    try:
        message = pickle.loads(zlib.decompress(data))
    except Exception as e:  # zlib.error, UnpicklingError, AttributeError from an unknown class, …
        raise ValueError(f"unreadable message ({type(e).__name__}: {e})") from e
    if not isinstance(message, Message):
        raise ValueError(f"not a message: {type(message).__name__}")
    return message


def send(client, message: Message) -> None:
    """Queue a message for the writer."""
    client.lpush(ITEMS, encode(message))


def take(client, limit: int, wait: float = 0) -> list[bytes]:
    """Up to `limit` messages, oldest first, moved atomically onto the processing list. Messages a previous
    writer took but never acknowledged come first (they are still on the processing list). `wait` > 0 blocks
    that long for the first message."""
    pending = client.lrange(PROCESSING, 0, -1)
    if pending:
        return pending[::-1]
    if wait > 0:
        if client.blmove(ITEMS, PROCESSING, wait, "RIGHT", "LEFT") is None:
            return []
        limit -= 1
    with client.pipeline(transaction=False) as pipe:
        for _ in range(limit):
            pipe.lmove(ITEMS, PROCESSING, "RIGHT", "LEFT")
        pipe.execute()
    return client.lrange(PROCESSING, 0, -1)[::-1]


def acknowledge(client) -> None:
    """The taken messages are committed to the archive: forget them."""
    client.delete(PROCESSING)


def set_aside(client, data: bytes) -> None:
    """Keep an unreadable message where a person can look at it."""
    client.rpush(REJECTED, data)


def publish_known(client, urls: Iterable[str], chunk: int = 5000) -> int:
    """Add archived article URLs to the set workers consult; returns how many were given."""
    batch: list[str] = []
    count = 0
    for url in urls:
        batch.append(url)
        if len(batch) == chunk:
            client.sadd(KNOWN, *batch)
            count, batch = count + len(batch), []
    if batch:
        client.sadd(KNOWN, *batch)
        count += len(batch)
    return count


def known_urls(client) -> set[str]:
    """The archived article URLs the writer has published."""
    return {u.decode("utf-8") for u in client.smembers(KNOWN)}


def publish_takedowns(client, patterns: list[str]) -> None:
    """Replace the set of active takedown patterns workers honour (atomically: never briefly empty)."""
    with client.pipeline(transaction=True) as pipe:
        pipe.delete(TAKEDOWNS)
        if patterns:
            pipe.sadd(TAKEDOWNS, *patterns)
        pipe.execute()


def takedown_patterns(client) -> list[str]:
    return sorted(p.decode("utf-8") for p in client.smembers(TAKEDOWNS))


# Worker registry, in Lua so each step is atomic on the server and uses the server's clock (machines' clocks
# may differ). A heartbeat older than ARGV stale seconds is a dead worker and is pruned.
_PRUNE = """
local now = tonumber(redis.call('TIME')[1])
local live, busy = 0, 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local id, value = entries[i], entries[i + 1]
  local beat, flag = string.match(value, '(%d+) (%d)')
  if now - tonumber(beat) > tonumber(ARGV[2]) then
    redis.call('HDEL', KEYS[1], id)
  elseif id ~= ARGV[1] then
    live = live + 1
    if flag == '1' then busy = busy + 1 end
  end
end
"""
# A worker joins. Alone, with an empty queue: the previous run ended, so its fingerprints go and this is a
# new run. Alone with queued requests: a crashed run, resumed with its fingerprints.
JOIN = _PRUNE + """
if live == 0 and redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[3]) end
redis.call('HSET', KEYS[1], ARGV[1], now .. ' 1')
return live
"""
# A heartbeat; returns {queued requests, other live workers that are busy}.
BEAT = _PRUNE + """
redis.call('HSET', KEYS[1], ARGV[1], now .. ' ' .. ARGV[3])
return {redis.call('ZCARD', KEYS[2]), busy}
"""
# A worker leaves. The last one out of a finished run clears its fingerprints, so the next run starts fresh.
LEAVE = _PRUNE + """
redis.call('HDEL', KEYS[1], ARGV[1])
if live == 0 and redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[3], KEYS[1]) end
return live
"""
