"""The cases app's settings: `settings.CASES`, the tracking throttle rate, its enum names.

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = ["CASES"]

# the register's hash chain is keyed with this secret (HMAC-SHA256), held outside the database
# (ADR 0022); required in production, derived from SECRET_KEY in development
_CHAIN_KEY = os.environ.get("REGISTER_CHAIN_KEY", "")

CASES = {
    # the light turns yellow when this share of the proxy limit (working days) has elapsed
    "YELLOW_PERCENT": int(os.environ.get("CASES_YELLOW_PERCENT", "80")),
    # overdue escalation: the agent when overdue, the station manager this many working days
    # later, the street/town centre lead as many again
    "ESCALATION_STEP_DAYS": int(os.environ.get("CASES_ESCALATION_STEP_DAYS", "1")),
    # where forwarded matters go: the provincial platform integration fills this interface later
    "OUTBOUND": os.environ.get("CASES_OUTBOUND", "cases.outbound.ManualOutbound"),
    # the applicant's copy of the receipt carries the return code (取件确认码) once: for the
    # person who registered the entry, this many minutes after it at most; later it is masked
    "APPLICANT_COPY_MINUTES": int(os.environ.get("CASES_APPLICANT_COPY_MINUTES", "60")),
    "REGISTER_CHAIN_KEY": _CHAIN_KEY,
    # recorded on each entry: the key that made its hash (a rotation takes a new id, ADR 0022)
    "REGISTER_CHAIN_KEY_ID": os.environ.get("REGISTER_CHAIN_KEY_ID")
    or ("k1" if _CHAIN_KEY else "dev"),
    # a tracking code with its phone's last four digits (cases, appointments, complaints): this
    # many wrong tries on one code within the window lock the code for the window, for every
    # caller, staff included (ADR 0024)
    "TRACK_MAX_FAILURES": int(os.environ.get("CASES_TRACK_MAX_FAILURES", "10")),
    "TRACK_WINDOW_SECONDS": int(os.environ.get("CASES_TRACK_WINDOW_SECONDS", "3600")),
    # signature photos for a return: the largest accepted upload
    "SIGNATURE_MAX_BYTES": int(os.environ.get("CASES_SIGNATURE_MAX_BYTES", str(5 * 1024 * 1024))),
}

# public look-ups of a case by its tracking code, per client address
THROTTLE_RATES = {"track_anon": os.environ.get("THROTTLE_TRACK_ANON", "60/hour")}

ENUM_NAME_OVERRIDES = {
    "CaseStatusEnum": "cases.models.Status",
    "CustodyHolderEnum": "cases.models.Holder",
    "RegisterEntryKindEnum": "cases.models.RegisterEntry.Kind",
    "RegisterEntrySchemeEnum": "cases.models.RegisterEntry.Scheme",
}
