"""The casework pages of the field app: a new case of each type with its household, the
household finances, the self-declaration of an extension, referrals, and the submit panel.

Each page names its case in `?case=` and fills itself from what the device holds (the pulled
records and the outbox), so one cached copy serves every case offline; web/static/js/casework.js
turns the forms into outbox mutations (`household.upsert`, `case.create`, `finances.set`,
`declaration.record`, `referral.create`, `referral.update`, `case.submit`).
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from server.accounts.guards import requires_user
from server.clock import today
from server.declarations.services import EVIDENCE_KINDS
from server.field import services
from server.field.controllers import page
from server.finances import kinds
from server.households.kinds import HUKOU, LABOUR, RELATIONS
from server.i18n import N_, gettext
from server.referrals.organisations import KINDS as ORGANISATION_KINDS
from server.referrals.organisations import list_organisations
from server.referrals.services import STATUSES as REFERRAL_STATUSES
from server.standards.services import effective_standard

# What each case type asks for on the new-case page (the sections shown; the rest stay hidden).
NEEDS = {
    "dibao": ("household",),
    "tekun": ("household", "tekun"),
    "temporary": ("household", "temporary"),
    "extension": ("recipient",),
    "referral": ("household", "referral"),
}
# One line under each type on the type chooser, for a worker who is not sure which one applies.
TYPE_HINTS = {
    "dibao": N_("家庭人均收入低于当地低保标准"),
    "tekun": N_("无劳动能力、无生活来源、无法定义务人或其无力赡养"),
    "temporary": N_("因疫情等突发事件，基本生活暂时困难"),
    "extension": N_("现有救助对象在应急期间延期，凭自我申报"),
    "referral": N_("不属于社会救助的困难，转介给其他部门或机构"),
}
PROMISE = N_("本人承诺：疫情防控期间本人及家庭成员的收入、财产状况未发生明显变化，所报情况真实；"
             "如有变化将主动报告。如有虚报、隐瞒，愿意退还多领取的救助金并承担相应责任。")


def codes() -> dict:
    """The code tables the pages show, in the reader's language, also for the page's JavaScript."""
    shown = lambda table: {key: gettext(label) for key, label in table.items()}  # noqa: E731
    return {
        "incomes": shown(kinds.INCOME_KINDS),
        "counted": list(kinds.COUNTED),
        "assets": shown(kinds.ASSET_KINDS),
        "expenses": shown(kinds.EXPENSE_KINDS),
        "circumstances": shown(kinds.CIRCUMSTANCE_KINDS),
        "activities": shown(kinds.DAILY_ACTIVITIES),
        "referral_statuses": shown(REFERRAL_STATUSES),
        "evidence": shown(EVIDENCE_KINDS),
    }


def casework_page(name: str, request: Request, **context) -> Template:
    return page(f"casework/{name}", request, K=kinds, CODES=codes(), **context)


class FieldCaseworkController(Controller):
    path = "/field/casework"
    guards = [requires_user]

    @get("/new", name="field_casework_new")
    async def new_case(self, request: Request, type: FromQuery[str] = "", household: FromQuery[str] = "") -> Template:  # noqa: A002 - the query's name
        """A new case of one type with only the fields that type needs (the type is `?type=`; without
        one, the types to choose from); `?household=` starts from a household already registered."""
        recipients = [c for c in await services.caseload(request.user) if c["status"] == "approved" and c["type"] != "referral"]
        return casework_page(
            "new", request, chosen=type if type in NEEDS else "", household=household, NEEDS=NEEDS, TYPE_HINTS=TYPE_HINTS,
            RELATIONS=RELATIONS, LABOUR=LABOUR, HUKOU=HUKOU,
            households=await services.households(request.user), communities=await services.communities(request.user),
            recipients=recipients, organisations=await list_organisations(request.user, active_only=True), ORGANISATION_KINDS=ORGANISATION_KINDS,
        )

    @get("/finances", name="field_casework_finances")
    async def finances(self, request: Request) -> Template:
        """The household finances of the case in `?case=`: incomes, assets, expenses, circumstances."""
        return casework_page("finances", request)

    @get("/declaration", name="field_casework_declaration")
    async def declaration(self, request: Request) -> Template:
        """The self-declaration of the extension case in `?case=`, with its evidence and the extension period."""
        standard = await effective_standard(request.user.area_path, today())
        return casework_page("declaration", request, PROMISE=PROMISE, standard=standard)

    @get("/referral", name="field_casework_referral")
    async def referral(self, request: Request) -> Template:
        """The referrals of the case in `?case=`: follow their status, or refer the person."""
        organisations = await list_organisations(request.user, active_only=True)
        return casework_page("referral", request, organisations=organisations, ORGANISATION_KINDS=ORGANISATION_KINDS)
