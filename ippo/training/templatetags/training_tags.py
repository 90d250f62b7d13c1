from django import template

from ippo.training import lessons

register = template.Library()


@register.filter
def module_title(module_id: str, custom_titles=None) -> str:
    """A lesson's title in the current language; pass {module_id: title} for the organisation's own."""
    return lessons.module_title(module_id, custom_titles if isinstance(custom_titles, dict) else None)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None
