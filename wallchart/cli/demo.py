"""A believable board for a prefecture-level city (modelled on Huaihua, Hunan) to try Wallchart on.

Company names are fictional on purpose: every investor carries the mark "（示例）".
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from wallchart.cli.dataset import Spec, ensure_counties, insert_projects
from wallchart.core.models import Project, Team, User
from wallchart.core.stages import stages_before
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import accounts, teams

COUNTIES = [
    ("鹤城区", "district"), ("中方县", "county"), ("沅陵县", "county"), ("辰溪县", "county"),
    ("溆浦县", "county"), ("会同县", "county"), ("麻阳苗族自治县", "county"),
    ("新晃侗族自治县", "county"), ("芷江侗族自治县", "county"), ("靖州苗族侗族自治县", "county"),
    ("通道侗族自治县", "county"), ("洪江市", "city"), ("洪江区", "district"),
    ("怀化高新技术产业开发区", "zone"), ("怀化经济开发区", "zone"), ("怀化国际陆港", "zone"),
]

PEOPLE = [("zhangsan", "张三", "lead"), ("lisi", "李四", "member"), ("wangwu", "王五", "member"),
          ("zhaoliu", "赵六", "member"), ("chenqi", "陈七", "lead"), ("liuba", "刘八", "viewer")]

#: team name, lead, members, the sectors whose projects it works
TEAMS = [
    ("工业项目专班", "zhangsan", ["lisi", "wangwu"], {"industry"}),
    ("文旅农业专班", "chenqi", ["zhaoliu", "wangwu"], {"tourism", "agriculture"}),
    ("现代服务业专班", "chenqi", ["lisi"], {"services"}),
]

#: (project name, investor, sector, investment in 万元)
PROJECTS = [
    ("新能源电池材料生产基地", "湘澜新材料科技有限公司（示例）", "industry", 350000),
    ("智能装备制造产业园", "远桥智造集团有限公司（示例）", "industry", 120000),
    ("电子信息元器件项目", "星河微电子股份有限公司（示例）", "industry", 85000),
    ("中药材精深加工项目", "五溪本草药业有限公司（示例）", "industry", 42000),
    ("绿色建材产业园", "青石建材集团有限公司（示例）", "industry", 60000),
    ("冷链物流及跨境电商产业园", "陆港通供应链有限公司（示例）", "services", 150000),
    ("高端竹木家居制造项目", "竹韵家居有限公司（示例）", "industry", 28000),
    ("铝合金精密压铸项目", "锐铝精工科技有限公司（示例）", "industry", 36000),
    ("生物医药中间体项目", "康瑞生物科技有限公司（示例）", "industry", 55000),
    ("锂电池回收利用项目", "循绿再生资源有限公司（示例）", "industry", 100000),
    ("数据中心及算力服务项目", "云栈数字科技有限公司（示例）", "services", 200000),
    ("黄桃标准化种植与加工基地", "丰果农业发展有限公司（示例）", "agriculture", 18000),
    ("碣滩茶产业融合发展项目", "雾岭茶业有限公司（示例）", "agriculture", 12000),
    ("冰糖橙冷链仓储项目", "甜橙鲜果供应链有限公司（示例）", "agriculture", 9500),
    ("生猪智慧养殖项目", "牧源农牧科技有限公司（示例）", "agriculture", 30000),
    ("中药材种植示范基地", "本草源农业科技有限公司（示例）", "agriculture", 8000),
    ("稻渔综合种养项目", "禾鱼生态农业有限公司（示例）", "agriculture", 5000),
    ("侗族文化旅游度假区", "侗乡文旅投资有限公司（示例）", "tourism", 180000),
    ("古商城街区保护开发项目", "古城文旅发展有限公司（示例）", "tourism", 65000),
    ("芷江受降纪念文旅综合体", "和平之旅文化传媒有限公司（示例）", "tourism", 40000),
    ("通道万佛山康养旅游项目", "万山康养旅游有限公司（示例）", "tourism", 75000),
    ("沅水风光带民宿集群", "沅水人家旅游开发有限公司（示例）", "tourism", 15000),
    ("区域商贸物流中心", "通衢商贸物流有限公司（示例）", "services", 48000),
    ("城市商业综合体", "汇城商业管理有限公司（示例）", "services", 90000),
    ("职业技能实训基地", "匠心教育科技有限公司（示例）", "services", 20000),
    ("智慧康养社区", "颐和康养产业有限公司（示例）", "services", 32000),
    ("汽车零部件制造项目", "驰远汽车零部件有限公司（示例）", "industry", 70000),
    ("光伏组件生产线项目", "阳光晨曦新能源有限公司（示例）", "industry", 110000),
    ("服装加工产业园", "锦绣服饰有限公司（示例）", "industry", 16000),
    ("预制菜加工项目", "湘味食品有限公司（示例）", "agriculture", 22000),
    ("林产化工项目", "松林化工科技有限公司（示例）", "industry", 26000),
    ("跨境电商直播基地", "数播电商有限公司（示例）", "services", 6000),
    ("新型储能电站项目", "储能未来科技有限公司（示例）", "industry", 130000),
    ("精品酒店及会展中心", "五溪会展酒店管理有限公司（示例）", "tourism", 58000),
    ("有机肥生产项目", "沃土生物肥业有限公司（示例）", "agriculture", 7000),
    ("铁路物流园二期", "陆港物流发展有限公司（示例）", "services", 95000),
]

#: The record beyond the card for the better-known investors; the others draw theirs at random.
DETAILS: dict[str, dict[str, Any]] = {
    "新能源电池材料生产基地": {
        "origin": "广东深圳", "three500": "china_private", "enterprise_type": "private",
        "industry_chain": "新能源电池", "source_channel": "liaison_office",
        "source_detail": "驻深圳招商联络处", "land_mu": 820, "contact_person": "周经理",
        "contact_phone": "+86 755 8888 0001"},
    "智能装备制造产业园": {
        "origin": "江苏苏州", "three500": "china_top", "enterprise_type": "private",
        "industry_chain": "智能制造", "source_channel": "chamber",
        "source_detail": "苏州湖南商会", "land_mu": 450},
    "电子信息元器件项目": {
        "origin": "香港", "foreign_invested": True, "foreign_capital_usd_wan": 3200,
        "enterprise_type": "foreign", "industry_chain": "电子信息", "source_channel": "expo",
        "source_detail": "港洽周", "new_trade_entity": True, "land_mu": 180},
    "冷链物流及跨境电商产业园": {
        "origin": "新加坡", "foreign_invested": True, "foreign_capital_usd_wan": 5000,
        "enterprise_type": "joint_venture", "industry_chain": "现代物流",
        "source_channel": "expo", "source_detail": "中国—东盟博览会", "new_trade_entity": True,
        "land_mu": 600},
    "数据中心及算力服务项目": {
        "origin": "北京", "three500": "china_top", "enterprise_type": "state_owned",
        "industry_chain": "数字经济", "source_channel": "direct", "confidential": True,
        "land_mu": 300, "description": "一期建设 5000 个标准机柜。\n二期视算力需求启动。"},
    "汽车零部件制造项目": {
        "origin": "德国", "three500": "fortune_global", "foreign_invested": True,
        "foreign_capital_usd_wan": 8000, "enterprise_type": "foreign",
        "industry_chain": "汽车零部件", "source_channel": "agency",
        "source_detail": "德国工商大会驻华代表处", "new_trade_entity": True, "land_mu": 260},
    "光伏组件生产线项目": {
        "origin": "浙江杭州", "three500": "china_private", "enterprise_type": "private",
        "industry_chain": "光伏", "source_channel": "liaison_office",
        "source_detail": "驻上海招商联络处", "land_mu": 380},
    "城市商业综合体": {
        "origin": "上海", "three500": "china_top", "enterprise_type": "private",
        "source_channel": "referral", "source_detail": "已落户企业推荐", "confidential": True},
    "新型储能电站项目": {
        "origin": "上海", "three500": "fortune_global", "enterprise_type": "state_owned",
        "industry_chain": "新型储能", "source_channel": "liaison_office",
        "source_detail": "驻上海招商联络处", "land_mu": 120},
    "生物医药中间体项目": {
        "origin": "台湾", "foreign_invested": True, "foreign_capital_usd_wan": 1500,
        "enterprise_type": "foreign", "industry_chain": "生物医药", "source_channel": "chamber",
        "source_detail": "台商协会"},
    "侗族文化旅游度假区": {
        "origin": "湖南长沙", "enterprise_type": "state_owned", "industry_chain": "文化旅游",
        "source_channel": "direct", "land_mu": 1500},
    "跨境电商直播基地": {
        "origin": "广东广州", "foreign_invested": True, "foreign_capital_usd_wan": 200,
        "enterprise_type": "joint_venture", "industry_chain": "跨境电商",
        "source_channel": "liaison_office", "source_detail": "驻广州招商联络处",
        "new_trade_entity": True},
}
ORIGINS = ["广东深圳", "广东东莞", "浙江宁波", "福建厦门", "湖南长沙", "湖北武汉", "重庆",
           "四川成都", "江西南昌", "贵州贵阳", "上海", "北京"]
CHANNELS = ["liaison_office", "chamber", "expo", "referral", "direct"]
NEXT_STEPS = ["赴企业总部拜访", "提交项目可研报告", "召开项目推进会", "落实用地指标",
              "签订补充协议", "办理施工许可"]

STAGE_SHARE = ["contact"] * 9 + ["negotiating"] * 9 + ["signed"] * 8 + ["started"] * 6 + \
    ["producing"] * 4


class DemoRefused(Exception):
    """The database is not empty: demo data never mixes with real projects."""


def load_demo(seed: int = 2026) -> str:
    """Fill an empty database with counties, users, teams and projects; returns a short summary.

    People and teams are made through the services; the projects, with the history a wall
    would have kept since their first contact, by the shared writer (``cli.dataset``), which
    can date each change on its day (the services date a change today).
    """
    if db.session.execute(select(func.count()).select_from(Project)).scalar_one():
        raise DemoRefused(_("The database already holds projects; demo data goes only into "
                            "an empty one."))
    rng = random.Random(seed)
    ensure_counties(COUNTIES)

    existing = set(db.session.execute(select(User.username)).scalars())
    for username, display_name, role in PEOPLE:
        if username not in existing:
            accounts.create_user(None, username, f"demo-{username}-{rng.randrange(10**6):06d}",
                                 role, display_name)
    existing_teams = set(db.session.execute(select(Team.name)).scalars())
    for name, lead, members, _sectors in TEAMS:
        if name not in existing_teams:
            teams.create_team(None, name, lead)
        teams.add_members(None, name, members)

    stages = STAGE_SHARE[:]
    rng.shuffle(stages)
    specs = []
    for (name, investor, sector, amount), stage in zip(PROJECTS, stages, strict=False):
        county = rng.choice(COUNTIES)[0]
        team_name, lead, members, _sectors = next(t for t in TEAMS if sector in t[3])
        owner = rng.choice([lead, *members])
        dates = _stage_dates(rng, stage)
        specs.append(Spec(name, investor, county, sector, amount, dates, team=team_name,
                          owner=owner, promised_start_on=_promise(rng, dates),
                          **_details(rng, name, owner)))
    insert_projects(specs)
    return _("Loaded %(projects)d projects in %(counties)d counties, districts and zones, "
             "worked by %(teams)d teams; users: %(users)s (set their passwords with "
             "'user password' before use).", projects=len(PROJECTS), counties=len(COUNTIES),
             teams=len(TEAMS), users=", ".join(u[0] for u in PEOPLE))


def _stage_dates(rng: random.Random, stage: str) -> dict[str, date]:
    """Dates for each stage up to ``stage``, counted back from the day it was entered: weeks to
    months between stages, a year or more before a construction start or a production."""
    day = today() - timedelta(days=rng.randint(0, 75))
    dates = {stage: day}
    for earlier in reversed(stages_before(stage)):
        gap = rng.randint(90, 300) if earlier in ("signed", "started") else rng.randint(10, 90)
        day -= timedelta(days=gap)
        dates[earlier] = day
    return dates


def _promise(rng: random.Random, dates: dict[str, date]) -> date | None:
    """The start a signing promised: two to eight months after it, so that some signed
    projects of the demo are past it (their cards light up)."""
    signed = dates.get("signed")
    return signed + timedelta(days=rng.randint(60, 240)) if signed else None


def _details(rng: random.Random, name: str, owner: str) -> dict[str, Any]:
    """The record beyond the card: ``DETAILS`` for the well-known investors, else drawn."""
    details = DETAILS.get(name) or {
        "origin": rng.choice(ORIGINS), "enterprise_type": "private",
        "source_channel": rng.choice(CHANNELS), "land_mu": rng.choice([0, 50, 120, 200])}
    if rng.random() < 0.5:  # about half have a next step; some of them overdue
        details = {**details, "next_step": rng.choice(NEXT_STEPS), "next_step_owner": owner,
                   "next_step_due": today() + timedelta(days=rng.randint(-20, 30)),
                   "planned_on": today() + timedelta(days=rng.randint(30, 240))}
    return details
