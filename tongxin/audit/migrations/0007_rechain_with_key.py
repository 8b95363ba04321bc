"""Re-chain the audit trail with the keyed hash (HMAC-SHA256, or HMAC-SM3 under the national
profile). Honest about what it found: the unkeyed chain is verified first, and one event at the
end of the new chain records whether it was intact (and where it broke) before it was re-keyed."""

from django.db import migrations
from django.utils import timezone

from tongxin.audit import chain


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditCheckpoint = apps.get_model("audit", "AuditCheckpoint")
    scheme = chain.current_scheme()
    events = AuditEvent.objects.order_by("id")
    legacy_prev, broken_at, count = chain.GENESIS, None, 0
    prev = chain.GENESIS
    for event in events.iterator(chunk_size=2000):
        count += 1
        if broken_at is None and (
            event.prev_hash != legacy_prev
            or event.hash != chain.digest(chain.LEGACY, legacy_prev, chain.chained_fields(event))
        ):
            broken_at = event.pk
        legacy_prev = event.hash
        event.scheme = scheme
        event.prev_hash = prev
        event.hash = chain.digest(scheme, prev, chain.chained_fields(event))
        AuditEvent.objects.filter(pk=event.pk).update(scheme=scheme, prev_hash=prev, hash=event.hash)
        prev = event.hash
    AuditCheckpoint.objects.all().delete()  # verified again from the start under the key
    if count == 0:
        return
    note = AuditEvent(
        at=timezone.now(),
        actor_username="system",
        action="chain_rekeyed",
        target="audit",
        outcome="success" if broken_at is None else "failure",
        detail={
            "events": count,
            "scheme": scheme,
            "unkeyed_chain_intact": broken_at is None,
            "broken_at": broken_at,
        },
        scheme=scheme,
        prev_hash=prev,
    )
    note.hash = chain.digest(scheme, prev, chain.chained_fields(note))
    note.save()


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_event_scheme_archive_anchor")]

    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]
