"""The load mix's weight table, tiles and request bodies (issue 21), without locust:
benchmarks/load_mix.py (locust) and benchmarks/load_cpu.py (in process) both read it."""

import uuid
from datetime import UTC, datetime, timedelta

# requests per second and weight: the share of each kind in the mix
WEIGHTS = {
    "day list": 20,  # GET /api/v1/me/tasks/ — agents' phones poll it
    "notifications": 12,  # GET /api/v1/me/notifications/
    "sync": 15,  # GET /api/v1/sync/?since=…
    "positions batch": 12,  # POST /api/v1/me/positions/ (5 fixes)
    # POST /api/v1/visits/ for a case, then …/check-in/: a few visits per agent a day; the demo
    # data gives cases to one agent only, whose per-user limit a larger share would reach
    "visit check-in": 1,
    "booking (desk)": 5,  # POST /api/v1/appointments/ by street centre staff
    "tiles (manager)": 15,  # GET /api/v1/tiles/grids/… as station managers
    "public tracking": 10,  # GET /api/v1/track/<code>/ — residents, anonymous
    "open311 read": 5,  # GET /open311/v2/requests.json (public reads)
}
TILES = [
    (14, 13745, 6129),
    (14, 13744, 6129),
    (14, 13745, 6130),
    (13, 6872, 3064),
    (12, 3436, 1532),
]


def positions_body(point) -> dict:
    """A positions batch: 5 fixes 10 s apart, a few metres apart, ending now."""
    lon, lat = point
    now = datetime.now(UTC)
    fixes = [
        {
            "location": {"type": "Point", "coordinates": [lon + i * 1e-5, lat]},
            "accuracy_m": 12,
            "recorded_at": (now - timedelta(seconds=10 * (5 - i))).isoformat(),
            "client_uuid": str(uuid.uuid4()),
        }
        for i in range(5)
    ]
    return {"positions": fixes}


def booking_body(point) -> dict:
    """A desk booking by phone at `point`, wanted the day after tomorrow."""
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=1, minute=0, second=0, microsecond=0
    )
    return {
        "service_item": "MZ-001",
        "applicant_name": "负载",
        "applicant_phone": "13800001234",
        "location": {"type": "Point", "coordinates": list(point)},
        "address": "负载测试",
        "channel": "phone",
        "preferred_start": start.isoformat(),
        "preferred_end": (start + timedelta(hours=2)).isoformat(),
    }
