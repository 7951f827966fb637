"""Upload limits and expiry are settings read from the environment."""

import pytest

from server.settings import load_settings

MB = 1024 * 1024


def test_upload_limits_default_per_kind_and_unknown_kind_gets_the_largest():
    media = load_settings({}).media
    assert (media.max_photo_bytes, media.max_video_bytes, media.max_audio_bytes, media.max_document_bytes) == (25 * MB, 2048 * MB, 200 * MB, 50 * MB)
    assert media.max_bytes("photo") == 25 * MB
    assert media.max_bytes(None) == media.max_upload_bytes == 2048 * MB
    assert media.upload_expiry_hours == 168


def test_upload_limits_and_expiry_come_from_the_environment():
    media = load_settings({"DOORSTEP_MAX_PHOTO_MB": "5", "DOORSTEP_MAX_VIDEO_MB": "100", "DOORSTEP_UPLOAD_EXPIRY_HOURS": "24"}).media
    assert media.max_bytes("photo") == 5 * MB
    assert media.max_upload_bytes == 200 * MB  # audio's default is now the largest
    assert media.upload_expiry_hours == 24


def test_upload_limit_must_be_a_number():
    with pytest.raises(SystemExit, match="DOORSTEP_MAX_VIDEO_MB"):
        load_settings({"DOORSTEP_MAX_VIDEO_MB": "lots"})


def test_unattached_uploads_wait_30_days_by_default_and_at_least_one():
    assert load_settings({}).media.unattached_upload_days == 30
    assert load_settings({"DOORSTEP_UNATTACHED_UPLOAD_DAYS": "90"}).media.unattached_upload_days == 90
    assert load_settings({"DOORSTEP_UNATTACHED_UPLOAD_DAYS": "0"}).media.unattached_upload_days == 1
