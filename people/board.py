"""The public board (上墙公示) of a service centre: who serves there, when, how, by which rules.

Readable without login; lists only staff marked public and active, and only their name, post
and work phone (what the plan requires to be posted). Desk cover is stated as it is: the
working days of the coming PEOPLE["BOARD_DESK_DAYS"] on which nobody is at the desk
(`selectors.desk_gaps`) are listed, never hidden behind "every working day is covered".
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from cases.register_heads import latest_head
from catalogue.selectors import centre_item_versions
from geo.models import Area, ServiceCentre

from .models import Staff
from .selectors import DeskGaps, desk_gaps

WEEKDAYS_ZH = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}

PROCESS = [
    "受理：代办员通过预约或在代办窗口受理群众事项，进行预审；符合条件、材料齐全的，登记《村民（居民）代理事项登记本》（一式三联），启动代办程序；不符合条件或材料不全的，向申请人说明原因。",
    "承办：代办员将受理事项报送街（镇）行政服务中心，由中心在规定时限内办结。",
    "回复：办结后通知代办员领取结果，由代办员送还申请人。",
]

RULES = [
    "集中受理：实行轮值或每周固定受理日，每个工作日都有人员受理群众事项，不得推诿、拒绝。",
    "无偿代办：除法律法规明确规定的收费外，不收取任何费用。",
    "首问负责：群众首先询问的代办员为该事项的受理、转办责任人。",
    "一次告知：一次性告知申请人所需全部材料、办理程序和时限。",
    "限时办结：代办事项明确办理时限，原则上不超过承办部门承诺时限。",
    "上墙公示：公开代办事项范围、内容和代办员姓名、职务、联系方式，设置意见箱收集群众意见。",
    "上门服务：群众预约后，代办员及时上门服务，帮助准备材料、填写表格，在时限内回复办理结果。",
]


def day_zh(day: date) -> str:
    return f"{day.month}月{day.day}日（{WEEKDAYS_ZH[day.isoweekday()]}）"


def acceptance_text(centre: ServiceCentre, gaps: DeskGaps) -> list[str]:
    """How residents are received, and the coming working days on which nobody is."""
    missing = (
        "以下工作日暂无人员在岗受理，请先电话联系：" + "、".join(day_zh(d) for d in gaps.days)
        if gaps.days
        else None
    )
    if centre.acceptance == ServiceCentre.Acceptance.FIXED_DAYS and centre.acceptance_weekdays:
        days = "、".join(WEEKDAYS_ZH[d] for d in sorted(centre.acceptance_weekdays))
        lines = [f"每周固定受理日：{days}"]
    else:
        lines = ["轮值受理" + ("" if missing else "：每个工作日均有人员在岗受理")]
    return [*lines, *([missing] if missing else []), f"受理时间：{centre.opening_hours}"]


def board_for(area: Area, today: date | None = None) -> dict:
    centre = area.centre
    first = today or timezone.localdate()
    last = first + timedelta(days=settings.PEOPLE["BOARD_DESK_DAYS"] - 1)
    gaps = desk_gaps(centre, first, last)
    people = (
        Staff.objects.filter(centre=centre, public=True, active=True)
        .order_by("full_name")
        .values("id", "full_name", "post", "phone", "agent_type")
    )
    items = [
        {
            "code": v.item.code,
            "name": v.name,
            "proxy_limit_days": v.proxy_limit_days,
            "free_of_charge": v.is_free,
        }
        for v in centre_item_versions(centre)
    ]
    return {
        "code": area.code,
        "name": centre.name,
        "area_name": area.name,
        "level": area.level,
        "address": centre.address,
        "phone": centre.phone,
        "opening_hours": centre.opening_hours,
        "acceptance": centre.acceptance,
        "acceptance_days": acceptance_text(centre, gaps),
        "desk_gaps": {
            "first": first,
            "last": last,
            "days": gaps.days,
            "provisional": gaps.provisional,
        },
        "people": list(people),
        "service_items": items,
        "process": PROCESS,
        "rules": RULES,
        "suggestion_box": "意见箱设在代办窗口旁；也可通过本中心电话反映意见和建议。",
        "register_head": _register_head(centre),
    }


def _register_head(centre: ServiceCentre) -> dict | None:
    """登记本校验: the register's head as last published (anyone may copy it down and later
    ask that the register still leads to it)."""
    head = latest_head(centre)
    if head is None:
        return None
    return {
        "published_on": head.published_on,
        "number": head.number,
        "hash": head.hash,
    }
