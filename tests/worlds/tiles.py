"""A catalogue item on its own (tiles and maps place appointments and cases of it)."""

from catalogue import services as catalogue_services
from catalogue.models import ServiceItem
from tests.worlds.stack import world_fixture


@world_fixture
def item():
    """Service item MZ-001 (street level, one material, 15/10 days)."""
    catalogue_services.item_create(
        actor=None,
        code="MZ-001",
        data={
            "name": "高龄津贴申请",
            "category": "老年人服务",
            "handling_level": "street",
            "department": "区民政局",
            "materials": [{"key": "id_card", "name": "居民身份证"}],
            "procedure": ["预审"],
            "committed_limit_days": 15,
            "proxy_limit_days": 10,
        },
    )
    return ServiceItem.objects.get(code="MZ-001")
