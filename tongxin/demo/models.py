"""The demo app's only table: the row a bare intake writes when the benchmark endpoints are on."""

from django.db import models


class BenchReport(models.Model):
    """What `POST /api/v1/bench/intake` writes (TONGXIN_BENCH_ENDPOINTS=1 only): the same body as a
    resident's report, validated by the same schema, stored as one row with no rule, look-up or
    side effect — the stack's own cost, measured beside the real intake by `tongxin bench_intake`.
    No personal field is kept (the body's name and phone are validated, then dropped)."""

    kind = models.CharField(max_length=16)
    category = models.CharField(max_length=16)
    description = models.TextField()
    lng = models.FloatField(null=True)
    lat = models.FloatField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.category} {self.created_at:%Y-%m-%d %H:%M:%S}"
