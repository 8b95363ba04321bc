from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "tongxin.venues"
    label = "venues"
    verbose_name = "Venues (阵地): rooms, booking, duty rota and services"
