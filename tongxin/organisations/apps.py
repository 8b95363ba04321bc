from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "tongxin.organisations"
    label = "organisations"
