"""Marketing: know and reach customers — dynamic segments first.

A segment is a saved set of conditions on customers (their fields, custom
fields, tags, owner and team, contact recency and activity counts); its
members are computed when asked, always through core's scoped query, so a
rep's view of a shared segment holds only the customers the rep may see.
The manifest and the hook implementations live here, thin; the rest sits in
the subpackages every Trellis plugin has and is imported inside the hooks.
"""

from core.api import Manifest, MenuGroup, MenuItem, Permission, hookimpl, translator

_, _l = translator("marketing")

manifest = Manifest(
    name="marketing",
    version="0.1.0",
    title=_l("Marketing"),
    description=_l("Dynamic customer segments: conditions, live counts and members."),
    requires=(),
    min_core="0.1",
)

#: the plugin's heading in the main menu
MENU = MenuGroup("marketing", _l("Marketing"), order=25, icon="megaphone")


@hookimpl
def trellis_models():
    from .models import Segment

    return [Segment]


@hookimpl
def trellis_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def trellis_api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def trellis_permissions():
    return [
        Permission(
            "marketing.segment.read",
            _l("See segments and their members"),
            default_roles=("manager", "sales"),
        ),
        Permission(
            "marketing.segment.write",
            _l("Define, change and delete segments"),
            default_roles=("manager", "sales"),
        ),
    ]


@hookimpl
def trellis_menu_items(user):
    if not user.can("marketing.segment.read"):
        return []
    return [MenuItem(_l("Segments"), "marketing.segments_list", order=1, icon="funnel", group=MENU)]


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, users)
