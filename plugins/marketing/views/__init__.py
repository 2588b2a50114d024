"""The plugin's web pages under ``/marketing``: one blueprint
(:data:`.blueprint.bp`), a module per area adding its routes to it.

- :mod:`.segments`: the segment list, a segment's page with its members,
  the form with its condition builder (:mod:`.builder` reads and draws the
  condition rows)
- :mod:`.lists`: static lists, a list's page, freezing a segment, putting a
  customer on a list
- :mod:`.journey`: the journey funnel across customers, a customer's Journey tab
- :mod:`.kpis`: the account managers' four figures, per manager or team and by month
- :mod:`.surveys`: surveys, their results and sends, a customer's Surveys tab
  (the public answer page is :mod:`.survey_public`, a blueprint of its own
  under ``/m``)
- :mod:`.rfm`: RFM analysis (segments' counts, movement, the run log),
  a segment's customers, the valuable customers at risk, a customer's RFM tab
- :mod:`.campaigns`: e-mail and SMS campaigns, their results and
  recipients, the campaign form (the pages their messages link to are
  :mod:`.public`, the blueprint ``marketing_mail`` under ``/m``)
- :mod:`.templates`: the e-mail and SMS templates and their form
- :mod:`.reports`: the survey results report (in the Reports menu)
"""

from . import campaigns, journey, kpis, lists, reports, rfm, segments, surveys, templates  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
