"""The one table of the bottom layer: the rate limits' fixed-window counters (core/ratelimit.py)."""

from django.db import models


class RateCounter(models.Model):
    """Events counted under one key (a purpose and a client address, an account name or an API key)
    in the window that ends at `until` (seconds since the epoch). Written by one statement that
    inserts or increments (INSERT … ON CONFLICT DO UPDATE … RETURNING), so concurrent requests
    never lose a count; expired rows are deleted by the hourly job `core.rate_counters_prune`."""

    key = models.CharField(max_length=250, primary_key=True)
    n = models.PositiveIntegerField(default=0)
    until = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["until"], name="core_ratecounter_until")]

    def __str__(self) -> str:
        return f"{self.key}: {self.n}"
