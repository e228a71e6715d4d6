"""The inspection checklist (督导检查表): a constant, versioned by name.

Items: the six haves (六有) exactly as the plan (§6, 设置办公场所) lists them for a street/town
centre — and which a station's proxy window is checked against too — then what the working
rules require to be seen on the spot: the public board up to date (上墙公示), the register kept
(村民(居民)代理事项登记本, triplicate), the proxy window staffed on a working day (集中受理).

The checklist is code, not data: it changes with the plan, rarely, by a new VERSION. Each
inspection copies the items it was scored on (key, label, highest score), so old inspections
keep their meaning when the checklist changes.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = "2017-1"


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    max_score: int
    six_haves: bool = False


ITEMS: tuple[Item, ...] = (
    Item("premises", "有环境整洁有序、开放式窗口的办公场所", 10, True),
    Item("equipment", "有电脑、打印机、复印机等必要的办公设备", 10, True),
    Item("board_and_slogans", "有固定的公开栏和服务标语", 10, True),
    Item("guides", "有服务指南和业务办理流程图", 10, True),
    Item("signs", "有醒目的窗口和工作人员标示牌", 10, True),
    Item("waiting_area", "有群众休息场所、咨询台、意见箱", 10, True),
    Item("board_up_to_date", "公开栏及时更新：代办事项、代办员姓名职务联系方式、流程、制度", 15),
    Item("register_kept", "村民(居民)代理事项登记本规范填写、一式三联留存", 15),
    Item("window_staffed", "代办窗口工作日有人值守、随时受理", 10),
)
ITEMS_BY_KEY = {item.key: item for item in ITEMS}
MAX_TOTAL = sum(item.max_score for item in ITEMS)
