from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssuranceConfig(AppConfig):
    name = "tongxin.assurance"
    verbose_name = _("Security checklist (等保自查)")
