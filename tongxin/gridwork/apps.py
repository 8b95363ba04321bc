from django.apps import AppConfig


class GridworkConfig(AppConfig):
    name = "tongxin.gridwork"
    label = "gridwork"
    verbose_name = "Grid work (网格员工作日志)"

    def ready(self) -> None:
        from tongxin.gridwork.moves import gridwork_follows  # models are loaded only now
        from tongxin.regions.signals import region_moved

        region_moved.connect(gridwork_follows, dispatch_uid="gridwork-region-moved")
