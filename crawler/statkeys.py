"""Every key fanwen writes into Scrapy's crawl stats, declared once (as Datasette declares its hooks in one
file). Writers and readers (the `crawls` row, health checks, exit status, progress) import these names,
so a key cannot be misspelt in one place and read under another name elsewhere.

Families of counters share a prefix and take one variable part (an HTTP status, a decoder, a page kind).
"""

from __future__ import annotations

PREFIX = "fanwen/"

# Run bookkeeping (CrawlLock, CrawlRecorder, StorePipeline, the spider).
CRAWL_ID = "fanwen/crawl_id"
EXIT_STATUS = "fanwen/exit_status"
WARNINGS = "fanwen/warnings"
FATAL = "fanwen/fatal"  # the run had to stop (full disk); one line
LOCK_ERROR = "fanwen/lock_error"
START_ERROR = "fanwen/start_error"

# Articles and pages.
ARTICLES = "fanwen/articles/"  # + new | updated | unchanged
ARTICLES_NEW = ARTICLES + "new"
ARTICLES_UPDATED = ARTICLES + "updated"
ARTICLES_UNCHANGED = ARTICLES + "unchanged"
REJECTED = "fanwen/rejected/"  # + page kind (list, not-found, captcha, …)
GONE_ARTICLES = "fanwen/gone/articles"
GONE_URLS = "fanwen/gone/urls"

# Retention: old list-page versions pruned when the crawl finished (pipelines/retention.py).
PRUNED_VERSIONS = "fanwen/prune/versions"
PRUNED_BYTES = "fanwen/prune/reclaimed_bytes"

# Requests refused because an active takedown matches the URL (crawler/takedowns.py).
TAKEDOWN_SKIPPED = "fanwen/takedown/skipped"

# Failures, by kind.
HTTP_ERRORS = "fanwen/http_errors/"  # + status
DOWNLOAD_ERRORS = "fanwen/download_errors/"  # + exception kind
ERRORS = "fanwen/errors/"  # + pipeline stage
ERRORS_EXTRACT = ERRORS + "extract"
DECODE = "fanwen/decode/"  # + how the page was decoded (header, meta, sniffed, lossy, …)
DECODE_LOSSY = DECODE + "lossy"
GARBAGE = "fanwen/garbage/"  # + binary | undecodable | mojibake (pages archived raw, never as articles)
REDIRECT_LOOPS = "fanwen/download_errors/redirect_loop"  # a redirect back to a URL of its own chain

# Incremental and refresh crawls.
SKIPPED_KNOWN = "fanwen/incremental/skipped_known"
SKIPPED_GONE = "fanwen/incremental/skipped_gone"
PAGINATION_STOPPED = "fanwen/incremental/pagination_stopped"
REFRESH_REQUESTED = "fanwen/refresh/requested"
NOT_MODIFIED = "fanwen/refresh/not_modified"

# Politeness (BackoffRetryMiddleware).
RETRY_WAITS = "fanwen/retry/waits"
RETRY_WAIT_MS = "fanwen/retry/wait_ms"
RETRY_AFTER = "fanwen/retry/retry_after"
RETRY_GAVE_UP_TOO_LONG = "fanwen/retry/gave_up_too_long"

# CPU time per stage, for bench/crawl_throughput.py.
CPU_MS_EXTRACT = "fanwen/cpu_ms/extract"
CPU_MS_STORE = "fanwen/cpu_ms/store"

# Worker mode (crawler/worker.py).
REDIS_SENT = "fanwen/redis/sent"  # documents sent to the writer
REDIS_RUN = "fanwen/redis/run"  # this process's WorkerRun (who sent the messages)
