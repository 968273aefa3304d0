"""Scrapy settings for fanwen-archive, and every FANWEN_* default. Override with `-s NAME=VALUE`
(fanwen crawl and scrapy crawl alike) or per site in its config's [settings] table."""

BOT_NAME = "fanwen"
SPIDER_LOADER_CLASS = "fanwen.crawler.spiderloader.SiteSpiderLoader"
SPIDER_MODULES = ["fanwen.crawler.spiders"]
NEWSPIDER_MODULE = "fanwen.crawler.spiders"

# --- politeness -------------------------------------------------------------------------------
# FANWEN_CONTACT (below; fanwen crawl --contact) is appended as "; +CONTACT": only a contact the user gives.
USER_AGENT = "fanwen-archive/0.1 (research archive crawler)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False
# Scrapy starts this many tasks for every response to handle what its callback yields (100 by default); ours
# yield one document and a few dozen requests, and the idle tasks cost ~1.5 ms of the reactor's CPU per page.
CONCURRENT_ITEMS = 8
TELNETCONSOLE_ENABLED = False

# --- components --------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "fanwen.crawler.middlewares.EncodingMiddleware": 580,
    # Refuse URLs under an active takedown before anything is sent (before robots.txt, 100).
    "fanwen.crawler.takedowns.TakedownMiddleware": 50,
    # Retry with exponential backoff and Retry-After, in RetryMiddleware's place (550).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "fanwen.crawler.politeness.BackoffRetryMiddleware": 550,
}
SPIDER_MIDDLEWARES = {
    # Incremental crawls: skip archived articles, remember 404/410, stop paging through known lists,
    # re-check known articles (--refresh / FANWEN_REFRESH_DAYS).
    "fanwen.crawler.incremental.IncrementalMiddleware": 950,
}
ITEM_PIPELINES = {
    "fanwen.pipelines.item_pipelines.ExtractPipeline": 300,
    "fanwen.pipelines.item_pipelines.StorePipeline": 800,
}
EXTENSIONS = {
    "fanwen.crawler.extensions.CrawlLock": 50,  # before anything opens the database
    "fanwen.crawler.extensions.CrawlRecorder": 100,
    "fanwen.crawler.extensions.CrawlProgress": 200,
}

# --- fanwen ------------------------------------------------------------------------------------
FANWEN_DB = "data/fanwen.db"          # the SQLite archive (fanwen --db)
FANWEN_SITES_DIRS = []                # extra directories of site configs (fanwen --sites-dir)
FANWEN_COMMAND = ""                   # the command line recorded in `crawls` (set by the CLI)
FANWEN_PROGRESS = False               # progress lines on stderr (the CLI turns them on unless --quiet)
FANWEN_PROGRESS_INTERVAL = 5.0
FANWEN_DEBUG = False                  # keep tracebacks in log lines (fanwen --debug)
FANWEN_CONTACT = ""                   # an e-mail address or http(s) URL for site owners, added to the User-Agent
FANWEN_EXTRACT_WORKERS = 1            # 1: one archive worker extracts and stores; 0: the crawl process; 2+: a pool

# incremental crawls and re-checks (crawler/incremental.py; docs/scheduling.md)
FANWEN_INCREMENTAL = True             # skip article URLs already archived (as articles or article parts)
FANWEN_STOP_AFTER_KNOWN_PAGES = 2     # stop paging a list after this many of its pages held only known links (0: never)
FANWEN_GONE_RECHECK_DAYS = 30         # ask a URL that answered 404/410 again only after this many days
FANWEN_REFRESH = False                # re-check every archived article of the site (fanwen crawl --refresh)
FANWEN_REFRESH_DAYS = 0               # re-check archived articles first seen less than this many days ago

# raw page retention (pipelines/retention.py): article pages keep every distinct version
FANWEN_PRUNE_KEEP_VERSIONS = 3        # versions kept per non-article page, current included (0: no prune after crawls)

# politeness (crawler/politeness.py): waits apply to the whole host
FANWEN_BACKOFF_HTTP_CODES = [429, 503]  # answers that mean "slow down": back off exponentially
FANWEN_BACKOFF_BASE = 2.0             # seconds before the first retry; doubles for each further retry
FANWEN_RETRY_MAX_WAIT = 300.0         # never wait longer; a longer Retry-After gives the request up for this run

# health checks at the end of each run (crawler/health.py): warnings → exit status 3
FANWEN_HEALTH_MAX_ERROR_RATIO = 0.2   # failed requests (404/410 dead links not counted) per request
FANWEN_HEALTH_MAX_LOSSY_RATIO = 0.05  # pages that decoded only lossily
FANWEN_HEALTH_MAX_LEAK_RATIO = 0.02   # stored articles still holding a junk marker
FANWEN_HEALTH_MIN_PAGES = 5           # judge ratios only on runs with at least this many requests
FANWEN_HEALTH_LEAK_MARKERS = [        # text that never belongs in a cleaned essay
    "预览阅读已结束", "预览已结束", "全文预览已结束", "👉", "👈", "本文档来源自", "第一范文网是中国最大的范文网站",
]

# worker mode (crawler/worker.py; README "Running on several machines"): `fanwen crawl --redis URL`
FANWEN_REDIS_URL = ""                 # redis://HOST:PORT/DB: share the crawl, send items to `fanwen ingest`
FANWEN_REDIS_IDLE_TIMEOUT = 30.0      # a worker exits after the shared queue has been idle this many seconds
FANWEN_REDIS_HEARTBEAT = 1.0          # seconds between a worker's heartbeats (workers silent for 15 s are gone)

# `scrapy crawl` exits with the fanwen exit status (3 warnings, 4 locked), as `fanwen crawl` does.
COMMANDS_MODULE = "fanwen.crawler.commands"

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
