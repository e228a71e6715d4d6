"""Answers that carry sensitive personal data (a full resident ID number, why someone is on
leave, movement tracks, the register's personal details, who read whose ID number) must not be
kept by a browser, a proxy or the phone's HTTP cache: they say `Cache-Control: no-store`.

Plain constants: any view may import this; it imports nothing.
"""

NO_STORE = {"Cache-Control": "no-store"}


def no_store(response):
    """Mark `response` as not to be stored anywhere; returns it."""
    response["Cache-Control"] = "no-store"
    return response
