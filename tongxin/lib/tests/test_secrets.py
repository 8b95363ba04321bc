"""Issue 12, item 10: tokens out of the logs, data files 0600, the field-key ring and SM4."""

import logging
import os
import stat

import pytest
from cryptography.fernet import Fernet

from tongxin.lib import crypto
from tongxin.lib.keys import create_private_file, load_or_create_key, owner_only
from tongxin.lib.redact import RedactSecrets, redact

TOKEN = "Qm9ndXMtdHJhY2tpbmctdG9rZW4"


@pytest.mark.parametrize(
    "line",
    [
        f'127.0.0.1 - - "GET /track/C2026-000123/{TOKEN}/ HTTP/1.1" 200',
        f"Not Found: /track/C2026-000123/{TOKEN}/photos/3/",
        f'"GET /screen/{TOKEN}/live/ HTTP/1.1" 200',
        f"GET /api/v1/x?token={TOKEN}&page=2",
        f"Authorization: Bearer {TOKEN}",
    ],
)
def test_tokens_are_redacted(line):
    cleaned = redact(line)
    assert TOKEN not in cleaned and "[redacted]" in cleaned


def test_a_log_record_with_a_token_in_its_arguments_is_rewritten(caplog):
    logger = logging.getLogger("tongxin.test.redact")
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    logger.addHandler(handler)
    try:
        with caplog.at_level(logging.WARNING, logger="tongxin.test.redact"):
            logger.addFilter(RedactSecrets())
            logger.warning('"%s %s" %s', "GET", f"/track/C1/{TOKEN}/", 404)
        assert TOKEN not in caplog.text and "/track/C1/[redacted]/" in caplog.text
    finally:
        logger.removeHandler(handler)
        logger.filters.clear()


def test_the_configured_handlers_redact(settings):
    names = {h: conf.get("filters", []) for h, conf in settings.LOGGING["handlers"].items()}
    assert all("redact" in filters for filters in names.values())
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["server"]


def test_gunicorn_access_log_is_redacted():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from tongxin.lib.gunicorn_logger import RedactingLogger

    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/track/C1/{TOKEN}/",
        "PATH_INFO": f"/track/C1/{TOKEN}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    request = SimpleNamespace(
        headers=[],
        path=f"/track/C1/{TOKEN}/",
        query="",
        uri=f"/track/C1/{TOKEN}/",
        method="GET",
        version=(1, 1),
    )
    response = SimpleNamespace(status="200 OK", headers=[], response_length=10, sent=10)
    from datetime import timedelta

    atoms = logger.atoms(response, request, environ, timedelta(seconds=1))
    assert all(TOKEN not in str(v) for v in atoms.values())


def test_key_and_database_files_are_created_owner_only(tmp_path):
    key = tmp_path / "audit_key"
    load_or_create_key(key, kind="django")
    database = tmp_path / "tongxin.sqlite3"
    old = os.umask(0o022)  # a permissive umask does not widen them
    try:
        create_private_file(database)
    finally:
        os.umask(old)
    for path in (key, database):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and owner_only(path)
    database.chmod(0o644)
    assert not owner_only(database)


def test_a_readable_key_or_database_fails_the_check(settings, tmp_path):
    from tongxin.audit.checks import data_file_modes

    settings.DATA_DIR = tmp_path
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db")}}
    load_or_create_key(tmp_path / "field_key", kind="fernet")
    create_private_file(tmp_path / "db")
    assert data_file_modes() == []
    (tmp_path / "db").chmod(0o644)
    assert [w.id for w in data_file_modes()] == ["audit.W002"]


# ---- the key ring and the national profile ----------------------------------------------------


OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_old_ciphertext_stays_readable_under_a_new_ring():
    token = crypto.encrypt("13812341234", key=OLD)
    ring = f"{NEW},{OLD}"
    assert crypto.decrypt(token, key=ring) == "13812341234"
    assert not crypto.written_with_primary(token, key=ring)
    again = crypto.encrypt("13812341234", key=ring)
    assert crypto.written_with_primary(again, key=ring)
    with pytest.raises(ValueError):
        crypto.decrypt(again, key=OLD)  # the old key alone cannot read the new value
    with pytest.raises(ValueError):
        crypto.decrypt(token, key=NEW)  # nor the new key alone the old one


@pytest.fixture
def national():
    if not (crypto.sm4_available() and crypto.sm3_available()):
        pytest.skip("no SM4/SM3 in this cryptography build")
    crypto.configure(cipher=crypto.SM4)
    yield
    crypto.configure(cipher=crypto.FERNET)


def test_sm4_gcm_field_cipher(national):
    token = crypto.encrypt("110101199003071234", key=NEW)
    assert token.startswith(crypto.SM4_PREFIX) and "110101199003071234" not in token
    assert crypto.decrypt(token, key=NEW) == "110101199003071234"
    assert crypto.decrypt(token, key=f"{Fernet.generate_key().decode()},{NEW}") == "110101199003071234"
    with pytest.raises(ValueError):
        crypto.decrypt(token, key=OLD)  # wrong key
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(ValueError):
        crypto.decrypt(tampered, key=NEW)
    # Fernet values written before the switch stay readable
    crypto.configure(cipher=crypto.FERNET)
    fernet = crypto.encrypt("x", key=NEW)
    crypto.configure(cipher=crypto.SM4)
    assert crypto.decrypt(fernet, key=NEW) == "x" and not crypto.written_with_primary(fernet, key=NEW)
    assert len(crypto.lookup_hash("13812341234", key=NEW, purpose="phone")) == 64
