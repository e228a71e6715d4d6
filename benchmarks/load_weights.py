"""The load mix's weight table and tiles (issue 21), without locust: benchmarks/load_mix.py
(locust) and benchmarks/load_cpu.py (in process) both read it."""

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
