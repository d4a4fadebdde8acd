# Cases for reviews-imports-neither-project-nor-dashboard in ../../scr_register.yml.
# ruff: noqa
# ruleid: reviews-imports-neither-project-nor-dashboard
from scr_register.settings import DEBUG
# ruleid: reviews-imports-neither-project-nor-dashboard
import dashboard.queries
# ruleid: reviews-imports-neither-project-nor-dashboard
from dashboard import panels
# ok: reviews-imports-neither-project-nor-dashboard
from service.observability import security_log
# ok: reviews-imports-neither-project-nor-dashboard
from reviews.models import Review
