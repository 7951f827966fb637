"""Every route of the casework packages, and the import that registers their sync mutations."""

from server.declarations import mutations as _declarations  # noqa: F401
from server.declarations.controllers import DeclarationApiController
from server.eligibility.controllers import CaseworkApiController, EligibilityPageController, SnapshotApiController
from server.field.casework import FieldCaseworkController
from server.finances import mutations as _finances  # noqa: F401
from server.referrals import mutations as _referrals  # noqa: F401
from server.referrals.controllers import OrganisationApiController, OrganisationPageController, ReferralApiController, ReferralPageController
from server.standards.controllers import StandardApiController, StandardPageController
from server.validation import mutations as _submission  # noqa: F401
from server.verification import mutations as _verification  # noqa: F401
from server.verification.controllers import VerificationApiController

CASEWORK_ROUTES = [
    StandardApiController,
    StandardPageController,
    CaseworkApiController,
    SnapshotApiController,
    EligibilityPageController,
    DeclarationApiController,
    VerificationApiController,
    OrganisationApiController,
    ReferralApiController,
    OrganisationPageController,
    ReferralPageController,
    FieldCaseworkController,
]
