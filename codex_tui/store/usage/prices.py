"""The price table: prices.toml shipped in this package (dated), overridden model by model by
`prices.toml` in the user's config directory. A model in neither has no price: its tokens are
shown, its cost is None, never a guess (not even a "similar" model's)."""

from __future__ import annotations

import os
import tomllib
from datetime import date
from importlib import resources
from typing import Any, NamedTuple

from ..model import TokenUsage
from ..paths import user_dir

MILLION = 1_000_000


class Price(NamedTuple):
    input: float  # US dollars per million tokens
    cached_input: float
    output: float

    def cost(self, usage: TokenUsage) -> float:
        # Codex's input_tokens include the cached ones; output_tokens include reasoning.
        cached = min(usage.cached_input, usage.input)
        return ((usage.input - cached) * self.input + cached * self.cached_input
                + usage.output * self.output) / MILLION


class PriceTable(NamedTuple):
    prices: dict[str, Price]
    as_of: str | None  # the shipped table's date, or the override's when it gives one
    source: str | None
    problems: list[str]  # an override file that could not be read, or a bad entry

    def price(self, model: str | None) -> Price | None:
        if not model:
            return None
        return self.prices.get(model) or self.prices.get(model.lower())


def config_dir() -> str:
    return user_dir("CODEX_TUI_CONFIG_DIR", "XDG_CONFIG_HOME", ".config")


def override_path() -> str:
    return os.path.join(config_dir(), "prices.toml")


def load_prices(override: str | None = None) -> PriceTable:
    shipped = tomllib.loads(resources.files(__package__).joinpath("prices.toml")
                            .read_text(encoding="utf-8"))
    problems: list[str] = []
    prices = _models(shipped, "the shipped price table", problems)
    as_of, source = _date(shipped.get("as_of")), shipped.get("source")
    path = override or override_path()
    try:
        with open(path, "rb") as stream:
            user = tomllib.load(stream)
    except FileNotFoundError:
        user = None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: not read ({exc}); the shipped prices are used")
        user = None
    if user is not None:
        prices.update(_models(user, path, problems))
        if user.get("as_of") is not None:
            as_of = _date(user.get("as_of"))
        if isinstance(user.get("source"), str):
            source = user["source"]
    return PriceTable(prices, as_of, source if isinstance(source, str) else None, problems)


def _date(value: Any) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    return value if isinstance(value, str) else None


def _models(doc: dict[str, Any], where: str, problems: list[str]) -> dict[str, Price]:
    out: dict[str, Price] = {}
    models = doc.get("models", {})
    if not isinstance(models, dict):
        problems.append(f"{where}: [models] is not a table")
        return out
    for name, entry in models.items():
        try:
            out[name] = Price(*(_rate(entry, key) for key in Price._fields))
        except (TypeError, ValueError) as exc:
            problems.append(f"{where}: model {name!r} skipped: {exc}")
    return out


def _rate(entry: Any, key: str) -> float:
    if not isinstance(entry, dict):
        raise TypeError("not a table")
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{key} must be a number of dollars per million tokens")
    return float(value)
