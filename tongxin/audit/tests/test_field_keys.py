"""`tongxin rotate_field_key` (issue 12, item 10; SECURITY.md row 19): a new key first in the ring,
every encrypted field re-encrypted in batches with its look-up hash, old ciphertext readable until
the old keys are retired; the national profile's SM4 through the same command."""

import stat

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from tongxin.audit.fieldkeys import encrypted_fields, left_under_old_keys
from tongxin.audit.models import Action, AuditEvent
from tongxin.lib import crypto
from tongxin.people.models import Person
from tongxin.people.services import find_person_by_id_card, person_create

pytestmark = pytest.mark.django_db
ID = "110101199003071233"


@pytest.fixture
def ring_file(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("TONGXIN_FIELD_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    first = crypto.ring(settings.FIELD_ENCRYPTION_KEY)[0]
    settings.FIELD_ENCRYPTION_KEY = first
    (tmp_path / "field_key").write_text(first)
    return tmp_path / "field_key"


def test_every_encrypted_field_is_found():
    labels = {spec.label for spec in encrypted_fields()}
    assert {"people.Person.phone_encrypted", "people.Person.id_card_encrypted"} <= labels
    assert "cases.Case.reporter_phone_encrypted" in labels


def test_rotation_reencrypts_and_keeps_old_ciphertext_readable_until_retired(tree, settings, ring_file):
    people = [
        person_create(name=f"居民{i}", region=tree.community_a1, phone=f"1381234000{i}") for i in range(3)
    ]
    person_create(name="有身份证", region=tree.community_a1, id_card=ID)
    old_key = settings.FIELD_ENCRYPTION_KEY
    before = Person.objects.get(pk=people[0].pk).phone_encrypted
    call_command("rotate_field_key", batch=2)
    ring = crypto.ring(settings.FIELD_ENCRYPTION_KEY)
    assert len(ring) == 2 and ring[1] == old_key
    assert ring_file.read_text().split() == ring and stat.S_IMODE(ring_file.stat().st_mode) == 0o600
    after = Person.objects.get(pk=people[0].pk)
    assert after.phone_encrypted != before and "13812340000" not in after.phone_encrypted
    assert after.reveal_phone() == "13812340000"
    assert crypto.decrypt(before, key=settings.FIELD_ENCRYPTION_KEY) == "13812340000"  # old still reads
    assert find_person_by_id_card(ID) is not None  # the look-up hash moved with it
    assert all(n == 0 for n in left_under_old_keys().values())
    call_command("rotate_field_key", retire=True)
    assert (
        crypto.ring(settings.FIELD_ENCRYPTION_KEY) == ring[:1] and ring_file.read_text().split() == ring[:1]
    )
    with pytest.raises(ValueError):
        crypto.decrypt(before, key=settings.FIELD_ENCRYPTION_KEY)  # the retired key's values: gone
    assert Person.objects.get(pk=people[1].pk).reveal_phone() == "13812340001"
    steps = [e.detail["step"] for e in AuditEvent.objects.filter(action=Action.KEY_ROTATED).order_by("id")]
    assert steps == ["rotated", "retired"]


def test_retire_refuses_while_values_need_an_old_key(tree, settings, ring_file):
    person_create(name="甲", region=tree.community_a1, phone="13812340000")
    settings.FIELD_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{settings.FIELD_ENCRYPTION_KEY}"
    with pytest.raises(CommandError, match="still need the old keys"):
        call_command("rotate_field_key", retire=True)


def test_a_key_from_the_environment_is_not_rewritten(tree, settings, ring_file, monkeypatch):
    monkeypatch.setenv("TONGXIN_FIELD_KEY", settings.FIELD_ENCRYPTION_KEY)
    with pytest.raises(CommandError, match="TONGXIN_FIELD_KEY"):
        call_command("rotate_field_key")


def test_switching_to_the_national_profile_reencrypts_with_sm4(tree, settings, ring_file):
    if not (crypto.sm4_available() and crypto.sm3_available()):
        pytest.skip("no SM4/SM3 in this cryptography build")
    person = person_create(name="乙", region=tree.community_a1, phone="13812340009", id_card=ID)
    crypto.configure(cipher=crypto.SM4)
    try:
        call_command("rotate_field_key", resume=True)
        row = Person.objects.get(pk=person.pk)
        assert row.phone_encrypted.startswith(crypto.SM4_PREFIX) and row.reveal_phone() == "13812340009"
        assert find_person_by_id_card(ID) == row  # SM3 look-up hashes
    finally:
        crypto.configure(cipher=crypto.FERNET)
