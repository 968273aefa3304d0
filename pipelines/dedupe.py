"""Near-duplicate groups of articles, kept up to date as articles arrive (clean → **dedupe** → store).

Two articles are near-duplicates when most fingerprints (fanwen.pipelines.fingerprint) of the shorter
one occur in the longer one: `shared / min(|A|, |B|) >= threshold` and `shared >= min_shared`. Measuring
containment rather than resemblance makes a truncated preview, or a copy with another intro and
watermark, match its full copy; requiring most of the shorter text keeps apart different speeches that
share 公文 openings and closings (同志们：… 下面我讲几点意见 … 谢谢大家！). Groups are the connected
components of that relation; `articles.dup_group` holds the URL of the group's most complete member
(complete before truncated, then longest, then first seen) for every member, NULL when an article has no
near-duplicate.

Storage: `dedupe_docs` (one row per fingerprinted article: its fingerprints as a blob) and
`dedupe_fingerprints` (an inverted index fingerprint → docs). Each fingerprint keeps at most
`postings_cap` docs, the first that had it: a shingle found in more texts than that is boilerplate or a
text copied everywhere, whose first copies are already indexed, so looking up an article stays cheap
however large the archive. `dedupe_settings` holds the parameters the index was built with;
`fanwen dedupe --rebuild` recomputes everything with new ones.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import sqlite_utils

from fanwen.errors import UsageError
from fanwen.pipelines.fingerprint import fingerprints, pack, unpack

DOCS = "dedupe_docs"
POSTINGS = "dedupe_fingerprints"
SETTINGS = "dedupe_settings"
MAX_VARIABLES = 10_000  # bound parameters per statement (SQLite's limit is 32,766 since 3.32)


@dataclass(frozen=True)
class DedupeParams:
    """How texts are fingerprinted and when two count as near-duplicates (bench/dedupe.py measures them)."""

    shingle: int = 10  # characters per shingle: long enough that 公文 stock phrases rarely fill one
    sample: int = 8  # about one shingle in `sample` is kept
    threshold: float = 0.5  # share of the shorter text's fingerprints that must occur in the other
    min_shared: int = 5  # and at least this many fingerprints in common (very short texts never match)
    postings_cap: int = 32  # docs kept per fingerprint
    common: int = 4  # a fingerprint listed for more docs than this weighs common / listed

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
        return self


def ensure_dedupe_schema(conn: sqlite3.Connection) -> None:
    """Add articles.dup_group (an archive from before near-duplicates gets it too), the index tables and the
    dup_group index. Idempotent; plain SQL on a connection, so a schema migration step can run it."""
    if "dup_group" not in [row[1] for row in conn.execute("pragma table_info(articles)")]:
        conn.execute("alter table articles add column dup_group text")
    # grp mirrors articles.dup_group, so that the postings lookup counts texts without reading articles.
    conn.execute(f"create table if not exists {DOCS} (id integer primary key, url text not null unique,"
                 " prints blob not null, grp text)")
    # Keyed by (fingerprint, doc) without a rowid: the lookup reads one contiguous range per fingerprint.
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


def index_article(db: sqlite_utils.Database, url: str, text: str, params: DedupeParams | None = None) -> str | None:
    """(Re)fingerprint one stored article and update the groups it joins or leaves; returns its dup_group.

    Call after the article's row is written, in the same transaction. Cost: one index lookup of
    its fingerprints, a few writes; a changed text that leaves a group regroups that group only.
    """
    with db.atomic():  # commits when the caller has no transaction open (as store._upsert does)
        return _index(db, url, text, params or load_params(db))


def _index(db: sqlite_utils.Database, url: str, text: str, params: DedupeParams) -> str | None:
    old = db.execute(f"select id, prints from {DOCS} where url = ?", [url]).fetchone()
    if old:
        _forget(db, url, old[0], unpack(old[1]))
    prints = fingerprints(text, params.shingle, params.sample)
    per_fp, candidates = _probe(db, prints, params)
    full = {fp for fp, (docs, _) in per_fp.items() if docs >= params.postings_cap}
    matched = _matches(db, prints, {fp: texts for fp, (_, texts) in per_fp.items()}, candidates, params)
    doc = db.execute(f"insert into {DOCS} (url, prints) values (?, ?)", [url, pack(prints)]).lastrowid
    db.conn.executemany(f"insert into {POSTINGS} (fingerprint, doc) values (?, ?)",
                        [(fp, doc) for fp in prints - full])
    if not matched:
        return None
    marks, values = _in_list(matched)
    urls = [r[0] for r in db.execute(f"select url from {DOCS} where id in {marks}", values)]
    return _merge(db, [url, *urls])


def index_missing(db: sqlite_utils.Database, params: DedupeParams | None = None) -> int:
    """Fingerprint every article not yet in the index (an archive from before dedupe); returns how many."""
    indexed = db.execute(f"select count(*) from {DOCS}").fetchone()[0]
    if indexed == db.execute("select count(*) from articles").fetchone()[0]:
        return 0  # articles are never deleted, so equal counts mean every article is indexed
    params = params or load_params(db)
    pending = db.execute(
        f"select a.url, a.text from articles a left join {DOCS} d on d.url = a.url where d.url is null"
        " order by a.rowid"
    ).fetchall()
    with db.atomic():
        for url, text in pending:
            index_article(db, url, text or "", params)
    return len(pending)


def rebuild(db: sqlite_utils.Database, params: DedupeParams) -> int:
    """Drop the index and every group, then recompute them with `params`; returns the articles indexed."""
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


def _in_list(values: Iterable[int]) -> tuple[str, list[int]]:
    values = list(values)
    return f"({', '.join('?' * len(values))})", values


def _texts_listed(db: sqlite_utils.Database, prints: set[int]) -> Counter[int]:
    """How many distinct texts each of these fingerprints lists (absent: none).

    A text is a group of near-duplicates or an ungrouped doc: a passage of a text copied forty times is
    still one text's passage, not boilerplate.
    """
    texts: Counter[int] = Counter()
    ordered = list(prints)
    for start in range(0, len(ordered), MAX_VARIABLES):
        marks, values = _in_list(ordered[start:start + MAX_VARIABLES])
        texts.update(dict(db.execute(
            f"select p.fingerprint, count(distinct coalesce(d.grp, d.id)) from {POSTINGS} p"
            f" join {DOCS} d on d.id = p.doc where p.fingerprint in {marks} group by p.fingerprint", values,
        ).fetchall()))
    return texts


def _probe(db: sqlite_utils.Database, prints: set[int], params: DedupeParams
           ) -> tuple[dict[int, tuple[int, int]], list[tuple[int, int, float, int, object]]]:
    """One pass over the postings of these fingerprints.

    Returns ({fingerprint: (docs listed, distinct texts listed)}, [(doc, shared fingerprints, shared weight,
    doc's fingerprint count, doc's text)] for docs sharing at least min_shared; a text is a group or a doc).
    SQLite does the counting, so Python sees one row per fingerprint and per candidate, not one per posting.
    """
    if not prints:
        return {}, []
    ordered = list(prints)[:MAX_VARIABLES]  # a text of over 100,000 characters is judged by its start
    marks, values = _in_list(ordered)
    per_fp: dict[int, tuple[int, int]] = {}
    per_doc: list[tuple[int, int, float, int, object]] = []
    for kind, key, n, value, size, text in db.execute(
        f"""with hits as materialized (
              select p.fingerprint as fp, p.doc as doc, coalesce(d.grp, d.id) as text, length(d.prints) / 4 as size
              from {POSTINGS} p join {DOCS} d on d.id = p.doc where p.fingerprint in {marks}),
            fps as (select fp, count(*) as n, count(distinct text) as texts from hits group by fp)
            select 0, fp, n, texts, null, null from fps
            union all
            select 1, h.doc, count(*), sum(min(1.0, ? * 1.0 / f.texts)), max(h.size), max(h.text)
            from hits h join fps f on f.fp = h.fp group by h.doc having count(*) >= ?""",
        [*values, params.common, params.min_shared],
    ):
        if kind == 0:
            per_fp[key] = (n, value)
        else:
            per_doc.append((key, n, value, size, text))
    return per_fp, per_doc


def _matches(db: sqlite_utils.Database, prints: set[int], texts: dict[int, int],
             candidates: list[tuple[int, int, float, int, object]], params: DedupeParams) -> set[int]:
    """Ids of indexed docs that are near-duplicates of a text with these fingerprints (one per group).

    Weighted containment: each fingerprint weighs _weight(distinct texts listed under it), so the stock
    phrases and boilerplate two different texts share count for little. A candidate smaller than the new
    text needs its own fingerprints' weights, fetched only when the bound from its size cannot decide.
    One match per group is enough to join it, so the other members of a matched group are not weighed.
    """
    if len(prints) < params.min_shared or not candidates:
        return set()
    total = sum(_weight(texts.get(fp, 0), params) for fp in prints)
    lightest = _weight(params.postings_cap, params)
    matched: dict[object, int] = {}
    unsure: dict[int, tuple[float, object]] = {}
    for doc, count, got, size, text in sorted(candidates, key=lambda c: -c[2]):
        if text in matched:
            continue
        if size >= len(prints):
            if got >= params.threshold * total:
                matched[text] = doc
            continue
        rest = size - count  # the candidate's fingerprints the new text lacks, weights unknown
        if got >= params.threshold * (got + rest):
            matched[text] = doc  # even if all of them weigh fully
        elif got >= params.threshold * (got + rest * lightest):
            unsure[doc] = (got, text)
    unsure = {doc: v for doc, v in unsure.items() if v[1] not in matched}
    if unsure:
        marks, values = _in_list(unsure)
        lacking = {doc: unpack(blob) - prints
                   for doc, blob in db.execute(f"select id, prints from {DOCS} where id in {marks}", values)}
        known = _texts_listed(db, set().union(*lacking.values()))
        for doc, (got, text) in sorted(unsure.items(), key=lambda u: -u[1][0]):
            if text not in matched and got >= params.threshold * (
                    got + sum(_weight(known[fp], params) for fp in lacking[doc])):
                matched[text] = doc
    return set(matched.values())


def _weight(listed: int, params: DedupeParams) -> float:
    """A fingerprint listed for many texts (stock 公文 phrases, site boilerplate) says little about identity."""
    return min(1.0, params.common / max(listed, 1))


def _near(shared: int, smaller: int, params: DedupeParams) -> bool:
    """Unweighted test, for regrouping a group's own members (their shared phrases are not boilerplate)."""
    return shared >= params.min_shared and smaller > 0 and shared >= params.threshold * smaller


def _forget(db: sqlite_utils.Database, url: str, doc: int, prints: set[int]) -> None:
    """Take a doc out of the index before its text is fingerprinted again; its old group is regrouped."""
    db.conn.executemany(f"delete from {POSTINGS} where fingerprint = ? and doc = ?", [(fp, doc) for fp in prints])
    db.execute(f"delete from {DOCS} where id = ?", [doc])
    row = db.execute("select dup_group from articles where url = ?", [url]).fetchone()
    if row and row[0] is not None:
        rest = [r[0] for r in db.execute("select url from articles where dup_group = ? and url != ?", [row[0], url])]
        db.execute("update articles set dup_group = null where url = ?", [url])
        _regroup(db, rest)


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
