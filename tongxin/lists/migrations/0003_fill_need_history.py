"""The history of the needs already there, from what their rows remember: published (created_at),
claimed (claimed_at), withdrawn (with its reason) and met (done_at).
Steps the rows did not keep (a claim given back, the start of the project) are not invented."""

from django.db import migrations


def fill(apps, schema_editor):
    Need = apps.get_model("lists", "Need")
    Transition = apps.get_model("lists", "NeedTransition")
    rows = []
    for need in Need.objects.all().iterator(chunk_size=2000):
        def add(action, from_status, to_status, at, actor_id=None, reason=""):
            rows.append(
                Transition(
                    need_id=need.pk,
                    action=action,
                    from_status=from_status,
                    to_status=to_status,
                    actor_id=actor_id,
                    reason=reason[:200],
                    at=at,
                )
            )

        add("publish", "", "open", need.created_at, need.created_by_id)
        if need.claimed_at is not None:
            add("claim", "open", "claimed", need.claimed_at, need.claimed_by_id, need.claim_note)
        if need.status == "withdrawn":
            add("withdraw", "claimed" if need.claimed_at else "open", "withdrawn", need.updated_at,
                reason=need.withdrawn_reason)
        if need.done_at is not None:
            add("meet", "in_project", "done", need.done_at)
    Transition.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("lists", "0002_need_transitions")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
