from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongxin.cases"
    label = "cases"
    verbose_name = "Cases (诉求)"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from tongxin.audit.integrity import sealed
        from tongxin.cases.models import (
            CaseArchive,
            CaseCategory,
            CaseTransition,
            RateRuleSet,
            WhistleRouteStep,
            WhistleType,
        )
        from tongxin.cases.search import register_sqlite_function

        # the case history (what a transition row says happened; not its outbox mark, nor the
        # account a deletion sets to null) and the configuration that decides deadlines and rates
        sealed(
            CaseTransition,
            ("case_id", "action", "from_status", "to_status", "actor_label", "reason", "data", "at"),
        )
        sealed(CaseArchive, ("case_id", "history", "transition_count", "archived_at"))
        sealed(
            CaseCategory,
            ("code", "name", "parent_id", "response_hours", "handling_hours", "closure_hours", "active"),
        )
        sealed(
            RateRuleSet,
            ("version", "valid_from", "basically_weight", "previous_weight", "note", "created_at"),
        )
        sealed(WhistleType, ("code", "name", "description", "active"))
        # SQLite's word-search triggers call tongxin_case_grams (migration 0021)
        connection_created.connect(register_sqlite_function, dispatch_uid="cases_word_search")
        sealed(WhistleRouteStep, ("whistle_type_id", "step", "target", "responder_kind"))
