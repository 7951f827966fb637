"""What a conflict's kinds and fields are called: one table on the server
(server.sync_api.conflict_words), read by the supervisor's panel and handed to the phone in every
field page; its fields are exactly those the handlers that record conflicts merge."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from server.cases.services import EDITABLE as CASE_FIELDS
from server.finances.kinds import SECTIONS as FINANCES_FIELDS
from server.households.services import FIELDS as HOUSEHOLD_FIELDS
from server.i18n import N_
from server.sync_api.conflict_words import CONFLICT_FIELDS, CONFLICT_KINDS
from tests.support.auth import sign_in

CONFLICTS_JS = Path(__file__).resolve().parents[2] / "web" / "static" / "js" / "conflicts.js"
ENGLISH = {"accept-language": "en-GB,en;q=0.9"}


def field_labels(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="field-labels">(.*?)</script>', page, re.S)
    assert found, "the page carries no field labels"
    return json.loads(html.unescape(found.group(1)))


def test_conflict_fields_are_exactly_what_the_handlers_merge():
    # case.update, household.upsert and finances.set record conflicts over these fields, and no others.
    assert set(CONFLICT_KINDS) == {"case", "household", "finances"}
    assert set(CONFLICT_FIELDS) == set(CASE_FIELDS) | set(HOUSEHOLD_FIELDS) | set(FINANCES_FIELDS)
    # tekun and temporary are finances sections, named as their forms name them.
    assert CONFLICT_FIELDS["tekun"] == N_("特困人员认定") and CONFLICT_FIELDS["temporary"] == N_("临时救助")


def test_phone_module_names_no_kind_or_field_of_its_own():
    source = CONFLICTS_JS.read_text(encoding="utf-8")
    for label in (*CONFLICT_KINDS.values(), *CONFLICT_FIELDS.values()):
        assert f'N_("{label}")' not in source, label


async def test_field_page_hands_the_phone_the_conflict_words_in_its_language(client, demo):
    await sign_in(client, "worker")
    chinese = field_labels((await client.get("/field/casework/new")).text)["conflicts"]
    assert chinese["kinds"] == CONFLICT_KINDS and chinese["fields"] == CONFLICT_FIELDS
    english = field_labels((await client.get("/field/casework/new", headers=ENGLISH)).text)["conflicts"]
    assert english["kinds"] == {"case": "Case", "household": "Household", "finances": "Household finances"}
    assert english["fields"]["tekun"] == "Extreme poverty (tekun) assessment" and english["fields"]["area"] == "Community"
    assert not [name for name, label in english["fields"].items() if re.search(r"[\u4e00-\u9fff]", label)]
    # The codes of the 特困 checklist and the 临时救助 section in words too.
    assert english["values"]["temporary"]["serious"] == "Serious" and english["values"]["tekun"]["none"] == "No legal supporter"
    assert chinese["values"]["tekun"]["none"] == "无法定赡养、抚养、扶养义务人" and chinese["values"]["temporary"]["serious"] == "较重"
