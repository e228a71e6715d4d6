"""Supervision (督导考核): what the district centre uses to watch the scheme work.

The source plan (§3.1, §7): the district citizen service centre sets the supervision and
assessment rules (监督考核制度), inspects streets, towns, communities and villages (督导检查)
and publicly criticises units that shirk or delay (通报批评). This app holds:

- `figures`: the figures per agent, grid, station, street/town and district over a period,
  computed by aggregate SQL (one statement per source, never a loop over rows);
- `assessment`: versioned, weighted schemes (考核方案) that turn figures into a score and a rank,
  explained indicator by indicator;
- `notices`: rules stored as rows that propose lagging-unit notices (通报), reviewed by district
  staff, public once issued;
- `inspections`: a scored checklist per visit to a centre or station, with photos.

It reads appointments, cases, visits, feedback, people and geo; nothing imports it.
"""
