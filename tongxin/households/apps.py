from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "tongxin.households"
    label = "households"

    def ready(self) -> None:
        from tongxin.households.moves import households_follow  # models are loaded only now
        from tongxin.regions.signals import region_moved

        region_moved.connect(households_follow, dispatch_uid="households-region-moved")
