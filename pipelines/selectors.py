"""Fast matching of selector rules: one pass over the tree instead of one CSS query per rule.

Rule selectors are mostly simple (`.cls`, `#id`, `tag`, `tag.cls`, `[attr^=x]`); those are indexed by class,
id and tag and tested per element in O(1). Anything more complex (combinators, pseudo-classes) falls back to
cssselect (lxml's CSS engine), evaluated once per tree, so every valid CSS selector still works.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from fanwen.errors import ConfigError
from fanwen.pipelines.rules import Rule
from fanwen.pipelines.tree import Element

_SIMPLE = re.compile(r"^([a-zA-Z][\w-]*)?((?:[.#][\w-]+|\[[\w-]+(?:[\^*$]?=[^\]]+)?\])*)$")
_PART = re.compile(r"([.#])([\w-]+)|\[([\w-]+)(?:([\^*$]?=)([^\]]+))?\]")


@dataclass(frozen=True)
class _Simple:
    tag: str | None
    classes: tuple[str, ...]
    id: str | None
    attrs: tuple[tuple[str, str | None, str], ...]  # (name, op, value)

    def matches(self, el: Element) -> bool:
        if self.tag and el.tag != self.tag:
            return False
        if self.id and el.get("id") != self.id:
            return False
        if self.classes and not set(self.classes) <= set(el.get("class", "").split()):
            return False
        for name, op, value in self.attrs:
            got = el.get(name)
            if got is None:
                return False
            if name == "class":  # a multi-valued attribute: compared as its space-joined values
                got = " ".join(got.split())
            if (op == "=" and got != value) or (op == "^=" and not got.startswith(value)) or (
                op == "*=" and value not in got) or (op == "$=" and not got.endswith(value)):
                return False
        return True


def _parse(part: str) -> _Simple | None:
    m = _SIMPLE.match(part)
    if not m or not (m.group(1) or m.group(2)):
        return None
    classes, ident, attrs = [], None, []
    for dot, name, attr, op, value in _PART.findall(m.group(2) or ""):
        if dot == ".":
            classes.append(name)
        elif dot == "#":
            ident = name
        else:
            attrs.append((attr, op or None, value.strip("'\"")))
    return _Simple(m.group(1).lower() if m.group(1) else None, tuple(classes), ident, tuple(attrs))


@lru_cache(maxsize=256)
def css(selector: str) -> CSSSelector:
    """A compiled CSS selector (HTML rules: case-insensitive tag and attribute names), compiled once."""
    try:
        return CSSSelector(selector, translator="html")
    except SelectorError as e:  # a site file's selector that its validator let through
        raise ConfigError(f"selector {selector!r}: {str(e).splitlines()[0]}") from e


def select_one(root: Element, selector: str) -> Element | None:
    """The first element under `root` that matches a CSS selector, or None."""
    found = css(selector)(root)
    return found[0] if found else None


class SelectorIndex:
    """Selector rules indexed for one-pass matching; `matcher(root)(el)` gives the first rule that matches.

    Each simple selector is filed under one key an element must have to match it (a class, the id, an
    attribute name, else the tag), so an element is only tested against the selectors it could match.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.by_class: dict[str, list[tuple[int, _Simple | None]]] = {}
        self.by_id: dict[str, list[tuple[int, _Simple | None]]] = {}
        self.by_attr: dict[str, list[tuple[int, _Simple | None]]] = {}
        self.by_tag: dict[str, list[tuple[int, _Simple | None]]] = {}
        self.complex: list[tuple[int, str]] = []
        for i, rule in enumerate(self.rules):
            for part in (p.strip() for p in rule.pattern.split(",")):
                simple = _parse(part)
                if simple is None:
                    self.complex.append((i, part))
                    continue
                # A selector that is nothing but its key (`.cls`, `#id`, `tag`) matches every element filed
                # under that key: stored as None, it is not tested again.
                bare = sum(map(bool, (simple.tag, simple.classes, simple.id, simple.attrs))) == 1 and len(
                    simple.classes) <= 1
                entry = (i, None if bare else simple)
                if simple.classes:
                    self.by_class.setdefault(simple.classes[0], []).append(entry)
                elif simple.id:
                    self.by_id.setdefault(simple.id, []).append(entry)
                elif simple.attrs:
                    self.by_attr.setdefault(simple.attrs[0][0], []).append((i, simple))
                else:
                    self.by_tag.setdefault(simple.tag or "", []).append(entry)

    def _candidates(self, el: Element) -> list[list[tuple[int, _Simple | None]]]:
        groups = [self.by_tag[el.tag]] if el.tag in self.by_tag else []
        for name in el.keys():
            if name == "class":
                groups += [self.by_class[c] for c in el.get("class").split() if c in self.by_class]
            elif name == "id" and el.get("id") in self.by_id:
                groups.append(self.by_id[el.get("id")])
            if name in self.by_attr:
                groups.append(self.by_attr[name])
        return groups

    def matcher(self, root: Element) -> Callable[[Element], Rule | None]:
        """A function giving the first rule (in rule order) whose selector matches an element of `root`.

        Complex selectors are evaluated once, on the tree as it is now.
        """
        complex_hits = [(i, set(css(selector)(root))) for i, selector in self.complex]
        none = len(self.rules)
        by_tag = self.by_tag

        def match(el: Element) -> Rule | None:
            # most elements (<p>, <span>, <br>) carry no attribute and no indexed tag: nothing to test
            if not complex_hits and el.tag not in by_tag and not el.attrib:
                return None
            first = none
            for group in self._candidates(el):
                for i, simple in group:
                    if i < first and (simple is None or simple.matches(el)):
                        first = i
            for i, found in complex_hits:
                if i < first and el in found:
                    first = i
            return self.rules[first] if first < none else None

        return match


@lru_cache(maxsize=64)
def selector_index(rules: tuple[Rule, ...]) -> SelectorIndex:
    """A SelectorIndex per distinct rule set, built once (rules hash by identity, so the lookup is cheap)."""
    return SelectorIndex(rules)
