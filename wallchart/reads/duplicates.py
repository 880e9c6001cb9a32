"""The duplicate guard: existing projects that a new one closely matches.

The same project reaches the bureau twice — reported by a county and by a zone, typed once
as "湘澜新材料锂电池项目" and once as "湘澜新材料 锂电池 项目（一期）". Names and investors
are compared after normalising away what varies between two typists (spaces, punctuation, case,
full-width forms, remarks in brackets, legal-form suffixes such as 有限公司 or "Co., Ltd.").
Two names match when they are then equal, one holds the other (at least four characters), or
difflib finds them at least 85 % alike. Names that differ only in their numbers (测试项目1 and
测试项目2; 一期 and 二期) are different projects. A matching investor alone is not enough — a
group investing in several projects is normal — but with it, names that share four characters
in a row match ("电池材料基地" and "新能源电池材料生产基地").

Only ids, names and investors are loaded: one light query, then plain Python, fast enough for
5,000 projects on every creation. An import, which asks for each of thousands of rows, keeps a
``DuplicateIndex`` instead.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache

from sqlalchemy import select

from wallchart.core.models import Project
from wallchart.extensions import db
from wallchart.reads.project_keys import ProjectKeys

NAME_RATIO = 0.85
#: The shortest name that counts as held in another; the run of characters in common that
#: makes two names of one investor match.
CONTAINED_MIN = 4
#: Bracketed remarks (（示例）, (深圳)), then anything that is not a letter or a digit.
NOISE = re.compile(r"\([^)]*\)|\[[^]]*]|【[^】]*】|[\W_]+")
NUMBERS = re.compile(r"[0-9〇零一二三四五六七八九十百千万两]+")
#: Stripped from the end, repeatedly, once punctuation and spaces are gone ("Co., Ltd." has
#: become "coltd"); never the whole name.
SUFFIXES = re.compile(r"(?<=.)(?:有限责任公司|股份有限公司|有限公司|股份公司|公司|股份|集团|项目"
                      r"|coltd|ltd|limited|inc|corp|co|group)+$")


@lru_cache(maxsize=50_000)
def normalise(text: str) -> str:
    """A name as compared: full-width forms folded, bracketed remarks, spaces and punctuation
    removed, lower case, legal-form suffixes stripped."""
    text = NOISE.sub("", unicodedata.normalize("NFKC", text or "").casefold())
    return SUFFIXES.sub("", text)


@lru_cache(maxsize=50_000)
def skeleton(text: str) -> str:
    """A normalised text with each of its numbers as ``#``."""
    return NUMBERS.sub("#", text)


class _Probe:
    """One normalised text, compared against many (difflib caches the second sequence)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.skeleton = skeleton(text)
        self.characters = frozenset(text)
        self.repeated = len(text) - len(self.characters)
        self.matcher = SequenceMatcher(None, "", text, autojunk=False)

    def _numbered(self, other: str) -> bool:
        """Whether the texts differ only in their numbers: 测试项目1 and 测试项目2."""
        return skeleton(other) == self.skeleton

    def closeness(self, other: str) -> float:
        """1 for equal texts, 0.9 when one holds the other, difflib's ratio when it reaches
        ``NAME_RATIO``; 0 otherwise, and when only their numbers differ."""
        if not self.text or not other:
            return 0.0
        if other == self.text:
            return 1.0
        if self._numbered(other):
            return 0.0
        shorter, longer = sorted((other, self.text), key=len)
        score = 0.9 if len(shorter) >= CONTAINED_MIN and shorter in longer else 0.0
        # difflib's real_quick_ratio, without the call: the lengths alone rule most out; then
        # the characters in common, counted by sets (at most that many more than a set holds
        # are repeats of this text's).
        lengths = len(shorter) + len(longer)
        if 2 * len(shorter) >= NAME_RATIO * lengths and 2 * (
                len(self.characters.intersection(other)) + self.repeated) >= NAME_RATIO * lengths:
            matcher = self.matcher
            matcher.set_seq1(other)
            if matcher.quick_ratio() >= NAME_RATIO:
                ratio = matcher.ratio()
                score = max(score, ratio if ratio >= NAME_RATIO else 0.0)
        return score

    def shares_run(self, other: str) -> bool:
        """Whether the texts have ``CONTAINED_MIN`` characters in a row in common."""
        self.matcher.set_seq1(other)
        run = self.matcher.find_longest_match(0, len(other), 0, len(self.text)).size
        return run >= CONTAINED_MIN and not self._numbered(other)


def similar_projects(name: str, investor: str, exclude_id: int | None = None,
                     limit: int = 5) -> list[Project]:
    """Projects not deleted (on the board or withdrawn) that ``name``/``investor`` closely
    match, the closest first."""
    query = select(Project.id, Project.name, Project.investor).where(
        Project.deleted_at.is_(None))
    if exclude_id is not None:
        query = query.where(Project.id != exclude_id)
    texts = ((project_id, normalise(other_name), normalise(other_investor))
             for project_id, other_name, other_investor in db.session.execute(query))
    return _projects(_closest(name, investor, texts, limit))


def _closest(name: str, investor: str, texts: Iterable[tuple[int, str, str]],
             limit: int) -> list[int]:
    """The ids of the ``limit`` texts (id, normalised name, normalised investor) that match
    ``name``/``investor`` best: the rule of a match, said once."""
    name_probe, investor_probe = _Probe(normalise(name)), _Probe(normalise(investor))
    scored: list[tuple[float, int]] = []
    for project_id, other_name, other_investor in texts:
        names = name_probe.closeness(other_name)
        investors = investor_probe.closeness(other_investor)
        if names or (investors and name_probe.shares_run(other_name)):
            scored.append((names + investors, project_id))
    return [project_id for _score, project_id in sorted(scored, key=lambda s: (-s[0], s[1]))
            ][:limit]


def _projects(ids: list[int]) -> list[Project]:
    if not ids:
        return []
    found = {project.id: project for project in db.session.execute(
        select(Project).where(Project.id.in_(ids))).scalars()}
    return [found[project_id] for project_id in ids]


class DuplicateIndex:
    """The duplicate guard for many lookups at once: an import compares each of its thousands
    of rows with every project, and with the rows before it.

    Loaded once (one light query), kept up to date by the import (:meth:`add`, new projects
    before they are flushed: ``ProjectKeys``), it compares a name only with the few projects
    that could match it, then scores those as :func:`similar_projects` does, so the answers are
    the same. Those few are found through the pairs of characters the texts hold
    (``_Texts.near``).
    """

    def __init__(self) -> None:
        self._keys = ProjectKeys()
        self._texts: dict[int, tuple[str, str]] = {}
        self._names, self._investors = _Texts(), _Texts()
        for project_id, name, investor in db.session.execute(
                select(Project.id, Project.name, Project.investor).where(
                    Project.deleted_at.is_(None))):
            self._add(self._keys.loaded(project_id), name, investor)

    def add(self, project: Project) -> None:
        """Know the project by its name and investor (a new project, or one renamed)."""
        self._add(self._keys.key(project), project.name, project.investor)

    def _add(self, key: int, name: str, investor: str | None) -> None:
        if key in self._texts:
            old_name, old_investor = self._texts[key]
            self._names.discard(key, old_name)
            self._investors.discard(key, old_investor)
        texts = normalise(name), normalise(investor or "")
        self._texts[key] = texts
        self._names.add(key, texts[0])
        self._investors.add(key, texts[1])

    def similar_projects(self, name: str, investor: str, limit: int = 5) -> list[Project]:
        """:func:`similar_projects`, answered from the index."""
        candidates = self._names.near(normalise(name)) | self._investors.near(
            normalise(investor))
        texts = ((key, *self._texts[key]) for key in sorted(candidates))
        keys = _closest(name, investor, texts, limit)
        loaded = iter(_projects([key for key in keys if not self._keys.is_new(key)]))
        return [self._keys.project(key) if self._keys.is_new(key) else next(loaded)
                for key in keys]


class _Texts:
    """Normalised texts by themselves; by the pairs of characters they hold; and by their
    length and each pair and each character they hold (a text is compared only with texts of
    the lengths difflib's ratio allows, each length asking for as much in common as it needs)."""

    def __init__(self) -> None:
        self._by_text: dict[str, set[int]] = defaultdict(set)
        self._by_pair: dict[str, set[int]] = defaultdict(set)
        self._by_sized_pair: dict[tuple[int, str], set[int]] = defaultdict(set)
        self._by_sized_character: dict[tuple[int, str], set[int]] = defaultdict(set)
        self._lengths: Counter[int] = Counter()
        self._characters: dict[int, tuple[int, frozenset[str]]] = {}
        #: The lengths of the texts that start with a pair of characters (those this text may
        #: hold start at one of its own pairs).
        self._lengths_by_start: dict[str, Counter[int]] = defaultdict(Counter)

    def add(self, key: int, text: str) -> None:
        length = len(text)
        self._by_text[text].add(key)
        self._lengths_by_start[text[:2]][length] += 1
        self._lengths[length] += 1
        for pair in _pairs(text):
            self._by_pair[pair].add(key)
            self._by_sized_pair[length, pair].add(key)
        for character in text:
            self._by_sized_character[length, character].add(key)
        self._characters[key] = length, frozenset(text)

    def discard(self, key: int, text: str) -> None:
        length = len(text)
        self._by_text[text].discard(key)
        self._lengths_by_start[text[:2]][length] -= 1
        self._lengths[length] -= 1
        for pair in _pairs(text):
            self._by_pair[pair].discard(key)
            self._by_sized_pair[length, pair].discard(key)
        for character in text:
            self._by_sized_character[length, character].discard(key)
        self._characters.pop(key, None)

    def near(self, text: str) -> set[int]:
        """Every text that ``_Probe(text).closeness`` may score above 0 (and some others):
        - an equal text;
        - a text this one holds (at least ``CONTAINED_MIN`` characters);
        - a text that holds this one: it has every pair of it, so the rarest pair's texts;
        - a text alike by difflib's ratio: of the lengths the ratio allows (``_in_common``),
          at least ``M`` characters in common with this one, ``M`` the fewest the ratio allows
          for both lengths; and these fall in at most ``S - 2M + 1`` blocks (``S``: both
          lengths), so at least ``3M - S - 1`` pairs in common. A text of that length with
          enough in common of both holds one of this text's rarest of each (``_rarest``);
        of those, only the ones whose lengths and characters leave difflib's ratio room to
        reach ``NAME_RATIO`` (as ``_Probe.closeness`` tells before it asks difflib).
        """
        if not text:
            return set()
        length = len(text)
        found = set(self._by_text.get(text, ()))
        for start in range(length - CONTAINED_MIN + 1):
            for size, count in self._lengths_by_start.get(text[start:start + 2], {}).items():
                if count and CONTAINED_MIN <= size < length and start + size <= length:
                    found.update(self._by_text.get(text[start:start + size], ()))
        if length < 2:
            return found
        pairs, characters = Counter(_pairs(text)), Counter(text)
        candidates: set[int] = set()
        if length >= CONTAINED_MIN:
            candidates.update(self._by_pair.get(min(pairs, key=lambda pair: len(
                self._by_pair.get(pair, ()))), ()))
        for other, count in self._lengths.items():
            needed = _in_common(length, other)
            if count and needed is not None:
                paired = _rarest(self._by_sized_pair, other, pairs, needed[0])
                if paired:
                    candidates |= paired & _rarest(self._by_sized_character, other,
                                                   characters, needed[1])
        letters = frozenset(text)
        room = NAME_RATIO / 2  # of both lengths, the characters in common difflib needs
        repeated = length - len(letters)
        for key in candidates - found:
            other_length, others = self._characters[key]
            lengths = (length + other_length) * room
            if min(length, other_length) >= lengths and \
                    len(letters & others) + repeated >= lengths:
                found.add(key)
            elif length >= CONTAINED_MIN and other_length > length and letters <= others:
                found.add(key)  # perhaps holding this text: closeness says
        return found


def _rarest(index: dict[tuple[int, str], set[int]], length: int, counts: Counter[str],
            needed: int) -> set[int]:
    """The texts of ``length`` that hold one of the rarest among them of a text's parts
    (``counts``: its pairs, or its characters), taken until the others add up to fewer than
    ``needed``: so every such text with ``needed`` of them in common is among them (a
    similarity join's prefix filter)."""
    left = sum(counts.values())
    needed = min(needed, left)  # the rarest part, always
    found: set[int] = set()
    for part in sorted(counts, key=lambda part: len(index.get((length, part), ()))):
        if left < needed:
            break
        found.update(index.get((length, part), ()))
        left -= counts[part]
    return found


def _pairs(text: str) -> list[str]:
    return [text[index:index + 2] for index in range(len(text) - 1)]


@lru_cache(maxsize=4096)
def _in_common(length: int, other: int) -> tuple[int, int] | None:
    """What a text of ``length`` characters (two or more) has in common with any text of
    ``other`` characters that difflib finds at least ``NAME_RATIO`` alike: at least so many
    pairs of characters (``3M - S - 1``, ``S`` both lengths) and so many characters (``M``,
    the fewest the ratio allows); ``None`` when the lengths alone rule it out."""
    lengths = length + other
    common = math.ceil(NAME_RATIO * lengths / 2 - 1e-9)
    if common > min(length, other):
        return None
    return max(1, 3 * common - lengths - 1), common
