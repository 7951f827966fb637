"""create_app(): the Litestar application."""

from __future__ import annotations

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router

from server.accounts.controllers import AuthController, PasskeyController, SessionController
from server.accounts.csrf import CsrfTokenController
from server.accounts.middleware import RequestContextMiddleware
from server.accounts.people_controllers import InvitationController, PeopleController
from server.casework.routes import CASEWORK_ROUTES
from server.db import close_pool, start_pool
from server.errors import error_to_response
from server.evidence.controllers import EvidenceController
from server.field.controllers import FieldController, FieldShellController, service_worker
from server.field.messages import js_messages_file
from server.home.controllers import HomeController
from server.dailycheck.controllers import DailyFieldController, HandledController
from server.dashboards.controllers import DashboardController
from server.watch.controllers import WatchController
from server.households.controllers import HouseholdApiController
from server.observability.controllers import MetricsController, prometheus_config
from server.observability.logs import AccessLogMiddleware, configure_access_log
from server.openapi import document_api_errors
from server.validation.nul import refuse_nul
from server.validation.request import DoorstepRequest, refuse_nul_in_forms
from server.secrets import app_secret
from server.settings import get_settings
from server.sync_api.controllers import SyncController
from server.sync_api.discovery import load_mutation_modules
from server.templating import STATIC_DIR, template_config
from server.uploads.controllers import UploadController
from server.uploads.janitor import start_janitor, stop_janitor
from server.review.routes import REVIEW_ROUTES
from server.paperwork.controllers import ROUTES as PAPERWORK_ROUTES


def create_app() -> Litestar:
    settings = get_settings()
    load_mutation_modules()
    configure_access_log()
    route_handlers = [
        HomeController,
        AuthController,
        SessionController,
        PasskeyController,
        CsrfTokenController,
        InvitationController,
        PeopleController,
        HouseholdApiController,
        SyncController,
        MetricsController,
        FieldController,
        FieldShellController,
        DailyFieldController,
        HandledController,
        DashboardController,
        WatchController,
        service_worker,
        js_messages_file,
        UploadController,
        EvidenceController,
        *CASEWORK_ROUTES,
        *REVIEW_ROUTES,
        *PAPERWORK_ROUTES,
        create_static_files_router(path="/static", directories=[STATIC_DIR], name="static", cache_control=None),
    ]
    app = Litestar(
        route_handlers=route_handlers,
        middleware=[DefineMiddleware(RequestContextMiddleware), AccessLogMiddleware, prometheus_config.middleware, refuse_nul],
        compression_config=CompressionConfig(
            backend="gzip",
            gzip_compress_level=6,
            minimum_size=1024,
            # Media is compressed already, and Range answers must stay byte-exact.
            exclude=["^/api/evidence/", "^/api/uploads", "^/static/icons/"],
        ),
        csrf_config=CSRFConfig(
            secret=app_secret(),
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            cookie_secure=settings.server.secure_cookies,
            cookie_samesite="lax",
            safe_methods={"GET", "HEAD", "OPTIONS"},
        ),
        template_config=template_config(),
        plugins=[HTMXPlugin()],
        exception_handlers={Exception: error_to_response},
        request_class=DoorstepRequest,
        before_request=refuse_nul_in_forms,
        on_startup=[start_pool, start_janitor],
        on_shutdown=[stop_janitor, close_pool],
        debug=False,
    )
    document_api_errors(app)
    return app
