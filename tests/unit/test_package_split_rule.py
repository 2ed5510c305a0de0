"""OpenEmbedded's package split: PACKAGES order, FILES:<package> globs, the first match wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyrecipe.errors import BuildError
from pyrecipe.parse import DataSmart
from pyrecipe.tasks.package_split import read_package_list, split_files, write_package_lists

SITE = "usr/lib/python3.13/site-packages"


@pytest.fixture
def pkgd(tmp_path: Path) -> Path:
    root = tmp_path / "package"
    for relative in (f"{SITE}/dateutil/__init__.py", f"{SITE}/dateutil/zoneinfo/__init__.py",
                     f"{SITE}/dateutil/zoneinfo/data.tar.gz", "usr/lib/dateutil/ptest/run-ptest",
                     "usr/lib/dateutil/ptest/tests/test_a.py", "usr/share/doc/dateutil/README"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(relative)
    (root / f"{SITE}/dateutil/tz.py").symlink_to("__init__.py")
    return root


def test_first_package_in_packages_order_takes_a_path(pkgd: Path) -> None:
    packages = [("dateutil-ptest", ["/usr/lib/dateutil/ptest"]), ("dateutil-zoneinfo", [f"/{SITE}/dateutil/zoneinfo"]),
                ("dateutil", ["/"])]
    split = split_files(pkgd, packages)
    assert split.files["dateutil-zoneinfo"] == [f"{SITE}/dateutil/zoneinfo", f"{SITE}/dateutil/zoneinfo/__init__.py",
                                                f"{SITE}/dateutil/zoneinfo/data.tar.gz"]
    assert split.files["dateutil-ptest"] == ["usr/lib/dateutil/ptest", "usr/lib/dateutil/ptest/run-ptest",
                                             "usr/lib/dateutil/ptest/tests", "usr/lib/dateutil/ptest/tests/test_a.py"]
    rest = split.files["dateutil"]
    assert f"{SITE}/dateutil/__init__.py" in rest and f"{SITE}/dateutil/tz.py" in rest
    assert not any("zoneinfo" in path or "ptest" in path for path in rest)
    assert split.unshipped == []


def test_a_later_package_gets_nothing_an_earlier_one_took(pkgd: Path) -> None:
    """PACKAGES += "${PN}-zoneinfo" after ${PN} (FILES:${PN} = "/"): ${PN} keeps the zone data, as in OE."""
    split = split_files(pkgd, [("dateutil", ["/"]), ("dateutil-zoneinfo", [f"{SITE}/dateutil/zoneinfo"])])
    assert split.files["dateutil-zoneinfo"] == []
    assert f"{SITE}/dateutil/zoneinfo/data.tar.gz" in split.files["dateutil"]


def test_globs_match_one_level_and_paths_no_package_takes_are_unshipped(pkgd: Path) -> None:
    split = split_files(pkgd, [("dateutil-doc", ["/usr/share/doc/*/README"]), ("dateutil", [f"{SITE}/*"])])
    assert split.files["dateutil-doc"] == ["usr/share/doc/dateutil/README"]
    assert f"{SITE}/dateutil/zoneinfo/data.tar.gz" in split.files["dateutil"]
    assert split.unshipped == ["usr/lib/dateutil/ptest/run-ptest", "usr/lib/dateutil/ptest/tests/test_a.py"]


def test_package_lists_are_written_as_a_whole_and_read_per_package(pkgd: Path, tmp_path: Path) -> None:
    lists = tmp_path / "package-lists"
    d = DataSmart()
    d.setVar("PN", "dateutil")
    d.setVar("PKGMANIFESTDIR", str(lists))
    d.setVar("PKGD", str(pkgd))  # the lists name paths inside it
    d.setVar("WORKDIR", str(tmp_path))
    with pytest.raises(BuildError, match="no package lists"):
        read_package_list(d, "dateutil")
    write_package_lists(split_files(pkgd, [("dateutil-zoneinfo", [f"{SITE}/dateutil/zoneinfo/*.gz"]), ("dateutil", ["/"])]),
                        lists)
    assert read_package_list(d, "dateutil-zoneinfo") == [f"{SITE}/dateutil/zoneinfo/data.tar.gz"]
    assert f"{SITE}/dateutil/zoneinfo/__init__.py" in read_package_list(d, "dateutil")
    assert read_package_list(d, "dateutil-dev") == []  # a package the recipe does not make
    write_package_lists(split_files(pkgd, [("dateutil", ["/"])]), lists)
    assert sorted(p.name for p in lists.iterdir()) == ["dateutil.list"]
