"""People and records for the access tests: one record of every kind in 华师社区, and users of every
role inside and outside it. One client serves everyone: `Sessions.use` swaps the session cookie.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from server.accounts.roles import ADMIN, DISTRICT_OFFICER, GRID_WORKER, STREET_SUPERVISOR
from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import Passkey, User
from server.areas.services import create_area
from server.areas.tables import Area
from server.clock import now
from server.dailycheck.tables import DailyCheck
from server.declarations.tables import Declaration
from server.households.tables import Person
from server.paperwork.tables import Obligation
from server.referrals.tables import Organisation, Referral
from server.review.tables import Task
from server.standards.tables import Standard
from server.watch.tables import WatchEntry
from sync.tables import SyncConflict
from tests.support.auth import csrf
from tests.support.media import attach, attach_args, create, jpeg, upload
from tests.support.review_cases import make_case

HOME = "440106004001"  # 华师社区 (石牌街道, 天河区, 广州市): every record lives here

# Users whose area covers HOME, one per role (the demo's), and users of the same roles elsewhere.
INSIDE = {GRID_WORKER: "worker", STREET_SUPERVISOR: "supervisor", DISTRICT_OFFICER: "district", ADMIN: "admin"}
OUTSIDE = {
    GRID_WORKER: ["worker2", "worker3"],  # 南方社区 (same street), 三元里社区 (another district)
    STREET_SUPERVISOR: ["supervisor_th"],  # 棠下街道, same district
    DISTRICT_OFFICER: ["district_by"],  # 白云区
    ADMIN: ["admin_sz"],  # another city
}
EXTRA_USERS = [
    ("supervisor_th", STREET_SUPERVISOR, "440106012"),
    ("district_by", DISTRICT_OFFICER, "440111"),
    ("admin_sz", ADMIN, "440300"),
]
# Records that belong to one person rather than to an area: only the owner reaches them.
OWNED_BY_WORKER = {"passkey", "upload"}


class Sessions:
    """A session per user, made once; `use` makes the client that user (the CSRF token stays)."""

    def __init__(self, client) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    async def start(self, usernames) -> None:
        await csrf(self.client)
        for username in usernames:
            user = await User.select(User.id, User.role).where(User.username == username).first()
            kind = "field" if user["role"] == GRID_WORKER else "desktop"
            self.tokens[username] = await create_session(user["id"], kind=kind)

    def use(self, username: str | None) -> None:
        if username is None:
            self.client.cookies.delete(COOKIE_NAME)
        else:
            self.client.cookies.set(COOKIE_NAME, self.tokens[username])


async def add_users_elsewhere() -> None:
    """A supervisor, a district officer and an admin whose areas do not contain HOME."""
    await create_area("440300", "深圳市", "city")
    areas = {r["code"]: r["id"] for r in await Area.select(Area.id, Area.code)}
    for username, role, code in EXTRA_USERS:
        await User(username=username, display_name=username, role=role, area=areas[code], created_at=now()).save()


async def _api(client, sessions: Sessions, username: str, method: str, url: str, **kwargs) -> dict:
    sessions.use(username)
    response = await client.request(method, url, **kwargs)
    assert response.status_code in (200, 201), f"{method} {url} as {username}: {response.status_code} {response.text}"
    return response.json()


async def home_records(client, sessions: Sessions) -> dict[str, str]:
    """One record of every kind that an endpoint addresses by id, all in HOME; answers kind -> id."""
    at = now()
    area = await Area.select(Area.id, Area.path).where(Area.code == HOME).first()
    district = await Area.select(Area.id).where(Area.code == "440106").first()
    worker = await User.select(User.id).where(User.username == "worker").first()
    made = await make_case(community=HOME, status="submitted", serial=901)
    case_id, household_id = made["case_id"], made["household_id"]
    person = await Person.select(Person.id).where(Person.household == uuid.UUID(household_id)).first()
    records = {"case": case_id, "household": household_id, "user": str(worker["id"]), "person": str(person["id"])}

    sessions.use("worker")
    photo = jpeg(color=(10, 200, 90))
    await upload(client, photo)
    records["evidence"] = (await attach(client, attach_args(case_id, photo)))["evidence_id"]
    records["upload"] = (await create(client, b"x" * 10)).headers["location"].rsplit("/", 1)[-1]
    records["verification"] = (await _api(client, sessions, "worker", "POST", f"/api/cases/{case_id}/verifications", json={}))["id"]
    records["snapshot"] = (await _api(client, sessions, "supervisor", "POST", f"/api/cases/{case_id}/eligibility/snapshots", json={}))["snapshot_id"]
    period = await _api(client, sessions, "district", "POST", "/api/procedures/emergency",
                        json={"starts_on": (date.today() - timedelta(days=10)).isoformat(), "spot_check_percent": 0, "tekun_spot_check_percent": 30})
    records["period"] = str(period["id"])
    await _api(client, sessions, "supervisor", "POST", f"/api/review/cases/{case_id}/decisions",
               json={"action": "approve", "expected_status": "submitted", "expected_version": 1})
    obligation = await Obligation.select(Obligation.id).where(Obligation.case == uuid.UUID(case_id)).first()
    records["obligation"] = str(obligation["id"])

    organisation = Organisation(name="天河区测试救助站", kind="charity", area=district["id"], due_days=10)
    await organisation.save()
    records["organisation"] = str(organisation.id)
    standard = Standard(area=area["id"], effective_from=date(2020, 1, 1), dibao_standard="1000.00", created_at=at, updated_at=at)
    await standard.save()
    records["standard"] = str(standard.id)
    records["referral"] = str(uuid.uuid4())
    await Referral(id=uuid.UUID(records["referral"]), case=uuid.UUID(case_id), area=area["id"], organisation=organisation.id, reason="测试转介",
                   referred_on=date.today(), due_on=date.today() + timedelta(days=10), status_on=date.today(), created_at=at).save()
    records["declaration"] = str(uuid.uuid4())
    await Declaration(id=uuid.UUID(records["declaration"]), case=uuid.UUID(case_id), area=area["id"], content="承诺书", agreed=True,
                      declared_at=at, evidence_kind="photo", evidence_ref=records["evidence"], extension_months=3, status="approved",
                      recorded_at=at).save()
    records["check"] = str(uuid.uuid4())
    await DailyCheck(id=uuid.UUID(records["check"]), person=person["id"], area=area["id"], check_date=date.today(),
                     day_key=f"{person['id']}:{date.today()}", living_status="at_home", health="unwell", contact_method="phone",
                     checked_at=at, recorded_at=at).save()
    records["watch"] = str(uuid.uuid4())
    await WatchEntry(id=uuid.UUID(records["watch"]), person=person["id"], reasons="elderly_alone", added_at=at, updated_at=at).save()
    records["conflict"] = str(uuid.uuid4())
    await SyncConflict(conflict_id=records["conflict"], kind="case", record_id=case_id, area_path=area["path"],
                       fields={"notes": {"server": "甲", "device": "乙"}}, server_version=2, client_id="access-test", mutation_id=1,
                       user_id=worker["id"], created_at=at).save()
    records["task"] = str(uuid.uuid4())
    await Task(id=uuid.UUID(records["task"]), case=uuid.UUID(case_id), area=area["id"], request="请补充厨房照片", assigned_to=worker["id"],
               created_at=at).save()
    passkey = Passkey(user=worker["id"], credential_id=uuid.uuid4().hex, public_key="x", name="测试手机", created_at=at)
    await passkey.save()
    records["passkey"] = str(passkey.id)
    return records
