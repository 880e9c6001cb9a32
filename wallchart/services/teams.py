"""Special task teams (工作专班): who belongs where, and the object-level checks that follow.

Everyone signed in reads the whole board; a change to a project needs the role for it AND a
place in the project's team (as its lead or a member). Administrators are in every team.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, union

from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..models import Project, Team, User, team_member

NAME_MAX = 64


def team_ids(user: User) -> set[int]:
    """The teams ``user`` leads or belongs to, in one query."""
    return set(db.session.execute(union(
        select(team_member.c.team_id).where(team_member.c.user_id == user.id),
        select(Team.id).where(Team.lead_id == user.id),
    )).scalars())


def teams_of(user: User) -> list[Team]:
    """The teams whose projects ``user`` may change: every team for an administrator."""
    query = select(Team).order_by(Team.name)
    if user.role != "admin":
        query = query.where(Team.id.in_(team_ids(user)))
    return list(db.session.execute(query).scalars())


def check_access(actor: User, project: Project) -> None:
    """Refuse a change to a project of a team the actor is not in."""
    if actor.role != "admin" and project.team_id not in team_ids(actor):
        raise Forbidden(_("This project belongs to a team you are not in."))


def find_team(name: Any) -> Team:
    team = None
    if isinstance(name, str) and name.strip():
        team = db.session.execute(select(Team).where(Team.name == name.strip())).scalar()
    if team is None:
        raise Invalid(_("Choose a team from the list."), {"team": _("Unknown team.")})
    return team


def team_for_new_project(actor: User, name: Any) -> Team:
    """The named team (which must be one of the actor's), or the actor's only team."""
    if name is None or name == "":
        mine = teams_of(actor)
        if len(mine) != 1:
            raise Invalid(_("Choose the team this project belongs to."),
                          {"team": _("Choose a team.")})
        return mine[0]
    team = find_team(name)
    if actor.role != "admin" and team.id not in team_ids(actor):
        raise Forbidden(_("You can only add projects to your own teams."))
    return team


def team_for_handover(actor: User, project: Project, name: Any) -> Team:
    """A lead hands a project to another of his teams; an administrator to any team."""
    team = find_team(name)
    if team.id == project.team_id:
        return team
    if not actor.can("assign") or (actor.role != "admin" and team.id not in team_ids(actor)):
        raise Forbidden(_("Only a lead of both teams can hand a project over."))
    return team


def check_owner(project: Project, owner: User) -> None:
    """An owner comes from the project's team."""
    team = project.team
    if team is not None and owner not in team.people():
        raise Invalid(_("%(user)s is not in the team %(team)s.", user=owner.label, team=team.name),
                      {"owner": _("Choose someone from the project's team.")})


def create_team(name: Any, lead: str | None = None) -> Team:
    """A new team, optionally with its lead (who must be an active user)."""
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= NAME_MAX:
        raise Invalid(_("Give a name of 1 to 64 characters."), {"name": _("Invalid.")})
    if db.session.execute(select(Team.id).where(Team.name == name.strip())).first():
        raise Invalid(_("%(name)s exists already.", name=name.strip()), {"name": _("Taken.")})
    team = Team(name=name.strip(), lead=_user(lead) if lead else None)
    db.session.add(team)
    db.session.commit()
    return team


def add_members(name: str, usernames: list[str]) -> Team:
    """Put users in a team (those already in it stay, once)."""
    team = db.session.execute(select(Team).where(Team.name == name)).scalar()
    if team is None:
        raise NotFound(_("No team named %(name)s.", name=name))
    people = [_user(username) for username in usernames]
    for person in people:
        if person not in team.members:
            team.members.append(person)
    db.session.commit()
    return team


def _user(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar()
    if user is None or not user.active:
        raise NotFound(_("No active user named %(name)s.", name=username))
    return user
