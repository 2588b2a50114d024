"""Marketing: know and reach customers — dynamic segments first.

A segment is a saved set of conditions on customers (their fields, custom
fields, tags, owner and team, contact recency and activity counts); its
members are computed when asked, always through core's scoped query, so a
rep's view of a shared segment holds only the customers the rep may see.
The manifest and the hook implementations live here, thin; the rest sits in
the subpackages every Trellis plugin has and is imported inside the hooks.
"""

from core.api import (
    MENU_REPORTS,
    CustomerAction,
    CustomerFact,
    CustomerFilter,
    CustomerTab,
    Manifest,
    MenuGroup,
    MenuItem,
    Permission,
    hookimpl,
    translator,
)

_, _l = translator("marketing")

manifest = Manifest(
    name="marketing",
    version="0.1.0",
    title=_l("Marketing"),
    description=_l(
        "Dynamic customer segments: conditions, live counts and members; e-mail campaigns."
    ),
    requires=(),
    min_core="0.1",
)

#: the plugin's heading in the main menu
MENU = MenuGroup("marketing", _l("Marketing"), order=25, icon="megaphone")


@hookimpl
def trellis_models():
    from .models import Segment, Survey, SurveyInvitation, SurveyResponse
    from .models.campaign import Campaign, CampaignTemplate
    from .models.recipient import Recipient, Suppression
    from .models.rfm import RfmRun, RfmScore, RfmSnapshot
    from .models.static_list import StaticList, StaticListMember

    return [RfmRun, RfmScore, RfmSnapshot, Segment, Survey, SurveyInvitation, SurveyResponse] + [
        CampaignTemplate,
        Campaign,
        Recipient,
        Suppression,
        StaticList,
        StaticListMember,
    ]


@hookimpl
def trellis_blueprints():
    from .views import bp
    from .views.public import bp as mail_bp
    from .views.survey_public import bp as public_bp

    return [bp, public_bp, mail_bp]


@hookimpl
def trellis_api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def trellis_customer_filters():
    from .services import lists
    from .services.segments import member_condition, segment_options

    return [
        CustomerFilter("segment", _l("Segments"), segment_options, member_condition, order=10),
        CustomerFilter("list", _l("Static lists"), lists.list_options, lists.member_condition, 20),
    ]


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
        Permission(
            "marketing.survey.read",
            _l("See surveys, their results and the answers of one's customers"),
            default_roles=("manager", "sales"),
        ),
        Permission(
            "marketing.survey.write",
            _l("Define surveys and invite customers to answer them"),
            default_roles=("manager",),
        ),
        Permission(
            "marketing.analysis.run",
            _l("Run the RFM and churn risk analysis now"),
            default_roles=("manager",),
        ),
        Permission(
            "marketing.campaign.read",
            _l("See e-mail campaigns, their templates and results"),
            default_roles=("manager", "sales"),
        ),
        Permission(
            "marketing.campaign.write",
            _l("Write e-mail templates and campaigns, send a test to oneself"),
            default_roles=("manager", "sales"),
        ),
        Permission(
            "marketing.campaign.send",
            _l("Schedule, send, pause and cancel campaigns; suppress addresses"),
            default_roles=("manager",),
        ),
    ]


@hookimpl
def trellis_customer_actions(customer, user):
    if not user.can("marketing.segment.write"):
        return []
    from flask import url_for

    url = url_for("marketing.customer_lists", customer_id=customer.id)
    return [CustomerAction(_l("Add to a list"), url, order=60)]


@hookimpl
def trellis_menu_items(user):
    items = []
    if user.can("marketing.segment.read"):
        items.append(
            MenuItem(_l("Segments"), "marketing.segments_list", order=1, icon="funnel", group=MENU)
        )
    if user.can("marketing.segment.read"):
        items.append(
            MenuItem(
                _l("Static lists"),
                "marketing.lists_list",
                order=1,
                icon="clipboard-list",
                group=MENU,
            )
        )
    if user.can("marketing.segment.read"):
        items.append(
            MenuItem(
                _l("Customer journey"),
                "marketing.journey_page",
                order=3,
                icon="workflow",
                group=MENU,
            )
        )
    if user.can("marketing.segment.read"):
        items.append(
            MenuItem(
                _l("Account managers' figures"),
                "marketing.kpis_page",
                order=6,
                icon="gauge",
                group=MENU,
            )
        )
    if user.can("marketing.campaign.read"):
        items.append(
            MenuItem(_l("Campaigns"), "marketing.campaigns_list", order=2, icon="mail", group=MENU)
        )
    if user.can("marketing.survey.read"):
        items.append(
            MenuItem(
                _l("Surveys"), "marketing.surveys_list", order=5, icon="message-square", group=MENU
            )
        )
        items.append(
            MenuItem(
                _l("Survey results"),
                "marketing.survey_report_page",
                order=40,
                icon="message-square",
                group=MENU_REPORTS,
            )
        )
    if user.can("marketing.segment.read"):  # RFM and churn risk read as segments do
        items.append(
            MenuItem(
                _l("RFM analysis"), "marketing.rfm_page", order=3, icon="chart-column", group=MENU
            )
        )
        items.append(
            MenuItem(
                _l("Valuable customers at risk"),
                "marketing.churn_page",
                order=4,
                icon="triangle-alert",
                group=MENU,
            )
        )
    return items


@hookimpl
def trellis_customer_facts():
    """``marketing.nps_last``: the customer's latest NPS answer (0–10), for
    segments and for churn risk (meaning ``satisfaction``)."""
    from .services.surveys import latest_nps_values

    return [
        CustomerFact(
            "marketing.nps_last",
            _l("Latest NPS score"),
            "number",
            latest_nps_values,
            permission="marketing.survey.read",
            meaning="satisfaction",
        )
    ]


@hookimpl
def trellis_customer_tabs(customer, user):
    """A Surveys tab on the page of a customer invited to a survey the user
    may see; an RFM tab on a scored customer's page (R/F/M, segment, churn);
    the customer's journey."""
    from sqlalchemy import select

    tabs = []
    if user.can("marketing.segment.read"):
        from .services.rfm.reads import scores_of

        tab = CustomerTab("rfm", _l("RFM and churn risk"), "marketing.customer_rfm", 65)
        tabs.append(CustomerTab(**{**tab.__dict__, "records": scores_of(customer.id)}))
        tabs.append(CustomerTab("journey", _l("Journey"), "marketing.customer_journey", 55))
    if not user.can("marketing.survey.read"):
        return tabs

    from .models import SurveyInvitation
    from .services.surveys import visible_invitations

    invited = visible_invitations(user, select(SurveyInvitation.id)).where(
        SurveyInvitation.customer_id == customer.id
    )
    tab = CustomerTab("surveys", _l("Surveys"), "marketing.customer_surveys_tab", 60, invited)
    return [tab, *tabs]


@hookimpl
def trellis_customer_owner_changed(customer, previous_owner_id, new_owner_id):
    """A customer's survey invitations and answers follow them to the new owner."""
    from .services.surveys import follow_owner

    follow_owner(customer)


@hookimpl(optionalhook=True)
def trellis_sales_deal_won(deal):
    """A won deal invites its customer to the surveys that answer it."""
    from .services.surveys import invite_after

    invite_after("sales.deal_won", deal.customer_id, f"deal:{deal.id}")


@hookimpl(optionalhook=True)
def trellis_service_dispatch_work_order_closed(order):
    """A closed work order invites its customer to the surveys that answer it
    (a reopened and closed again order is one occasion: asked once)."""
    from .services.surveys import invite_after

    invite_after("service_dispatch.work_order_closed", order.customer_id, f"work_order:{order.id}")


@hookimpl
def trellis_jobs():
    """The daily RFM and churn run (also started by "run now")."""
    from core.api import Job

    from .services.campaigns import sending
    from .services.rfm import JOB, run_job

    return [
        Job(JOB, _l("Compute RFM scores and churn risk"), run_job, every_minutes=1440),
        Job("marketing.send_campaign", _l("Send an e-mail campaign"), sending.run),
        Job(
            "marketing.send_campaigns",
            _l("Start due e-mail campaigns and send their next messages"),
            sending.run_sending,
            every_minutes=1,
        ),
    ]


@hookimpl
def trellis_settings_schema():
    from .schemas.settings import MarketingSettings

    return MarketingSettings


@hookimpl
def trellis_purge_records(customer_id):
    """A purged customer's RFM rows, campaign recipient rows, places on
    static lists, survey invitations and answers go with it."""
    from core.api import delete_rows

    from .models.recipient import Recipient
    from .services.lists import purge_members
    from .services.rfm import purge_customer
    from .services.surveys import purge_customer as purge_surveys

    purge_customer(customer_id)
    delete_rows(Recipient, "customer_id", customer_id)
    purge_members(customer_id)
    purge_surveys(customer_id)


@hookimpl
def trellis_merge_records(survivor_id, merged_id):
    """A merged customer's campaign recipient rows, places on static lists,
    survey invitations and answers move to the survivor."""
    from core.api import repoint

    from .models.recipient import Recipient
    from .services.lists import repoint_members
    from .services.surveys import merge_customer as merge_surveys

    moved = repoint(Recipient, "customer_id", merged_id, survivor_id)
    moved += merge_surveys(survivor_id, merged_id)
    return moved + repoint_members(survivor_id, merged_id)


@hookimpl(trylast=True)  # last: the RFM run reads the money every other module's demo adds
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo
    from .demo.surveys import load_survey_demo
    from .services.rfm import first_run

    load_demo(locale, users)
    load_survey_demo(locale, customers, users)
    first_run()
