from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "tongxin.statistics"
    label = "statistics"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from tongxin.statistics import indicators  # noqa: F401  (registers every indicator)
