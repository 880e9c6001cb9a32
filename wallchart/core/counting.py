"""How signings are counted (签约项目统计口径): the one statement of the rule that every figure
of signed projects and signed investment uses — the indicators, the rankings, the results, the
report lists, the charts and the start-and-promise cohorts.

The city's rules, against double counting: a project counts once, for its first counted
signing; a supplementary agreement (补充协议) is never a new signing; a framework agreement
(框架协议) is pursued until it becomes a contract and counts then, on the date it did
(``contracted_on``), unless the install counts framework agreements as signed
(``SIGNED_AGREEMENTS``), in which case it counts on its signing date and its conversion adds
nothing; a capital increase (增资) adds its increment to the amount but no project
(``CAPITAL_INCREASE``: ``increment``), or, where the city counts it so, its whole investment and
a project (``project``); an upgraded project (升格) counts as a project with no new amount.
The README ("How signings are counted") states the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, null

from wallchart.core.models import Project

#: The agreements that may count as signed; a contract always does, a supplementary agreement
#: never.
COUNTABLE_AGREEMENTS = ("contract", "framework")
#: How a capital increase counts: its increment and no project, or a project with its whole
#: investment.
CAPITAL_INCREASE_RULES = ("increment", "project")


@dataclass(frozen=True)
class Rules:
    """The install's counting rules (``SIGNED_AGREEMENTS``, ``CAPITAL_INCREASE``); hashable, so
    that a statement built from them is built once per rule set."""

    framework_counts: bool
    capital_increase: str

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Rules:
        return cls("framework" in config["SIGNED_AGREEMENTS"], config["CAPITAL_INCREASE"])

    def signing_date(self) -> ColumnElement:
        """The date a project counts as signed on, or NULL while it does not count: a
        contract on the later of its signing and its conversion (one signed as a contract has
        no conversion; one signed again after a move back counts on its new signing); a
        framework agreement only where the install counts it, on its signing; a supplementary
        agreement never."""
        signed, contracted = Project.signed_on, Project.contracted_on
        if self.framework_counts:
            counted = case((Project.agreement_kind.in_(COUNTABLE_AGREEMENTS), signed),
                           else_=null())
        else:
            counted = case((Project.agreement_kind != "contract", null()),
                           (contracted > signed, contracted), else_=signed)
        return case((signed.is_(None), null()), else_=counted)

    def signed_in(self, period: Any) -> ColumnElement[bool]:
        """The project's signing counts in ``period`` (its ``start`` and ``end``: dates or
        bound parameters): it adds its ``signed_amount``, and a project where
        ``adds_project``."""
        return self.signing_date().between(period.start, period.end)

    def adds_project(self) -> ColumnElement[bool]:
        """A counted signing adds one to the projects signed, but a capital increase counted
        by its increment."""
        if self.capital_increase == "project":
            return literal(True)
        return Project.project_kind != "capital_increase"

    def signed_amount(self) -> ColumnElement[int]:
        """What a counted signing adds to the investment signed (万元): an upgraded project
        nothing, a capital increase its increment (or, counted as a project, its whole
        investment), any other its investment."""
        increase = (Project.increment_wan if self.capital_increase == "increment"
                    else Project.investment_wan)
        return case((Project.project_kind == "upgrade", 0),
                    (Project.project_kind == "capital_increase", increase),
                    else_=Project.investment_wan)


def converted_in(period: Any) -> ColumnElement[bool]:
    """A signed framework agreement became a contract in ``period`` (协议项目转化为合同项目):
    an event of its own, counted and listed whatever the settings."""
    return and_(Project.signed_on.is_not(None), Project.agreement_kind == "contract",
                Project.contracted_on.between(period.start, period.end))
