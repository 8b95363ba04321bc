"""The work report (工作综述) through the API: /api/v1/statistics/reports/…"""

from ninja import Router

router = Router()
