from django.apps import AppConfig


class PartylifeConfig(AppConfig):
    name = "tongxin.partylife"
    label = "partylife"
