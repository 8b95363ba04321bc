from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "tongxin.partners"
    label = "partners"
