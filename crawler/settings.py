"""Scrapy settings for fanwen-archive, and every FANWEN_* default. Override with `-s NAME=VALUE`
(fanwen crawl and scrapy crawl alike) or per site in its config's [settings] table."""

BOT_NAME = "fanwen"
SPIDER_LOADER_CLASS = "crawler.spiderloader.SiteSpiderLoader"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- politeness -------------------------------------------------------------------------------
USER_AGENT = "fanwen-archive/0.1 (research archive crawler; +https://github.com/fanwen-archive/fanwen-archive)"
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
TELNETCONSOLE_ENABLED = False

# --- components --------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.EncodingMiddleware": 580,
}
ITEM_PIPELINES = {
    "pipelines.item_pipelines.ExtractPipeline": 300,
    "pipelines.item_pipelines.StorePipeline": 800,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRecorder": 100,
    "crawler.extensions.Progress": 200,
}

# --- fanwen ------------------------------------------------------------------------------------
FANWEN_DB = "data/fanwen.db"          # the SQLite archive (fanwen --db)
FANWEN_SITES_DIRS = []                # extra directories of site configs (fanwen --sites-dir)
FANWEN_COMMAND = ""                   # the command line recorded in `crawls` (set by the CLI)
FANWEN_PROGRESS = False               # progress lines on stderr (the CLI turns them on unless --quiet)
FANWEN_PROGRESS_INTERVAL = 5.0
FANWEN_DEBUG = False                  # keep tracebacks in log lines (fanwen --debug)

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
