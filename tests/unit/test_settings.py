"""Fail fast: resource names and the token settings are required, and every function reads its settings at cold
start, failing there with the names of what is missing (cairn.core.settings)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from cairn.core.settings import MissingSettings, Settings, get_settings
from cairn_local import template


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()  # after monkeypatch restored the environment (fixtures end in reverse order)


def _cold_start(function: template.Function) -> None:
    """Imports the function's handler module under a name of its own, as a new Lambda container would."""
    spec = importlib.util.spec_from_file_location(f"cold_start_{function.logical_id}", function.module_path)
    assert spec is not None
    assert spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


@pytest.mark.parametrize("function", template.functions(), ids=lambda function: function.logical_id)
def test_a_function_without_its_table_name_fails_at_cold_start_naming_it(function, monkeypatch):
    monkeypatch.delenv("CAIRN_TABLE_NAME")

    with pytest.raises(MissingSettings, match="CAIRN_TABLE_NAME is not set"):
        _cold_start(function)


def test_every_missing_resource_name_is_named_at_once(monkeypatch):
    for name in ("CAIRN_TABLE_NAME", "CAIRN_BUCKET_NAME", "CAIRN_PURGE_STATE_MACHINE_ARN",
                 "CAIRN_SOURCE_SYNC_STATE_MACHINE_ARN"):
        monkeypatch.delenv(name)

    with pytest.raises(MissingSettings) as raised:
        get_settings()
    assert str(raised.value) == ("Cairn is misconfigured: CAIRN_TABLE_NAME is not set; CAIRN_BUCKET_NAME is not set; "
                                 "CAIRN_PURGE_STATE_MACHINE_ARN is not set; "
                                 "CAIRN_SOURCE_SYNC_STATE_MACHINE_ARN is not set")


def test_an_empty_resource_name_is_refused(monkeypatch):
    monkeypatch.setenv("CAIRN_BUCKET_NAME", "")

    with pytest.raises(MissingSettings, match="CAIRN_BUCKET_NAME: String should have at least 1 character"):
        get_settings()


@pytest.mark.parametrize(("algorithm", "unset", "named"), [("HS256", "CAIRN_JWT_SECRET", "CAIRN_JWT_SECRET"),
                                                           ("RS256", "CAIRN_JWKS_URL", "CAIRN_JWKS_URL")])
def test_the_key_of_the_configured_algorithm_is_required(monkeypatch, algorithm, unset, named):
    monkeypatch.setenv("CAIRN_JWT_ALGORITHM", algorithm)
    monkeypatch.delenv(unset, raising=False)

    with pytest.raises(MissingSettings, match=f"{named} is required with CAIRN_JWT_ALGORITHM={algorithm}"):
        get_settings()


def test_a_refused_value_is_not_repeated(monkeypatch):
    monkeypatch.setenv("CAIRN_JWT_ALGORITHM", "secret-looking-value")

    with pytest.raises(MissingSettings, match="CAIRN_JWT_ALGORITHM") as raised:
        get_settings()
    assert "secret-looking-value" not in str(raised.value)


def test_the_template_gives_every_function_the_required_settings():
    required = {f"CAIRN_{name.upper()}" for name, field in Settings.model_fields.items() if field.is_required()}

    assert required <= set(template.global_environment())
