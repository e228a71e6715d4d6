"""The resident as an applicant, shared by every way a matter comes in (an appointment booked
on the web, by phone, over Open311 or in person; a case opened at a desk): the checks on who
they are and what they ask for (`intake`) and their ID number (`identity`).

No models. Imports only `core` and `catalogue`; must never import `appointments`, `cases` or
any other app that takes in a matter — they import this.
"""
