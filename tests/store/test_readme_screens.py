"""The README's pictures are the screens as the snapshot tests last saw them: each file in
assets/screens/ is a copy of its snapshot (scripts/readme_screens.py makes them), and the
README shows every one."""

from __future__ import annotations

import importlib.util

import pytest
from support.homes import ROOT

_spec = importlib.util.spec_from_file_location("readme_screens",
                                               ROOT / "scripts" / "readme_screens.py")
assert _spec is not None and _spec.loader is not None
screens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(screens)


@pytest.mark.parametrize("name", sorted(screens.SCREENS))
def test_asset_is_its_snapshot(name: str) -> None:
    snapshot, asset = screens.source(name), screens.target(name)
    assert snapshot.is_file(), f"{snapshot} is gone: update SCREENS in scripts/readme_screens.py"
    assert asset.is_file() and asset.read_bytes() == snapshot.read_bytes(), \
        f"{asset.name} is stale: run `python scripts/readme_screens.py`"


def test_readme_shows_every_screen() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = {name for name in screens.SCREENS if f"assets/screens/{name}.svg" in readme}
    assert shown == set(screens.SCREENS)


def test_no_stray_assets() -> None:
    on_disk = {p.stem for p in screens.ASSETS.glob("*.svg")}
    assert on_disk == set(screens.SCREENS)
