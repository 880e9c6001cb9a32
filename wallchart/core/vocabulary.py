"""The fixed vocabularies of the wall: stages, sectors, roles and county kinds.

Keys are stable (code, API, database); labels go through gettext so each screen reads its language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAGES: dict[str, object] = {
    "contact": _l("Contact"),
    "negotiating": _l("Negotiating"),
    "signed": _l("Signed"),
    "started": _l("Construction started"),
    "producing": _l("Completed & producing"),
}

SECTORS: dict[str, object] = {
    "industry": _l("Industry"),
    "agriculture": _l("Modern agriculture"),
    "tourism": _l("Cultural tourism"),
    "services": _l("Modern services"),
}

#: The "Three Category 500" lists (三类500强) an investor may be on.
THREE500: dict[str, object] = {
    "fortune_global": _l("Fortune Global 500"),
    "china_top": _l("China Top 500"),
    "china_private": _l("China Private Top 500"),
}

ENTERPRISE_TYPES: dict[str, object] = {
    "state_owned": _l("State-owned"),
    "private": _l("Private"),
    "foreign": _l("Foreign"),
    "joint_venture": _l("Joint venture"),
}

#: How the project reached us (招商渠道); the detail (which office, which expo) is free text.
SOURCE_CHANNELS: dict[str, object] = {
    "liaison_office": _l("Investment liaison office"),
    "chamber": _l("Chamber of commerce"),
    "expo": _l("Expo or promotion event"),
    "referral": _l("Referral by an investor"),
    "agency": _l("Agency or intermediary"),
    "direct": _l("Direct approach by the enterprise"),
    "other": _l("Other"),
}

#: The kind of agreement a signing is (签约协议类型); which of them count as signed is a setting
#: (``core.counting``).
AGREEMENT_KINDS: dict[str, object] = {
    "framework": _l("Framework agreement"),
    "contract": _l("Investment agreement or contract"),
    "supplementary": _l("Supplementary agreement"),
}

#: The kind of project a signing brings (项目类型): a capital increase counts its increment, an
#: upgrade no new amount (``core.counting``).
PROJECT_KINDS: dict[str, object] = {
    "new": _l("Newly built project"),
    "capital_increase": _l("Capital increase"),
    "upgrade": _l("Upgraded project"),
}

#: Kinds of coordination matters (协调事项) a project may need solved.
BLOCKER_KINDS: dict[str, object] = {
    "land": _l("Land"),
    "funding": _l("Funding"),
    "approval": _l("Approval"),
    "policy": _l("Policy"),
    "other": _l("Other"),
}

#: Why a project was withdrawn (终止/退库).
WITHDRAW_REASONS: dict[str, object] = {
    "investor_withdrew": _l("Investor withdrew"),
    "went_elsewhere": _l("Settled elsewhere"),
    "policy": _l("Does not meet policy"),
    "funding": _l("Funding fell through"),
    "land": _l("No land available"),
    "duplicate": _l("Duplicate record"),
    "other": _l("Other"),
}

#: What a wall display may show: a lobby screen hides confidential projects' investor and amount.
DISPLAY_PROFILES: dict[str, object] = {
    "staff": _l("Staff screen: everything"),
    "lobby": _l("Lobby screen: confidential details hidden"),
}

#: The views a wall display rotates through.
DISPLAY_VIEWS: dict[str, object] = {
    "board": _l("Board"),
    "ranking": _l("County ranking"),
    "attention": _l("Open blockers and red cards"),
    "charts": _l("Charts"),
}

#: Meeting mode: the wall views the chair may put up instead of an agenda item.
MEETING_VIEWS: dict[str, object] = {
    "ranking": _l("County ranking"),
    "attention": _l("Blocker list"),
}

#: The figures a wall's header may show, each of the year to date; a display shows
#: ``HEADER_FIGURE_COUNT`` of them, in the order it chose.
HEADER_FIGURES: dict[str, object] = {
    "signed": _l("Newly signed"),
    "signed_investment": _l("Signed investment"),
    "signed_billion_plus": _l("CNY 1bn+ projects"),
    "signed_three500": _l("Three-500 projects"),
    "foreign_capital": _l("Contracted foreign capital"),
    "started": _l("Newly started"),
    "producing": _l("Newly producing"),
    "funds_in_place": _l("Funds in place"),
    "foreign_capital_actual": _l("Foreign capital actually used"),
}
HEADER_FIGURE_COUNT = 7
#: What a display shows until someone chooses: the header as it always was.
DEFAULT_HEADER_FIGURES = ("signed", "signed_investment", "signed_billion_plus",
                          "signed_three500", "foreign_capital", "started", "producing")

ROLES: dict[str, object] = {
    "admin": _l("Administrator"),
    "lead": _l("Team lead"),
    "member": _l("Member"),
    "viewer": _l("Viewer"),
}

COUNTY_KINDS: dict[str, object] = {
    "district": _l("District"),
    "county": _l("County"),
    "city": _l("County-level city"),
    "zone": _l("Zone"),
}

#: What each role may do to projects; checked by the services, shown by the templates.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"read", "create", "edit", "move", "assign", "delete", "note",
                        "correct_dates", "withdraw", "reopen", "record_funds", "correct_funds",
                        "add_documents", "remove_documents", "verify_signings", "run_meetings",
                        "admin"}),
    "lead": frozenset({"read", "create", "edit", "move", "assign", "delete", "note",
                       "correct_dates", "withdraw", "reopen", "record_funds", "correct_funds",
                       "add_documents", "remove_documents", "verify_signings",
                       "run_meetings"}),
    "member": frozenset({"read", "create", "edit", "move", "note", "record_funds",
                         "add_documents"}),
    "viewer": frozenset({"read"}),
}

#: The kinds of document a project keeps as evidence for its figures.
DOCUMENT_KINDS: dict[str, object] = {
    "agreement": _l("Signed agreement"),
    "licence": _l("Business licence"),
    "funds_proof": _l("Proof of funds in place"),
    "other": _l("Other document"),
}

FIELD_LABELS: dict[str, object] = {
    "name": _l("Project name"),
    "code": _l("Project code"),
    "investor": _l("Investor"),
    "investment_wan": _l("Investment"),
    "county": _l("County / district"),
    "sector": _l("Sector"),
    "team": _l("Team"),
    "owner": _l("Owner"),
    "stage": _l("Stage"),
    "origin": _l("Investor's origin"),
    "foreign_invested": _l("Foreign-invested"),
    "three500": _l("Three Category 500"),
    "enterprise_type": _l("Enterprise type"),
    "industry_chain": _l("Industry chain"),
    "source_channel": _l("Source channel"),
    "source_detail": _l("Channel detail"),
    "foreign_capital_usd_wan": _l("Foreign capital"),
    "new_trade_entity": _l("New foreign-trade entity"),
    "contact_person": _l("Contact person"),
    "contact_phone": _l("Contact phone"),
    "land_mu": _l("Land needed"),
    "description": _l("Description"),
    "confidential": _l("Confidential"),
    "planned_on": _l("Next stage planned for"),
    "promised_start_on": _l("Promised start date"),
    "agreement_kind": _l("Kind of agreement"),
    "project_kind": _l("Kind of project"),
    "increment_wan": _l("Capital increase amount"),
    "contracted_on": _l("Date it became a contract"),
    "next_step": _l("Next step"),
    "next_step_due": _l("Next step due"),
    "next_step_owner": _l("Next step owner"),
    "status": _l("Status"),
    "withdrawn_reason": _l("Reason for withdrawal"),
    "withdrawn_comment": _l("Comment"),
    "stage_dates.contact": _l("First contact date"),
    "stage_dates.negotiating": _l("Negotiation start date"),
    "stage_dates.signed": _l("Signing date"),
    "stage_dates.started": _l("Construction start date"),
    "stage_dates.producing": _l("Production date"),
}

#: What the audit log records (keys are stored), as the log page names them.
AUDIT_ACTIONS: dict[str, object] = {
    "user.create": _l("User created"),
    "user.disable": _l("User disabled"),
    "user.enable": _l("User re-enabled"),
    "user.role": _l("Role changed"),
    "user.password_reset": _l("Password reset"),
    "user.api_token": _l("API token issued"),
    "user.api_token_revoke": _l("API tokens revoked"),
    "password.change": _l("Own password changed"),
    "team.create": _l("Team created"),
    "team.lead": _l("Team lead changed"),
    "team.add_member": _l("Members added"),
    "team.remove_member": _l("Member removed"),
    "county.add": _l("County added"),
    "county.rename": _l("County renamed"),
    "county.delete": _l("County deleted"),
    "display.create": _l("Display created"),
    "display.update": _l("Display settings changed"),
    "display.revoke": _l("Display revoked"),
    "target.set": _l("Annual targets set"),
    "meeting.create": _l("Meeting prepared"),
    "meeting.agenda": _l("Meeting agenda changed"),
    "webhook.add": _l("Webhook added"),
    "webhook.remove": _l("Webhook removed"),
}

#: A meeting's decision (交办事项) as the follow-up (督办) sees it: its blocker resolved, open
#: past its due date (Asia/Shanghai), or open.
DECISION_STATES: dict[str, object] = {
    "open": _l("Open"),
    "done": _l("Done"),
    "overdue": _l("Overdue"),
}

#: The group chats a team's webhook posts to, each in its platform's bot format.
WEBHOOK_KINDS: dict[str, object] = {
    "wecom": _l("WeCom group bot (企业微信)"),
    "dingtalk": _l("DingTalk robot (钉钉)"),
    "feishu": _l("Feishu bot (飞书)"),
    "generic": _l("Signed JSON (any service)"),
}

#: What a team's webhook can hear; one that names none hears every one.
WEBHOOK_EVENTS: dict[str, object] = {
    "created": _l("A project is added"),
    "moved": _l("A card moves to another stage"),
    "assigned": _l("A project gets an owner"),
    "withdrawn": _l("A project is withdrawn"),
    "warning": _l("A card turns yellow or red"),
    "blocker": _l("A blocker is raised"),
    "digest": _l("The team's daily digest"),
}
