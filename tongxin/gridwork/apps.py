from django.apps import AppConfig


class GridworkConfig(AppConfig):
    name = "tongxin.gridwork"
    label = "gridwork"
    verbose_name = "Grid work (网格员工作日志)"
