from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tongxin.audit"
    label = "audit"

    def ready(self) -> None:
        from tongxin.audit import signals  # noqa: F401
