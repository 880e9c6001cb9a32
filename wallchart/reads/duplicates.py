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
5,000 projects on every creation.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from sqlalchemy import select

from wallchart.core.models import Project
from wallchart.extensions import db

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


@lru_cache(maxsize=20_000)
def normalise(text: str) -> str:
    """A name as compared: full-width forms folded, bracketed remarks, spaces and punctuation
    removed, lower case, legal-form suffixes stripped."""
    text = NOISE.sub("", unicodedata.normalize("NFKC", text or "").casefold())
    return SUFFIXES.sub("", text)


class _Probe:
    """One normalised text, compared against many (difflib caches the second sequence)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.skeleton = NUMBERS.sub("#", text)
        self.matcher = SequenceMatcher(None, "", text, autojunk=False)

    def _numbered(self, other: str) -> bool:
        """Whether the texts differ only in their numbers: 测试项目1 and 测试项目2."""
        return NUMBERS.sub("#", other) == self.skeleton

    def closeness(self, other: str) -> float:
        """1 for equal texts, 0.9 when one holds the other, difflib's ratio when it reaches
        ``NAME_RATIO``; 0 otherwise, and when only their numbers differ."""
        if not self.text or not other:
            return 0.0
        if other == self.text:
            return 1.0
        shorter, longer = sorted((other, self.text), key=len)
        score = 0.9 if len(shorter) >= CONTAINED_MIN and shorter in longer else 0.0
        matcher = self.matcher
        matcher.set_seq1(other)
        # difflib's real_quick_ratio, without the call: the lengths alone rule most out.
        if 2 * len(shorter) >= NAME_RATIO * (len(shorter) + len(longer)) and \
                matcher.quick_ratio() >= NAME_RATIO:
            ratio = matcher.ratio()
            score = max(score, ratio if ratio >= NAME_RATIO else 0.0)
        return 0.0 if score and self._numbered(other) else score

    def shares_run(self, other: str) -> bool:
        """Whether the texts have ``CONTAINED_MIN`` characters in a row in common."""
        self.matcher.set_seq1(other)
        run = self.matcher.find_longest_match(0, len(other), 0, len(self.text)).size
        return run >= CONTAINED_MIN and not self._numbered(other)


def similar_projects(name: str, investor: str, exclude_id: int | None = None,
                     limit: int = 5) -> list[Project]:
    """Projects not deleted (on the board or withdrawn) that ``name``/``investor`` closely
    match, the closest first."""
    name_probe, investor_probe = _Probe(normalise(name)), _Probe(normalise(investor))
    query = select(Project.id, Project.name, Project.investor).where(
        Project.deleted_at.is_(None))
    if exclude_id is not None:
        query = query.where(Project.id != exclude_id)
    scored: list[tuple[float, int]] = []
    for project_id, other_name, other_investor in db.session.execute(query):
        other = normalise(other_name)
        names = name_probe.closeness(other)
        investors = investor_probe.closeness(normalise(other_investor))
        if names or (investors and name_probe.shares_run(other)):
            scored.append((names + investors, project_id))
    best = [project_id for _score, project_id in sorted(scored, key=lambda s: (-s[0], s[1]))]
    best = best[:limit]
    if not best:
        return []
    found = {project.id: project for project in db.session.execute(
        select(Project).where(Project.id.in_(best))).scalars()}
    return [found[project_id] for project_id in best]
