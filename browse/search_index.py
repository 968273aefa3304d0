"""Chinese substring search over ``articles``: a folded char+bigram FTS5 index kept in step by triggers.

Why not FTS5's own tokenizers: unicode61 treats a whole CJK run as one token and trigram cannot match
queries shorter than three characters, while most Chinese words are two. So the index holds, for
every position of the *folded* title/text, the bigram starting there (and, at the end of each run, the
last character alone), each written as an ASCII code so the stock ``ascii`` tokenizer keeps it whole.
A query term of n >= 2 characters becomes the phrase of its n-1 bigrams (consecutive positions, hence
an exact substring); a 1-character term becomes a prefix query that matches every bigram starting
with it plus run-final characters, answered from FTS5's prefix index on one character's code
(prefix='4'), so it costs one lookup, not a scan of every bigram. Whitespace never occurs inside a
term, so runs are indexed apart.

Folding (matching only, never stored): traditional/variant -> simplified character by character
(OpenCC's tables; per character so "q is a substring of t" implies "search_fold(q) is a substring of
search_fold(t)"), full-width ASCII -> half-width, lower case, invisible characters dropped.

The index table ``articles_fts`` is contentless (it stores no copy of the text); triggers on
``articles`` call the SQL function ``fanwen_grams()``, which every connection that writes articles must
have: ``open_db`` (via ``ensure_search_index``), the Datasette plugin and sqlite-utils (its
``prepare_connection`` plugin hook below) register it. A writer without it fails loudly with
"no such function: fanwen_grams" instead of leaving the index wrong.

Making the tokens is CPU work (about half of what the triggers cost); a writer fed by other processes
(``fanwen reclean``'s workers, bench/scalebuild.py) has them make it: ``index_token_map`` there, and
``precomputed_tokens`` here, which lets this connection's fanwen_grams() look a text up before tokenizing
it. The triggers still fire on every write, so the index cannot go out of step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlite_utils

from fanwen.errors import UsageError
from fanwen.pipelines.folding import SEARCH_TABLE, search_fold, search_tables_digest

FTS_TABLE = "articles_fts"
META_TABLE = "articles_fts_meta"  # starts with the FTS name, so Datasette hides it with the index
# Bump when the token format or trigger SQL changes: ensure_search_index then rebuilds.
INDEX_FORMAT = "fanwen-bigram-2"
_WIDTH = 4  # base-36 digits per character: 36**4 > 0x10FFFF


class _CodeTable(dict):
    """str.translate table: each character to a fixed-width base-36 code (an ascii-tokenizer word)."""

    def __missing__(self, cp: int) -> str:
        digits = []
        n = cp
        for _ in range(_WIDTH):
            n, r = divmod(n, 36)
            digits.append("0123456789abcdefghijklmnopqrstuvwxyz"[r])
        value = "".join(reversed(digits))
        self[cp] = value
        return value


_CODES = _CodeTable()
_TABLES_DIGEST = search_tables_digest(INDEX_FORMAT)


def _run_tokens(run: str) -> list[str]:
    codes = run.translate(_CODES)
    last = len(codes) - _WIDTH
    tokens = [codes[i : i + 2 * _WIDTH] for i in range(0, last, _WIDTH)]
    tokens.append(codes[last:])
    return tokens


def index_tokens(text: str | None) -> str | None:
    """What the index stores for one column: the bigram codes of every folded whitespace-free run."""
    if text is None:
        return None
    return " ".join(tok for run in search_fold(text).split() for tok in _run_tokens(run))


def index_token_map(*texts: str | None) -> dict[str, str]:
    """{text: index_tokens(text)} for a writer's ``precomputed_tokens``, made where a core is free."""
    return {text: index_tokens(text) for text in texts if text is not None}


@contextmanager
def precomputed_tokens(conn: sqlite3.Connection) -> Iterator[dict[str, str]]:
    """While open, this connection's fanwen_grams() returns the tokens of a text found in the yielded dict
    (fill it with ``index_token_map`` results only) and tokenizes any other text itself.

    Keyed by the whole text, so an entry is used only for the very text it was made from: a missing or
    outdated entry costs the tokenizing, never a wrong index. The writer clears the dict as it goes (it
    holds the texts).
    """
    known: dict[str, str] = {}

    def grams(text: str | None) -> str | None:
        found = known.get(text) if text is not None else None
        return found if found is not None else index_tokens(text)

    _register_grams(conn, grams)
    try:
        yield known
    finally:
        known.clear()
        _register_grams(conn, index_tokens)


def fts_query(query: str) -> str:
    """Translate a user query (space-separated terms, all required) into an FTS5 MATCH expression.

    Every term matches as a literal substring after folding. A query with no terms yields an
    expression that matches nothing.
    """
    parts = []
    for term in search_fold(query).split():
        codes = term.translate(_CODES)
        if len(term) == 1:
            parts.append(f'"{codes}" *')
        else:
            parts.append('"' + " ".join(_run_tokens(term)[:-1]) + '"')
    return " AND ".join(parts) if parts else '""'


def search_sql(query: str) -> tuple[str, list]:
    """A WHERE fragment over ``articles`` selecting rows whose title or text contains every term.

    Raises UsageError when the query has no searchable characters.
    """
    if not search_fold(query).split():
        raise UsageError(f"search query {query!r} is empty: give at least one character to look for")
    return f"rowid in (select rowid from {FTS_TABLE} where {FTS_TABLE} match ?)", [fts_query(query)]


def match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query's terms occur in text, as sorted, merged (start, end) offsets into text itself."""
    folded = search_fold(text)
    if all(len(SEARCH_TABLE[ord(ch)] or "") == 1 for ch in set(text)):
        owner: range | list[int] = range(len(text))  # every character folds to one: offsets agree
    else:  # a character dropped (invisible) or folded to two: map folded offsets back one by one
        pieces = [ch.translate(SEARCH_TABLE) for ch in text]
        owner = [i for i, piece in enumerate(pieces) for _ in piece]  # folded offset -> original offset
    spans = []
    for term in set(search_fold(query).split()):
        at = folded.find(term)
        while at != -1:
            spans.append((owner[at], owner[at + len(term) - 1] + 1))
            at = folded.find(term, at + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _register_grams(conn: sqlite3.Connection, grams: Callable[[str | None], str | None]) -> None:
    """The triggers' fanwen_grams(): index_tokens, or a function that returns exactly what it would."""
    conn.create_function("fanwen_grams", 1, grams, deterministic=True)


def register_search_functions(conn: sqlite3.Connection) -> None:
    """Register fanwen_fold(), fanwen_grams() and fanwen_match() on a connection."""
    conn.create_function("fanwen_fold", 1, lambda t: None if t is None else search_fold(t), deterministic=True)
    _register_grams(conn, index_tokens)
    conn.create_function("fanwen_match", 1, fts_query, deterministic=True)


# prefix='4': an index of every token's first character code, for 1-character queries.
_CREATE_FTS = f"create virtual table {FTS_TABLE} using fts5(title, text, content='', tokenize='ascii', prefix='4')"
_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""
        create trigger {FTS_TABLE}_ai after insert on articles begin
          insert into {FTS_TABLE}(rowid, title, text)
            values (new.rowid, fanwen_grams(new.title), fanwen_grams(new.text));
        end""",
    f"{FTS_TABLE}_ad": f"""
        create trigger {FTS_TABLE}_ad after delete on articles begin
          insert into {FTS_TABLE}({FTS_TABLE}, rowid, title, text)
            values ('delete', old.rowid, fanwen_grams(old.title), fanwen_grams(old.text));
        end""",
    f"{FTS_TABLE}_au": f"""
        create trigger {FTS_TABLE}_au after update of title, text on articles begin
          insert into {FTS_TABLE}({FTS_TABLE}, rowid, title, text)
            values ('delete', old.rowid, fanwen_grams(old.title), fanwen_grams(old.text));
          insert into {FTS_TABLE}(rowid, title, text)
            values (new.rowid, fanwen_grams(new.title), fanwen_grams(new.text));
        end""",
}


def index_version() -> str:
    """Identifies the token format and folding tables; a stored index with another version is rebuilt."""
    return f"{INDEX_FORMAT}:{_TABLES_DIGEST}"


def ensure_search_index(db: sqlite_utils.Database) -> None:
    """Create the index and triggers if missing; rebuild when stale (new version, or rows out of step).

    Rows go out of step only when a writer bypasses the delete trigger (INSERT OR REPLACE without
    recursive_triggers); stale entries are never shown (the search joins on live rowids) and are
    dropped here.
    """
    register_search_functions(db.conn)
    with db.atomic():
        db.execute(f"create table if not exists {META_TABLE} (key text primary key, value text)")
        stored = db.execute(f"select value from {META_TABLE} where key = 'version'").fetchone()
        current = stored is not None and stored[0] == index_version() and db[FTS_TABLE].exists()
        if not current:  # new, or built by another version: table options and triggers may differ
            for name in _TRIGGERS:
                db.execute(f"drop trigger if exists {name}")
            db.execute(f"drop table if exists {FTS_TABLE}")
            db.execute(_CREATE_FTS)
        for sql in _TRIGGERS.values():
            db.execute(sql.replace("create trigger", "create trigger if not exists", 1))
        in_step = (
            db.execute(f"select count(*) from {FTS_TABLE}").fetchone()[0]
            == db.execute("select count(*) from articles").fetchone()[0]
        )
        if not (current and in_step):
            rebuild_search_index(db)


def rebuild_search_index(db: sqlite_utils.Database) -> None:
    """Re-index every article from scratch (used on version change or drift; safe to run any time)."""
    register_search_functions(db.conn)
    with db.atomic():
        db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('delete-all')")
        db.execute(
            f"insert into {FTS_TABLE}(rowid, title, text) "
            "select rowid, fanwen_grams(title), fanwen_grams(text) from articles"
        )
        db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('optimize')")
        db.execute(
            f"insert into {META_TABLE}(key, value) values ('version', ?) "
            "on conflict(key) do update set value = excluded.value",
            [index_version()],
        )


@sqlite_utils.hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """sqlite-utils plugin hook: any sqlite-utils writer (CLI or Python) can fire our triggers."""
    register_search_functions(conn)
