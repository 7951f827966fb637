"""The route handlers of supervisor review, procedures and the audit trail, for create_app()."""

from server.audit.controllers import AuditController
from server.field.tasks import FieldTaskController
from server.procedures.controllers import ProceduresApiController, ProceduresController
from server.review.controllers import ReviewApiController, ReviewController

REVIEW_ROUTES = [ReviewController, ReviewApiController, ProceduresController, ProceduresApiController, AuditController, FieldTaskController]
