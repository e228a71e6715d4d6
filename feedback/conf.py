"""The feedback app's settings: its throttle rate and enum names (it has no block of its own).

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__: list[str] = []

# public suggestions and complaints (and, counted apart, complaint look-ups) per client
THROTTLE_RATES = {"feedback_anon": os.environ.get("THROTTLE_FEEDBACK_ANON", "10/hour")}

ENUM_NAME_OVERRIDES = {
    "SuggestionStatusEnum": "feedback.models.Suggestion.Status",
    "ComplaintStatusEnum": "feedback.models.Complaint.Status",
}
