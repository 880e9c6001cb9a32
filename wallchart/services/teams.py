"""Special task teams (工作专班): who belongs where, the object-level checks that follow, and the
administrators' changes to teams (each audited like those in ``accounts``).

Everyone signed in reads the whole board; a change to a project needs the role for it AND a
place in the project's team (as its lead or a member). Administrators are in every team.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wallchart.core.errors import Forbidden, Invalid, NotFound
from wallchart.core.models import Project, Team, User
from wallchart.core.transactions import quiet_transaction, remembered
from wallchart.extensions import db
from wallchart.reads.queries import TEAMS_OF
from wallchart.services.accounts import audit, clean_name, require_admin
from wallchart.services.validation import refuse_if


def team_ids(user: User) -> frozenset[int]:
    """The teams ``user`` leads or belongs to, in one query a transaction: an import checks
    them for each of its thousands of rows (teams and memberships change in transactions of
    their own, which ask for none)."""
    return remembered(("team_ids", user.id), lambda: frozenset(
        db.session.execute(TEAMS_OF, {"user_id": user.id}).scalars()))


def team_names(user: User) -> list[str]:
    """The names of the teams ``user`` leads or belongs to, for showing on his page."""
    return list(db.session.execute(
        select(Team.name).where(Team.id.in_(team_ids(user))).order_by(Team.name)).scalars())


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
        named = name.strip()
        team = remembered(("team", named), lambda: db.session.execute(
            select(Team).where(Team.name == named)).scalar())
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


def create_team(actor: User | None, name: Any, lead: str | None = None) -> Team:
    """A new team, optionally with its lead (who must be an active user)."""
    with quiet_transaction():
        require_admin(actor)
        errors: dict[str, str] = {}
        name = clean_name(name, "name", errors)
        if "name" not in errors and db.session.execute(
                select(Team.id).where(Team.name == name)).first():
            errors["name"] = _("%(name)s exists already.", name=name)
        person = _active_user(lead, "lead", errors) if lead else None
        refuse_if(errors)
        team = Team(name=name, lead=person)
        db.session.add(team)
        audit(actor, "team.create", name, lead=lead or None)
    return team


def set_lead(actor: User | None, name: str, lead: str | None) -> Team:
    """Give a team another lead, or none (``None``); the old lead stays a member if he was one."""
    with quiet_transaction():
        require_admin(actor)
        team = _team(name)
        errors: dict[str, str] = {}
        person = _active_user(lead, "lead", errors) if lead else None
        refuse_if(errors)
        if person != team.lead:
            audit(actor, "team.lead", team.name,
                  **{"from": team.lead.username if team.lead else None, "to": lead or None})
            team.lead = person
    return team


def add_members(actor: User | None, name: str, usernames: list[str]) -> Team:
    """Put users in a team (those already in it stay, once); a user may be in several."""
    with quiet_transaction():
        require_admin(actor)
        team = _team(name)
        errors: dict[str, str] = {}
        people = [_active_user(username, "user", errors) for username in usernames]
        if not usernames:
            errors["user"] = _("Choose someone from the list.")
        refuse_if(errors)
        added = [person for person in people if person not in team.members]
        if added:
            team.members.extend(added)
            audit(actor, "team.add_member", team.name,
                  users=[person.username for person in added])
    return team


def remove_member(actor: User | None, name: str, username: str) -> Team:
    """Take a user out of a team; the team's projects he owns keep him as their owner until a
    lead assigns them to someone else."""
    with quiet_transaction():
        require_admin(actor)
        team = _team(name)
        person = next((user for user in team.members if user.username == username), None)
        if person is None:
            raise Invalid(_("%(user)s is not a member of %(team)s.", user=username, team=team.name),
                          {"user": _("Not a member.")})
        team.members.remove(person)
        audit(actor, "team.remove_member", team.name, user=username)
    return team


def teams_with_people() -> list[Team]:
    """Every team with its lead and members loaded, for the administration pages."""
    return list(db.session.execute(
        select(Team).options(selectinload(Team.members), joinedload(Team.lead))
        .order_by(Team.name)).scalars())


def _team(name: str) -> Team:
    team = db.session.execute(select(Team).where(Team.name == name)).scalar()
    if team is None:
        raise NotFound(_("No team named %(name)s.", name=name))
    return team


def _active_user(username: Any, field: str, errors: dict[str, str]) -> User | None:
    """The active user ``username``; otherwise the refusal goes into ``errors``."""
    user = None
    if isinstance(username, str):
        user = db.session.execute(select(User).where(User.username == username)).scalar()
    if user is None or not user.active:
        errors[field] = _("No active user named %(name)s.", name=username)
        return None
    return user
