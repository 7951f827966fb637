"""Settings read from an environment mapping."""

import pytest

from server.settings import load_settings


def test_origin_defaults_to_localhost_on_the_port_never_an_ip():
    settings = load_settings({"PORT": "8123"})
    assert settings.server.origin == "http://localhost:8123"
    assert settings.server.rp_id == "localhost"
    assert settings.server.host == "127.0.0.1"
    assert not settings.server.secure_cookies


def test_explicit_https_origin_gives_secure_cookies_and_its_rp_id():
    settings = load_settings({"DOORSTEP_ORIGIN": "https://doorstep.example.gov.cn/"})
    assert settings.server.origin == "https://doorstep.example.gov.cn"
    assert settings.server.rp_id == "doorstep.example.gov.cn"
    assert settings.server.secure_cookies


def test_sqlite_lives_under_doorstep_home(tmp_path):
    settings = load_settings({"DOORSTEP_HOME": str(tmp_path)})
    assert settings.storage.engine == "sqlite"
    assert settings.storage.sqlite_path == tmp_path / "doorstep.sqlite3"
    assert settings.storage.media_dir == tmp_path / "media"


def test_database_url_selects_postgres():
    settings = load_settings({"DATABASE_URL": "postgresql://u@db:5432/doorstep"})
    assert settings.storage.engine == "postgres"


def test_unsupported_database_url_is_refused_with_a_clear_message():
    with pytest.raises(SystemExit, match="postgresql://"):
        load_settings({"DATABASE_URL": "mysql://x"})


def test_port_must_be_a_number():
    with pytest.raises(SystemExit, match="PORT"):
        load_settings({"PORT": "eighty"})
