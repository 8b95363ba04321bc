from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "tongxin.estates"
    verbose_name = _("Estates and property service")
    default_auto_field = "django.db.models.BigAutoField"
