"""Near-duplicate groups of articles, kept up to date as articles arrive (clean → **dedupe** → store).

Two articles are near-duplicates when most fingerprints (fanwen.pipelines.fingerprint) of the shorter
one occur in the longer one: `shared / min(|A|, |B|) >= threshold` and `shared >= min_shared`. Measuring
containment rather than resemblance makes a truncated preview, or a copy with another intro and
watermark, match its full copy. Groups are the connected components of that relation;
`articles.dup_group` holds the URL of the group's most complete member (complete before truncated, then
longest, then first seen) for every member, NULL when an article has no near-duplicate.

Finding the candidates: only one fingerprint in `probe` (fingerprint % probe == 0, so a passage's probes
are the same in every text holding it) is indexed and looked up. A probe listed for many distinct texts
is a stock 公文 phrase (同志们：… 下面我讲几点意见 … 谢谢大家！) or site boilerplate and weighs
common / texts; a doc becomes a candidate only when the probes it shares weigh at least `gate`, so
different speeches sharing formulas are never compared, and the few candidates left are confirmed on
all their fingerprints. Indexing a third of the fingerprints keeps the index and its lookups small
(bench/dedupe.py: recall is kept, precision comes from the gate).

Storage: `dedupe_docs` (one row per fingerprinted article: its fingerprints as a blob) and
`dedupe_fingerprints` (an inverted index probe → docs). Each probe keeps at most `postings_cap` docs,
the first that had it: a shingle found in more texts than that is boilerplate or a text copied
everywhere, whose first copies are already indexed, so looking up an article stays cheap however large
the archive. Articles are grouped a batch at a time (index_articles; a crawl through PendingGroups),
which reads the index once per batch. `dedupe_settings` holds the parameters the index was built with;
`fanwen dedupe --rebuild` recomputes everything with new ones. An index built before probes (every
fingerprint indexed) is a superset of what the lookups need, so it keeps working as it is.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import sqlite_utils

from fanwen.errors import UsageError
from fanwen.pipelines.fingerprint import fingerprints, pack, unpack

DOCS = "dedupe_docs"
POSTINGS = "dedupe_fingerprints"
SETTINGS = "dedupe_settings"
MAX_VARIABLES = 10_000  # bound parameters per statement (SQLite's limit is 32,766 since 3.32)
BATCH = 5_000  # articles grouped per batch by a crawl, ingest, reclean and `fanwen dedupe`
STOCK = 0.25  # a probe weighing less (listed for over 4 × common texts) makes no candidate, not even in part


@dataclass(frozen=True)
class DedupeParams:
    """How texts are fingerprinted and when two count as near-duplicates (bench/dedupe.py measures them)."""

    shingle: int = 10  # characters per shingle: long enough that 公文 stock phrases rarely fill one
    sample: int = 8  # about one shingle in `sample` is kept
    threshold: float = 0.5  # share of the shorter text's fingerprints that must occur in the other
    min_shared: int = 5  # and at least this many fingerprints in common (very short texts never match)
    postings_cap: int = 32  # docs kept per probe
    common: int = 4  # a probe listed for more texts than this weighs common / texts
    probe: int = 3  # one fingerprint in `probe` is indexed and looked up
    gate: float = 0.5  # a candidate shares probes weighing at least this
    weighted: float = 0.5  # and this share of the shorter text's probe weight

    def check(self) -> DedupeParams:
        """Return self, or raise UsageError naming the first out-of-range value."""
        if self.shingle < 2:
            raise UsageError(f"--shingle must be at least 2 characters, not {self.shingle}")
        if self.sample < 1:
            raise UsageError(f"--sample must be at least 1, not {self.sample}")
        if not 0 < self.threshold <= 1:
            raise UsageError(f"--threshold must be in (0, 1], not {self.threshold}")
        if self.min_shared < 1:
            raise UsageError(f"--min-shared must be at least 1, not {self.min_shared}")
        if self.common < 1:
            raise UsageError(f"--common must be at least 1, not {self.common}")
        if self.postings_cap < 2:
            raise UsageError(f"--postings-cap must be at least 2, not {self.postings_cap}")
        if self.probe < 1:
            raise UsageError(f"--probe must be at least 1, not {self.probe}")
        if not 0 < self.weighted <= 1:
            raise UsageError(f"--weighted must be in (0, 1], not {self.weighted}")
        if self.gate <= 0:
            raise UsageError(f"--gate must be above 0, not {self.gate}")
        return self


def ensure_dedupe_schema(conn: sqlite3.Connection) -> None:
    """Add articles.dup_group (an archive from before near-duplicates gets it too), the index tables and the
    dup_group index. Idempotent; plain SQL on a connection, so a schema migration step can run it."""
    if "dup_group" not in [row[1] for row in conn.execute("pragma table_info(articles)")]:
        conn.execute("alter table articles add column dup_group text")
    # grp mirrors articles.dup_group, so that the postings lookup counts texts without reading articles.
    conn.execute(f"create table if not exists {DOCS} (id integer primary key, url text not null unique,"
                 " prints blob not null, grp text)")
    # Keyed by (probe, doc) without a rowid: the lookup reads one contiguous range per probe.
    conn.execute(f"create table if not exists {POSTINGS} (fingerprint integer not null, doc integer not null,"
                 " primary key (fingerprint, doc)) without rowid")
    conn.execute(f"create table if not exists {SETTINGS} (key text primary key, value text not null)")
    conn.execute("create index if not exists articles_dup_group on articles (dup_group)")
    conn.execute(f"create index if not exists {DOCS}_grp on {DOCS} (grp)")


def load_params(db: sqlite_utils.Database) -> DedupeParams:
    """The parameters the archive's index was built with (the defaults for a new archive)."""
    row = db.execute(f"select value from {SETTINGS} where key = 'params'").fetchone()
    return DedupeParams(**json.loads(row[0])) if row else DedupeParams()


def save_params(db: sqlite_utils.Database, params: DedupeParams) -> None:
    db.execute(f"insert into {SETTINGS} (key, value) values ('params', ?)"
               " on conflict(key) do update set value = excluded.value", [json.dumps(asdict(params))])


def index_articles(db: sqlite_utils.Database, urls: Iterable[str], params: DedupeParams | None = None,
                   made: Mapping[str, set[int]] | None = None) -> int:
    """Fingerprint these stored articles, in this order, and update the groups they join; returns how many.

    One transaction and one index lookup for the whole batch: the postings of every probe of every
    article are read at once and kept in memory while the batch is grouped, and the batch's own
    postings are written at the end, sorted. The groups are the same as indexing the articles one by
    one in this order (tests/test_dedupe.py). An article already indexed is first taken out (its text
    changed); a URL that is no article (taken down meanwhile) is skipped. `made` maps texts to their
    fingerprints made elsewhere with these `params` (reclean's workers); a stored text not in it is
    fingerprinted here.
    """
    urls = list(dict.fromkeys(urls))
    if not urls:
        return 0
    params = params or load_params(db)
    with db.atomic():  # commits when the caller has no transaction open
        texts: dict[str, str] = {}
        for start in range(0, len(urls), MAX_VARIABLES):
            marks, values = _in_list(urls[start:start + MAX_VARIABLES])
            texts.update(db.execute(f"select url, text from articles where url in {marks}", values).fetchall())
            for doc, url, blob in db.execute(f"select id, url, prints from {DOCS} where url in {marks}", values):
                _forget(db, url, doc, unpack(blob))
        made = made or {}
        prints = {url: made.get(texts[url] or "") or fingerprints(texts[url] or "", params.shingle, params.sample)
                  for url in urls if url in texts}
        batch = _Batch(db, params)
        batch.load({fp for found in prints.values() for fp in found if fp % params.probe == 0})
        for url, found in prints.items():
            batch.add(url, found)
        batch.write()
    return len(prints)


def index_article(db: sqlite_utils.Database, url: str, params: DedupeParams | None = None) -> str | None:
    """Group one stored article now (a batch of one); returns its dup_group."""
    index_articles(db, [url], params)
    row = db.execute("select dup_group from articles where url = ?", [url]).fetchone()
    return row[0] if row else None


def forget_article(db: sqlite_utils.Database, url: str) -> None:
    """Take an article out of the index and out of its group (its text changed, or it is taken down)."""
    with db.atomic():
        row = db.execute(f"select id, prints from {DOCS} where url = ?", [url]).fetchone()
        _forget(db, url, row[0] if row else None, unpack(row[1]) if row else set())


class PendingGroups:
    """Articles stored but not grouped yet, grouped `every` at a time (the crawl's store pipeline, ingest,
    reclean): one batch looks the index up once for all its articles and writes its postings sorted, where
    grouping each article as it is stored costs a lookup and scattered writes each.

    Until then an article's dup_group is NULL (or, for a changed text, no longer set). Articles of a
    process that dies before its flush are not lost: they have no row in the index, so index_missing (the
    next crawl, ingest or `fanwen dedupe`) groups them.
    """

    def __init__(self, db: sqlite_utils.Database, every: int | None = None,
                 made_with: DedupeParams | None = None) -> None:
        self.db = db
        self.every = every or BATCH
        self.urls: list[str] = []
        # Fingerprints of pending texts made elsewhere (reclean's workers) with `made_with`, keyed by the very
        # text: used only while that is still the article's text and the index's parameters.
        self.made: dict[str, set[int]] = {}
        self.made_with = made_with

    def add(self, url: str) -> None:
        self.urls.append(url)

    def flush(self, *, force: bool = False) -> int:
        """Group the pending articles once `every` are waiting (or any with force); returns how many."""
        if not self.urls or (len(self.urls) < self.every and not force):
            return 0
        urls, self.urls = self.urls, []
        made, self.made = self.made, {}
        params = load_params(self.db)
        return index_articles(self.db, urls, params, made if params == self.made_with else None)


def index_missing(db: sqlite_utils.Database, params: DedupeParams | None = None) -> int:
    """Fingerprint every article not yet in the index (an archive from before dedupe, articles a killed
    crawl stored but did not group, a rebuild that was interrupted), BATCH at a time, each batch committed
    on its own; returns how many."""
    indexed = db.execute(f"select count(*) from {DOCS}").fetchone()[0]
    if indexed == db.execute("select count(*) from articles").fetchone()[0]:
        return 0  # every indexed doc is an article (takedowns forget theirs), so equal counts mean all indexed
    params = params or load_params(db)
    done, after = 0, 0
    while True:
        rows = db.execute(f"select rowid, url from articles a where rowid > ? and not exists"
                          f" (select 1 from {DOCS} d where d.url = a.url) order by rowid limit ?",
                          [after, BATCH]).fetchall()
        if not rows:
            return done
        after = rows[-1][0]
        done += index_articles(db, [url for _, url in rows], params)


def rebuild(db: sqlite_utils.Database, params: DedupeParams) -> int:
    """Drop the index and every group, then recompute them with `params`; returns the articles indexed.

    The groups are dropped in one transaction and recomputed a batch at a time: an interrupted rebuild is
    finished by `fanwen dedupe` (index_missing), with the same settings.
    """
    with db.atomic():
        db.execute(f"delete from {POSTINGS}")
        db.execute(f"delete from {DOCS}")
        db.execute("update articles set dup_group = null where dup_group is not null")
        save_params(db, params.check())
    return index_missing(db, params)


def group_summary(db: sqlite_utils.Database) -> tuple[int, int]:
    """(groups, articles in a group)."""
    groups, members = db.execute(
        "select count(distinct dup_group), count(dup_group) from articles where dup_group is not null"
    ).fetchone()
    return groups, members



def _in_list(values: Iterable[int | str]) -> tuple[str, list]:
    values = list(values)
    return f"({', '.join('?' * len(values))})", values


class _Batch:
    """What grouping one batch needs from the index, in memory: the docs listed under its probes, the text
    each of them belongs to, and the fingerprints of the candidates it confirms.

    A text is a group of near-duplicates (keyed by its dup_group) or an ungrouped doc (keyed by its id):
    a passage of a text copied forty times is still one text's passage, not boilerplate.
    """

    def __init__(self, db: sqlite_utils.Database, params: DedupeParams) -> None:
        self.db = db
        self.params = params
        self.listed: dict[int, list[int]] = {}  # probe -> docs, first indexed first (at most postings_cap)
        self.text: dict[int, int | str] = {}  # doc -> its text
        self.members: dict[int | str, list[int]] = {}  # text -> its docs known here
        self.known: dict[int, tuple[str, set[int]]] = {}  # doc -> (url, fingerprints) of the docs compared
        self.postings: list[tuple[int, int]] = []  # written by write()
        self.new_docs: list[int] = []  # written by write(), numbered from here
        self.next_id = db.execute(f"select coalesce(max(id), 0) + 1 from {DOCS}").fetchone()[0]
        self.weights: dict[int, float] = {}  # probe -> _weight(), until its list or a listed doc's text changes
        self.listing: dict[int, list[int]] = {}  # doc -> the probes listing it, to forget those weights

    def load(self, probes: set[int]) -> None:
        """Read the postings of these probes (and the text of each doc listed) in a few statements."""
        ordered = sorted(fp for fp in probes if fp not in self.listed)
        for fp in ordered:
            self.listed[fp] = []
        unknown = set()
        for start in range(0, len(ordered), MAX_VARIABLES):
            marks, values = _in_list(ordered[start:start + MAX_VARIABLES])
            for fp, doc in self.db.execute(f"select fingerprint, doc from {POSTINGS} where fingerprint in {marks}",
                                           values):
                self.listed[fp].append(doc)
                self.listing.setdefault(doc, []).append(fp)
                if doc not in self.text:
                    unknown.add(doc)
        unknown = sorted(unknown)
        for start in range(0, len(unknown), MAX_VARIABLES):
            marks, values = _in_list(unknown[start:start + MAX_VARIABLES])
            for doc, group in self.db.execute(f"select id, grp from {DOCS} where id in {marks}", values):
                self._know(doc, doc if group is None else group)

    def add(self, url: str, prints: set[int]) -> None:
        """Index one article (its fingerprints) and join it to the groups of the docs it matches."""
        params = self.params
        probes = [fp for fp in prints if fp % params.probe == 0]
        matched = self._matches(prints, probes) if len(prints) >= params.min_shared else {}
        doc = self.next_id
        self.next_id += 1
        self.new_docs.append(doc)
        self._know(doc, doc)
        self.known[doc] = (url, prints)
        text: int | str = doc
        if matched:
            text = _merge(self.db, [url, *(self.known[other][0] for other in matched.values())])
            moved = [member for key in [*matched, doc] for member in self.members.pop(key, [])]
            self.members.setdefault(text, []).extend(moved)
            for member in moved:
                self.text[member] = text
                for fp in self.listing.get(member, ()):
                    self.weights.pop(fp, None)
        for fp in probes:
            docs = self.listed[fp]
            # A probe lists each text once: the copies of a text republished everywhere would otherwise fill
            # the lists of the stock phrases it contains, and those phrases would look like one text's own.
            if not docs or len(docs) < params.postings_cap and all(self.text[listed] != text for listed in docs):
                docs.append(doc)
                self.postings.append((fp, doc))
                self.listing.setdefault(doc, []).append(fp)
                self.weights.pop(fp, None)

    def write(self) -> None:
        """Write the batch's docs (with their final groups) and postings: two statements, in key order."""
        rows = []
        for doc in self.new_docs:
            text = self.text[doc]
            rows.append((doc, self.known[doc][0], pack(self.known[doc][1]), text if isinstance(text, str) else None))
        self.db.conn.executemany(f"insert into {DOCS} (id, url, prints, grp) values (?, ?, ?, ?)", rows)
        self.db.conn.executemany(f"insert into {POSTINGS} (fingerprint, doc) values (?, ?)", sorted(self.postings))
        self.new_docs, self.postings = [], []

    def _know(self, doc: int, text: int | str) -> None:
        self.text[doc] = text
        self.members.setdefault(text, []).append(doc)

    def _matches(self, prints: set[int], probes: list[int]) -> dict[int | str, int]:
        """{text: one of its docs} for the texts an article with these fingerprints is a near-duplicate of.

        Candidates are the texts sharing probes that weigh at least `gate`: a probe listed for many texts
        (a stock 公文 phrase, site boilerplate) weighs common / texts, so sharing only such phrases makes no
        candidate. A candidate doc is confirmed on all its fingerprints (containment) and on the weight of
        the probes: the probes both share must weigh `weighted` of the shorter text's. One match per text
        is enough to join it, so the other docs of a matched group are not compared.
        """
        params = self.params
        by_doc: dict[int, float] = {}
        by_text: dict[int | str, float] = {}
        total = 0.0  # the weight of this text's probes
        weights = self.weights
        for fp in probes:
            weight = weights.get(fp) or self._weight(fp)
            total += weight
            if weight < STOCK:
                continue  # a stock phrase: weighed in the totals, but listing its texts would cost the most
            docs = self.listed[fp]
            for text in {self.text[doc] for doc in docs}:
                by_text[text] = by_text.get(text, 0.0) + weight
            for doc in docs:
                by_doc[doc] = by_doc.get(doc, 0.0) + weight
        candidates = sorted((doc for doc in by_doc if by_text[self.text[doc]] >= params.gate),
                            key=lambda doc: (-by_text[self.text[doc]], -by_doc[doc], doc))
        self._fetch([doc for doc in candidates if doc not in self.known])
        matched: dict[int | str, int] = {}
        for doc in candidates:
            text, other = self.text[doc], self.known[doc][1]
            if text not in matched and _near(len(prints & other), min(len(prints), len(other)), params) \
                    and self._weighs(prints, total, other):
                matched[text] = doc
        return matched

    def _weighs(self, prints: set[int], total: float, other: set[int]) -> bool:
        """Whether the probes two texts share weigh `weighted` of the shorter text's probes."""
        probe = self.params.probe
        shared = [fp for fp in other if fp % probe == 0 and fp in prints]
        weight = sum(self._weight(fp) for fp in shared)
        if len(other) >= len(prints):
            return weight >= self.params.weighted * total
        lacking = [fp for fp in other if fp % probe == 0 and fp not in prints]
        self.load(set(lacking))  # the shorter candidate's own probes, rarely read by this batch
        return weight >= self.params.weighted * (weight + sum(self._weight(fp) for fp in lacking))

    def _weight(self, fp: int) -> float:
        """A probe listed for many texts (stock 公文 phrases, site boilerplate) says little about identity."""
        weight = self.weights.get(fp)
        if weight is None:
            texts = len({self.text[doc] for doc in self.listed[fp]})
            weight = self.weights[fp] = min(1.0, self.params.common / texts) if texts else 1.0
        return weight

    def _fetch(self, docs: list[int]) -> None:
        for start in range(0, len(docs), MAX_VARIABLES):
            marks, values = _in_list(docs[start:start + MAX_VARIABLES])
            for doc, url, blob in self.db.execute(f"select id, url, prints from {DOCS} where id in {marks}", values):
                self.known[doc] = (url, unpack(blob))


def _near(shared: int, smaller: int, params: DedupeParams) -> bool:
    """Containment: most of the shorter text's fingerprints occur in the other, and enough of them."""
    return shared >= params.min_shared and smaller > 0 and shared >= params.threshold * smaller


def _forget(db: sqlite_utils.Database, url: str, doc: int | None, prints: set[int]) -> None:
    """Take a doc out of the index (its text changed, or it is taken down); its old group is regrouped.

    A probe lists each text once, so a probe that listed this doc for its group gets another member of
    the group that has it: the group stays findable by its copies.
    """
    listed: list[int] = []
    if doc is not None:
        ordered = sorted(prints)
        for start in range(0, len(ordered), MAX_VARIABLES):
            marks, values = _in_list(ordered[start:start + MAX_VARIABLES])
            listed += [fp for (fp,) in db.execute(
                f"select fingerprint from {POSTINGS} where doc = ? and fingerprint in {marks}", [doc, *values])]
        db.conn.executemany(f"delete from {POSTINGS} where fingerprint = ? and doc = ?", [(fp, doc) for fp in listed])
        db.execute(f"delete from {DOCS} where id = ?", [doc])
    row = db.execute("select dup_group from articles where url = ?", [url]).fetchone()
    if row and row[0] is not None:
        rest = [r[0] for r in db.execute("select url from articles where dup_group = ? and url != ?", [row[0], url])]
        db.execute("update articles set dup_group = null where url = ?", [url])
        _regroup(db, rest)
        if listed and rest:
            marks, values = _in_list(rest)
            others = [(other, unpack(blob)) for other, blob in
                      db.execute(f"select id, prints from {DOCS} where url in {marks} order by id", values)]
            db.conn.executemany(f"insert or ignore into {POSTINGS} (fingerprint, doc) values (?, ?)",
                                [(fp, next(other for other, found in others if fp in found)) for fp in listed
                                 if any(fp in found for _, found in others)])


def _regroup(db: sqlite_utils.Database, urls: list[str]) -> None:
    """Recompute the groups among these articles from their stored fingerprints (pairwise: groups are small)."""
    params = load_params(db)
    docs = {}
    for url in urls:
        row = db.execute(f"select prints from {DOCS} where url = ?", [url]).fetchone()
        docs[url] = unpack(row[0]) if row else set()
    parent = {url: url for url in urls}

    def root(url: str) -> str:
        while parent[url] != url:
            parent[url] = parent[parent[url]]
            url = parent[url]
        return url

    for i, a in enumerate(urls):
        for b in urls[i + 1:]:
            if _near(len(docs[a] & docs[b]), min(len(docs[a]), len(docs[b])), params):
                parent[root(a)] = root(b)
    components: dict[str, list[str]] = {}
    for url in urls:
        components.setdefault(root(url), []).append(url)
    marks, values = _in_list(urls)
    # Start from ungrouped: the old group's id may be the article that left.
    db.execute(f"update articles set dup_group = null where url in {marks}", values)
    db.execute(f"update {DOCS} set grp = null where url in {marks}", values)
    for members in components.values():
        if len(members) > 1:
            _merge(db, members)



def _merge(db: sqlite_utils.Database, urls: list[str]) -> str:
    """Make these articles, and everything already grouped with any of them, one group; returns its id.

    A group's id is its most complete member, so only the ungrouped articles and each group's leader
    compete; a group's members are rewritten only when their leader changes. Joining a large group
    (a text copied everywhere) therefore costs one write.
    """
    marks, values = _in_list(urls)
    given = db.execute(f"select url, dup_group from articles where url in {marks}", values).fetchall()
    groups = {group for _, group in given if group is not None}
    contenders = {url for url, group in given if group is None} | groups
    marks, values = _in_list(contenders)
    # Most complete: not truncated, then the longest text, then the first seen (then the URL, to be stable).
    best = db.execute(
        "select url from articles where url in " + marks
        + " order by coalesce(truncated, 0), coalesce(char_count, 0) desc, coalesce(first_seen, ''), url limit 1",
        values,
    ).fetchone()[0]
    for group in groups - {best}:
        db.execute("update articles set dup_group = ? where dup_group = ?", [best, group])
        db.execute(f"update {DOCS} set grp = ? where grp = ?", [best, group])
    stale = [url for url, group in given if group != best]
    if stale:
        marks, values = _in_list(stale)
        db.execute(f"update articles set dup_group = ? where url in {marks}", [best, *values])
        db.execute(f"update {DOCS} set grp = ? where url in {marks}", [best, *values])
    return best
