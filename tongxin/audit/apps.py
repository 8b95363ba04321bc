from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tongxin.audit"
    label = "audit"

    def ready(self) -> None:
        from tongxin.audit import checks, signals  # noqa: F401
