"""Pages for supervisors, district officers and admins: invite people, revoke passkeys, re-invite."""

from __future__ import annotations

import segno
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from server.accounts.current import CurrentUser
from server.accounts.guards import requires_supervisor
from server.accounts.invitations import create_invitation, enrollment_link
from server.accounts.roles import ADMIN, ROLE_LEVEL, ROLE_RANK, ROLES
from server.accounts.schemas import InvitationForm
from server.accounts.services import managed_person, people_in_scope, revoke_person
from server.areas.scope import areas_in_scope
from server.errors import AppError
from server.validation.params import RowId


def qr_svg(link: str) -> str:
    """The link as an inline SVG QR code, drawn on the server."""
    return segno.make(link, error="m").svg_inline(scale=5, border=2, title="邀请链接二维码")


def invitable_roles(inviter: CurrentUser) -> list[str]:
    return [r for r in ROLES if inviter.role == ADMIN or ROLE_RANK[r] <= ROLE_RANK[inviter.role]]


async def _form_context(user: CurrentUser, form: InvitationForm, error: AppError | None = None) -> dict:
    roles = invitable_roles(user)
    areas = await areas_in_scope(user, tuple(ROLE_LEVEL[r] for r in roles))
    return {"user": user, "form": form, "roles": roles, "areas": areas, "role_level": ROLE_LEVEL, "error": error}


def _invitation_page(user: CurrentUser, token: str, invitation: dict, *, reinvite: bool) -> Template:
    link = enrollment_link(token)
    context = {"user": user, "link": link, "qr": qr_svg(link), "invitation": invitation, "reinvite": reinvite}
    return Template("accounts/invitation_created.html", context=context, headers={"Cache-Control": "no-store"})


class InvitationController(Controller):
    """Invite a person with a role and an area; the link is shown once, with its QR code."""

    path = "/invitations"
    guards = [requires_supervisor]

    @get("/new", name="invitation_new")
    async def new(self, request: Request) -> Template:
        """The invitation form: roles up to one's own rank, areas in one's scope."""
        return Template("accounts/invite.html", context=await _form_context(request.user, InvitationForm()))

    @post("/", name="invitation_create", status_code=200)
    async def create(self, request: Request, data: URLEncodedBody[InvitationForm]) -> Template:
        """Create the invitation and show its link and QR code."""
        try:
            token, invitation = await create_invitation(
                display_name=data.display_name,
                role=data.role,
                area_code=data.area,
                username=data.username or None,
                created_by=request.user,
            )
        except AppError as exc:
            context = await _form_context(request.user, data, exc)
            return Template("accounts/invite.html", context=context, status_code=exc.status_code)
        return _invitation_page(request.user, token, invitation, reinvite=False)


class PeopleController(Controller):
    """The people in one's scope: revoke their passkeys (lost phone) and invite them again."""

    path = "/people"
    guards = [requires_supervisor]

    @get("/", name="people")
    async def index(self, request: Request, revoked: FromQuery[int | None] = None) -> Template:
        """Everyone in one's scope, with their active passkeys."""
        people = await people_in_scope(request.user)
        notice = next((p for p in people if p["id"] == revoked), None) if revoked else None
        return Template("accounts/people.html", context={"user": request.user, "people": people, "revoked": notice})

    @post("/{user_id:int}/revoke", status_code=303)
    async def revoke(self, request: Request, user_id: FromPath[RowId]) -> Redirect:
        """Revoke all of a person's passkeys and end their sessions."""
        await revoke_person(request.user, user_id)
        return Redirect(f"/people?revoked={user_id}", status_code=303)

    @post("/{user_id:int}/reinvite", status_code=200)
    async def reinvite(self, request: Request, user_id: FromPath[RowId]) -> Template:
        """A new enrollment link bound to this existing person."""
        person = await managed_person(request.user, user_id)
        token, invitation = await create_invitation(
            display_name=person["display_name"],
            role=person["role"],
            area_code=person["area_code"],
            created_by=request.user,
            user_id=person["id"],
        )
        return _invitation_page(request.user, token, invitation, reinvite=True)
