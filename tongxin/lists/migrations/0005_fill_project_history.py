"""The history of the projects already there, from what their rows remember: started (when the
claim it delivers was made), each milestone's last report and its acceptance, delivered (closed_at)
or cancelled. Steps the rows did not keep (earlier progress reports) are not invented."""

from django.db import migrations


def fill(apps, schema_editor):
    Project = apps.get_model("lists", "Project")
    Milestone = apps.get_model("lists", "Milestone")
    Transition = apps.get_model("lists", "ProjectTransition")
    rows = []

    def add(project_id, action, from_status, to_status, at, actor_id=None, milestone_id=None,
            progress=None, reason=""):
        rows.append(
            Transition(
                project_id=project_id,
                milestone_id=milestone_id,
                action=action,
                from_status=from_status,
                to_status=to_status,
                progress=progress,
                actor_id=actor_id,
                reason=reason[:200],
                at=at,
            )
        )

    for project in Project.objects.all().iterator(chunk_size=2000):
        add(project.pk, "start", "", "active", project.claimed_at, project.created_by_id)
        if project.status == "closed" and project.closed_at is not None:
            add(project.pk, "close", "active", "closed", project.closed_at, project.closed_by_id,
                reason=project.result)
        elif project.status == "cancelled":
            add(project.pk, "cancel", "active", "cancelled", project.updated_at, reason=project.result)
    for m in Milestone.objects.all().iterator(chunk_size=2000):
        if m.reported_at is not None:
            to = "reported" if m.progress == 100 else "open"
            add(m.project_id, "report", "open", to, m.reported_at, m.reported_by_id, m.pk, m.progress)
        if m.accepted_at is not None:
            add(m.project_id, "accept", "reported" if m.reported_at else "open", "accepted",
                m.accepted_at, m.accepted_by_id, m.pk, 100)
    Transition.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("lists", "0004_project_transitions")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
