"""The residents' pages: each view reads a form, calls the service or selector the public API
calls for the same thing, and renders the answer in plain words (`words`).

Input goes through the API's own input serializers (shapes) and then its services (rules); the
throttles are the API's own classes, so a page and the API share one counter per client. A
refusal renders the form again with the words beside the box to fix, status 400 (429 when
throttled, 404 when a look-up finds nothing, 409 when the matter's state refuses), and nothing
is stored. No view keeps a time limit: a form may be left open for as long as it takes.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import wraps

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appointments import intake
from appointments.api.serializers import AppointmentInput, intake_from, routing_block
from appointments.api.views import AnonAppointmentThrottle, StaffAppointmentThrottle
from cases import tracking
from cases.api.views import TrackThrottle
from catalogue.models import ServiceItem
from catalogue.notice import notice_data
from catalogue.selectors import current_versions
from core import coords
from core.api.input import check_url, has_unstorable_text
from core.csp import csp_allow, origin_of_template
from core.errors import ApplicationError
from feedback import selectors as feedback_selectors
from feedback import services as feedback_services
from feedback.api.serializers import ComplaintInput, SuggestionInput, track_block
from feedback.api.views import AnonFeedbackThrottle, AnonTrackThrottle
from geo.geometry import point_from_query
from geo.stations import stations_matching, stations_near

from . import words

TEXT_COOKIE = "portal_text"
TEXT_COOKIE_AGE = 400 * 24 * 3600  # a year and more: the choice is kept
WINDOW_DAYS = 7
DAY_PARTS = {"am": (time(9), time(12)), "pm": (time(14), time(17))}
WEEKDAYS = "一二三四五六日"


def _page(request, template: str, context: dict, *, status: int = 200):
    context = {
        "large_text": request.COOKIES.get(TEXT_COOKIE) == "large",
        "page": template.removeprefix("portal/").split("_")[0].split(".")[0],
        **context,
    }
    return render(request, template, context, status=status)


class Refused(Exception):
    """A refusal in plain words: the page renders its form again with it."""

    def __init__(self, message: str, *, field: str = "", status: int = 400):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status

    @classmethod
    def of(cls, error: ApplicationError) -> Refused:
        return cls(words.refusal(error), field=words.field_of(error), status=error.status)


def clean_input(view):
    """Characters the database cannot hold (NUL, lone surrogates) in the URL or a form box are
    refused at the door, as the API's parsers refuse them (`core.api.input`)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        try:
            check_url(request)
            if any(has_unstorable_text(v) for v in request.POST.values()):
                raise ApplicationError("invalid_characters", "")
        except ApplicationError:
            refused = Refused(words.REFUSAL["invalid_characters"])
            return _page(request, "portal/refused.html", {"refused": refused}, status=400)
        return view(request, *args, **kwargs)

    return checked


def _throttle(request, *throttles) -> None:
    """The API's throttles, on the same counters (a refusal counts, as it does in the API)."""
    for throttle in throttles:
        if not throttle.allow_request(request, None):
            raise Refused(words.REFUSAL["throttled"], status=429)


def _shapes(serializer_class, data: dict, fields: dict[str, str]) -> dict:
    """The API's input serializer over the form: a missing or malformed box → plain words."""
    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return serializer.validated_data
    field = next(iter(serializer.errors))
    box = words.FIELD.get(field, field)
    raise Refused(fields.get(field) or fields.get(box) or "请检查填写的内容。", field=box)


# --- the home page: the service, the catalogue, your station -----------------------------


def _catalogue() -> list:
    versions = sorted(current_versions(), key=lambda v: (v.item.is_other_request, v.item.code))
    return [v for v in versions if not v.item.is_other_request]


def _station_search(request) -> dict:
    """`?lon=&lat=` (the phone's position, WGS-84) or `?q=` (an address)."""
    query = request.GET
    if query.get("lon") or query.get("lat"):
        try:
            point = point_from_query(query)
        except ApplicationError:
            return {"asked": True, "found": [], "problem": "没有取得您的位置，请输入地址查找。"}
        return {"asked": True, "found": stations_near(point), "by_position": True}
    if text := query.get("q", "").strip():
        found = [{"centre": c} for c in stations_matching(text)]
        return {"asked": True, "found": found, "q": text}
    return {"asked": False}


@require_GET
@clean_input
def home(request):
    """首页: what the service is, the items with their one-time notices, the nearest station."""
    return _page(
        request,
        "portal/home.html",
        {"items": _catalogue(), "stations": _station_search(request)},
    )


@require_POST
@clean_input
def text_size(request):
    """The "larger text" switch: a cookie, kept; back to the page it was pressed on."""
    back = request.POST.get("next") or reverse("portal:home")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("portal:home")
    response = HttpResponseRedirect(back)
    size = "large" if request.POST.get("size") == "large" else "normal"
    response.set_cookie(
        TEXT_COOKIE, size, max_age=TEXT_COOKIE_AGE, samesite="Lax", secure=request.is_secure()
    )
    return response


# --- ask for a visit ----------------------------------------------------------------------


def _basemap() -> dict | None:
    """The configured raster basemap (`MAP_BASEMAP_*`, as the map page and the field app read
    it); `crs` says what its tiles are drawn in: gcj02 points go with gcj02 tiles."""
    url = getattr(settings, "MAP_BASEMAP_URL", "")
    if not url:
        return None
    return {
        "url": url,
        "attribution": getattr(settings, "MAP_BASEMAP_ATTRIBUTION", ""),
        "subdomains": getattr(settings, "MAP_BASEMAP_SUBDOMAINS", "") or "abc",
        "crs": "gcj02" if settings.MAP_BASEMAP_CRS == "gcj02" else "wgs84",
    }


def _stations_for_map(crs: str) -> list[dict]:
    from geo.models import Area, ServiceCentre

    found = []
    for centre in ServiceCentre.objects.filter(area__level=Area.Level.COMMUNITY).select_related(
        "area"
    ):
        lon, lat = coords.from_wgs84(centre.location.x, centre.location.y, crs)
        found.append({"code": centre.area.code, "name": centre.name, "lon": lon, "lat": lat})
    return sorted(found, key=lambda s: s["code"])


def _days(now: datetime) -> list[dict]:
    today = timezone.localdate(now)
    names = {0: "今天", 1: "明天", 2: "后天"}
    return [
        {
            "value": (day := today + timedelta(days=n)).isoformat(),
            "label": f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}"
            + (f"（{names[n]}）" if n in names else ""),
        }
        for n in range(WINDOW_DAYS)
    ]


def _window(day: str, part: str) -> tuple[str | None, str | None]:
    """The preferred window the form names (a day and a morning or an afternoon), as the API
    takes it; anything unreadable is passed on for the API's serializer and service to judge."""
    if part not in DAY_PARTS or not day:
        return None, None
    try:
        date = datetime.fromisoformat(day).date()
    except ValueError:
        return day, day
    zone = timezone.get_current_timezone()
    start, end = (datetime.combine(date, t, tzinfo=zone).isoformat() for t in DAY_PARTS[part])
    return start, end


def _location(post, crs: str) -> tuple[dict | None, str]:
    """The home's place: the map's point (in the basemap's coordinates), else the chosen
    community station's place (the agent finds the home by the address line)."""
    try:
        lon, lat = float(post.get("lon", "")), float(post.get("lat", ""))
    except ValueError:
        lon = lat = None
    if lon is not None and lat is not None:
        return {"type": "Point", "coordinates": [lon, lat]}, crs
    from geo.models import ServiceCentre

    code = post.get("community", "")
    centre = ServiceCentre.objects.filter(area__code=code).only("location").first()
    if centre is None:
        return None, "wgs84"
    return {"type": "Point", "coordinates": [centre.location.x, centre.location.y]}, "wgs84"


VISIT_BOXES = {
    "service_item": "请选择要办的事。",
    "applicant_name": "请填写您的姓名。",
    "applicant_phone": "请填写手机号码。",
    "location": words.REFUSAL["missing_coordinates"],
    "address": words.REFUSAL["address_required"],
    "preferred_start": words.REFUSAL["invalid_window"],
    "preferred_end": words.REFUSAL["invalid_window"],
    "description": "“要办什么”写得太长了，请简短一些。",
}


def _book(request) -> dict:
    _throttle(request, AnonAppointmentThrottle(), StaffAppointmentThrottle())
    post = request.POST
    basemap = _basemap()
    location, crs = _location(post, basemap["crs"] if basemap else "wgs84")
    start, end = _window(post.get("day", ""), post.get("part", ""))
    data = {
        "service_item": post.get("item", ""),
        "description": post.get("description", ""),
        "applicant_name": post.get("name", ""),
        "applicant_phone": post.get("phone", ""),
        "address": post.get("address", ""),
        "crs": crs,
        "channel": "web",
        "preferred_start": start,
        "preferred_end": end,
    }
    if location is not None:
        data["location"] = location
    checked = _shapes(AppointmentInput, data, VISIT_BOXES)
    try:
        appointment = intake.appointment_create(
            actor=request.user if request.user.is_authenticated else None,
            intake=intake_from(checked),
        )
    except ApplicationError as error:
        raise Refused.of(error) from error
    return {
        "appointment": appointment,
        "status_words": words.STATUS.get(appointment.status, ""),
        "routing": routing_block(appointment, staff_view=False),
        "notice": notice_data(appointment.item_version),
    }


@require_http_methods(["GET", "POST"])
@clean_input
def visit(request):
    """预约上门: the form, and on POST the booking (the API's intake, web channel)."""
    if request.method == "POST":
        try:
            return _page(request, "portal/visit_done.html", _book(request), status=201)
        except Refused as refused:
            return _visit_form(request, refused=refused)
    return _visit_form(request)


def _visit_form(request, *, refused: Refused | None = None):
    basemap = _basemap()
    crs = basemap["crs"] if basemap else "wgs84"
    stations = _stations_for_map(crs)
    other = ServiceItem.objects.filter(active=True).only("code").order_by("code")
    other_code = next((i.code for i in other if i.is_other_request), "")
    context = {
        "items": _catalogue(),
        "other_code": other_code,
        "chosen": (request.POST or request.GET).get("item", ""),
        "form": request.POST,
        "days": _days(timezone.now()),
        "stations": stations,
        "map_config": {
            "basemap": basemap,
            "crs": crs,
            "point": reverse("portal:point"),
            "stations": stations,
            "leaflet": "maps/vendor/leaflet/",
        },
        "refused": refused,
    }
    response = _page(
        request, "portal/visit.html", context, status=refused.status if refused else 200
    )
    if basemap:
        csp_allow(response, "img-src", *origin_of_template(basemap["url"], basemap["subdomains"]))
    return response


@require_GET
@clean_input
def point(request):
    """The phone's position (WGS-84) in the basemap's coordinates, for the map to draw it
    (GCJ-02 when a Chinese basemap is configured; `core.coords` holds the transform)."""
    try:
        where = point_from_query(request.GET)
    except ApplicationError as error:
        return JsonResponse({"error": {"code": error.code}}, status=400)
    basemap = _basemap()
    crs = basemap["crs"] if basemap else "wgs84"
    lon, lat = coords.from_wgs84(where.x, where.y, crs)
    return JsonResponse({"lon": lon, "lat": lat, "crs": crs})


# --- follow a matter, rate it ---------------------------------------------------------------


def _matter(code: str, phone: str) -> dict:
    found = tracking.track(code, phone)
    return {
        **found,
        "status_words": words.STATUS.get(found["status"], found["status_label"]),
        "light_words": words.LIGHT.get(found["light"] or "", ""),
        "steps": [
            {**step, "words": words.STEP.get(step["action"], step["action"])}
            for step in found["timeline"]
        ],
    }


@require_http_methods(["GET", "POST"])
@clean_input
def follow(request):
    """查询进度: the tracking code and the phone's last four digits → the matter in words.
    A plain form that posts: no JavaScript needed (and the phone never goes in a URL)."""
    if request.method == "GET":
        return _page(request, "portal/follow.html", {"form": {}})
    code, phone = request.POST.get("code", ""), request.POST.get("phone", "")
    try:
        _throttle(request, TrackThrottle())
        matter = _matter(code, phone)
    except Refused as refused:
        return _page(
            request,
            "portal/follow.html",
            {"form": request.POST, "refused": refused},
            status=refused.status,
        )
    except ApplicationError as error:
        return _page(
            request,
            "portal/follow.html",
            {"form": request.POST, "refused": Refused.of(error)},
            status=error.status,
        )
    return _page(request, "portal/follow_result.html", {"matter": matter, "phone": phone})


@require_POST
@clean_input
def rate(request):
    """满意度: rate a closed matter once (cases.tracking.rate); the matter shown again after."""
    code, phone = request.POST.get("code", ""), request.POST.get("phone", "")
    raw = request.POST.get("rating", "")
    rating = int(raw) if raw.isdigit() else None
    try:
        _throttle(request, TrackThrottle())
        try:
            tracking.rate(code, phone, rating=rating, comment=request.POST.get("comment", ""))
        except ApplicationError as error:
            raise Refused.of(error) from error
    except Refused as refused:
        if refused.status == 404 or refused.status == 429:
            return _page(
                request,
                "portal/follow.html",
                {"form": request.POST, "refused": refused},
                status=refused.status,
            )
        matter = _matter(code, phone)
        return _page(
            request,
            "portal/follow_result.html",
            {"matter": matter, "phone": phone, "refused": refused},
            status=refused.status,
        )
    matter = _matter(code, phone)
    return _page(
        request, "portal/follow_result.html", {"matter": matter, "phone": phone, "rated": True}
    )


# --- suggestions and complaints --------------------------------------------------------------


def _station_choices() -> list[dict]:
    return [{"code": s["code"], "name": s["name"]} for s in _stations_for_map("wgs84")]


SUGGEST_BOXES = {"station": "请选择服务站。", "text": "请写下您的意见。"}


@require_http_methods(["GET", "POST"])
@clean_input
def suggest(request):
    """意见箱: a suggestion for a station; name and phone optional (the reply comes by text)."""
    context = {"stations": _station_choices(), "form": request.POST or request.GET}
    if request.method == "GET":
        return _page(request, "portal/suggest.html", context)
    try:
        _throttle(request, AnonFeedbackThrottle())
        post = request.POST
        data = _shapes(
            SuggestionInput,
            {k: post.get(k, "") for k in ("station", "text", "name", "phone")},
            SUGGEST_BOXES,
        )
        try:
            suggestion = feedback_services.suggestion_create(
                station_code=data["station"],
                text=data["text"],
                name=data["name"],
                phone=data["phone"],
            )
        except ApplicationError as error:
            raise Refused.of(error) from error
    except Refused as refused:
        return _page(
            request, "portal/suggest.html", {**context, "refused": refused}, status=refused.status
        )
    return _page(request, "portal/suggest_done.html", {"suggestion": suggestion}, status=201)


COMPLAIN_BOXES = {
    "case": "办事编号不对，请核对。",
    "complainant_name": "请填写您的姓名，以便答复您。",
    "complainant_phone": "请填写手机号码，以便答复您。",
    "text": "请写下投诉的内容。",
    "staff": "请选择要投诉的工作人员。",
}


def _staff_named(staff_id: str) -> dict | None:
    """The public staff member a complaint form names (from a board's or a matter's link)."""
    from people.models import Staff

    if not staff_id.isdigit():
        return None
    return (
        Staff.objects.filter(pk=int(staff_id), public=True, active=True)
        .values("id", "full_name", "post")
        .first()
    )


@require_http_methods(["GET", "POST"])
@clean_input
def complain(request):
    """投诉: about a matter (its tracking code) and/or a staff member; the street/town centre
    above them answers (feedback.services.complaint_create)."""
    form = request.POST or request.GET
    context = {"form": form, "staff": _staff_named(form.get("staff", ""))}
    if request.method == "GET":
        return _page(request, "portal/complain.html", context)
    try:
        _throttle(request, AnonFeedbackThrottle())
        post = request.POST
        data = _shapes(
            ComplaintInput,
            {
                "staff": context["staff"]["id"] if context["staff"] else None,
                "case": post.get("code", ""),
                "complainant_name": post.get("name", ""),
                "complainant_phone": post.get("phone", ""),
                "text": post.get("text", ""),
            },
            COMPLAIN_BOXES,
        )
        try:
            complaint = feedback_services.complaint_create(
                actor=request.user,
                staff_id=data.get("staff"),
                case_code=data["case"],
                complainant_name=data["complainant_name"],
                complainant_phone=data["complainant_phone"],
                text=data["text"],
            )
        except ApplicationError as error:
            raise Refused.of(error) from error
    except Refused as refused:
        return _page(
            request, "portal/complain.html", {**context, "refused": refused}, status=refused.status
        )
    return _page(request, "portal/complain_done.html", {"complaint": complaint}, status=201)


@require_http_methods(["GET", "POST"])
@clean_input
def complaint_follow(request):
    """查询投诉: the complaint's own tracking code and the phone's last four digits."""
    if request.method == "GET":
        return _page(request, "portal/complaint_follow.html", {"form": {}})
    try:
        _throttle(request, AnonTrackThrottle())
        try:
            complaint = feedback_selectors.complaint_track(
                tracking_code=request.POST.get("code", ""),
                phone_last4=request.POST.get("phone", ""),
            )
        except ApplicationError as error:
            raise Refused.of(error) from error
    except Refused as refused:
        return _page(
            request,
            "portal/complaint_follow.html",
            {"form": request.POST, "refused": refused},
            status=refused.status,
        )
    return _page(
        request,
        "portal/complaint_result.html",
        {
            "complaint": track_block(complaint),
            "status_words": words.COMPLAINT_STATUS.get(complaint.status, ""),
            "outcome_words": words.COMPLAINT_OUTCOME.get(complaint.outcome or "", ""),
        },
    )
