"""Settings come from ADLINT_* variables, flags override them, and bad values are refused at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from serve.settings import Settings


def test_defaults_are_the_documented_limits():
    settings = Settings.from_env({})
    assert (settings.port, settings.max_body_bytes, settings.max_text_chars, settings.max_batch) == (
        8000, 1_000_000, 20_000, 64,
    )
    assert settings.api_key is None and settings.model is None and settings.custom_lists is None


def test_environment_is_parsed_and_flags_win():
    environ = {
        "ADLINT_PORT": "9001", "ADLINT_MODEL": "/srv/model", "ADLINT_BATCH_WAIT_MS": "0.5",
        "ADLINT_API_KEY": "k", "ADLINT_CUSTOM_LISTS": "/etc/adlint/lists.yaml", "ADLINT_HOST": "0.0.0.0",
    }
    settings = Settings.from_env(environ, port=9002, host=None)
    assert settings.port == 9002 and settings.host == "0.0.0.0"
    assert settings.model == Path("/srv/model") and settings.custom_lists == Path("/etc/adlint/lists.yaml")
    assert settings.batch_wait_s == 0.0005 and settings.api_key == "k"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ADLINT_PORT": "eighty"}, "ADLINT_PORT='eighty' is not a valid int"),
        ({"ADLINT_PORT": "70000"}, "port must be in"),
        ({"ADLINT_MAX_BATCH": "0"}, "max_batch must be at least 1"),
        ({"ADLINT_MAX_QUEUE": "-1"}, "max_queue must not be negative"),
        ({"ADLINT_REQUEST_TIMEOUT_S": "0"}, "request_timeout_s must be positive"),
        ({"ADLINT_API_KEY": ""}, "api_key must not be empty"),
    ],
)
def test_bad_values_are_refused_with_a_message(environ, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(environ)


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().port = 1  # type: ignore[misc]
