"""`{% drill_summary_for current_org as drills %}`: the drill summary for pages of other apps (the pillar
page includes phishing/_pillar_section.html without having to prepare its context)."""

from django import template

from ippo.phishing.results import drill_summary

register = template.Library()


@register.simple_tag
def drill_summary_for(org):
    if org is None:
        return {}
    return drill_summary(org)


@register.filter
def drill_minutes(value) -> str:
    """A time to report, given in minutes, as people say it: "under a minute", "12 min", "3 h 5 min"."""
    from django.utils.translation import gettext as _

    if value is None or value == "":
        return "—"
    minutes = round(float(value))
    if float(value) < 1:
        return _("under a minute")
    if minutes < 120:
        return _("%(minutes)s min") % {"minutes": minutes}
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        return _("%(days)s days") % {"days": round(hours / 24, 1)}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
