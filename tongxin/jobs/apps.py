from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tongxin.jobs"
    label = "jobs"

    def ready(self) -> None:
        from tongxin.core.health import register
        from tongxin.jobs.services import worker_problem

        register("worker", worker_problem)
