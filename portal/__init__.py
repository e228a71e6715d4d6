"""The residents' pages (群众端), served at the site's root: what the service is, the catalogue
with each item's one-time notice, the nearest station, asking for a visit, following a matter,
rating it, a suggestion, a complaint. Plain server-rendered forms that post (CSRF), readable
by the elderly (large type, high contrast, plain Chinese); a little JavaScript only enhances
(the map, the phone's position).

Thin views over the same services and selectors the public API calls (appointments' intake,
cases' tracking, feedback, the catalogue, the public board, geo's stations); the pages add no
rule, only words. Nothing imports this app.
"""
