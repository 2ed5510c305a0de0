"""The `pyrecipe env` contract (shared/DESIGN.md "Contracts")."""

from __future__ import annotations

import json
from pathlib import Path

from parse_support import META_TEST, pyrecipe_cli, write_files

EXAMPLE = META_TEST / "recipes-devtools" / "python-example" / "python3-example_1.2.3.bb"
FASTMATH = META_TEST / "recipes-devtools" / "python-fastmath" / "python3-fastmath_2.0.1.bb"


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_json_one_object_per_file_and_variant(tmp_path: Path) -> None:
    result = pyrecipe_cli("env", "--bare", "--bbpath", META_TEST, "--json", EXAMPLE, FASTMATH)
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    assert [(r["file"], r.get("variant")) for r in records] == [
        (str(EXAMPLE), ""), (str(EXAMPLE), "native"), (str(FASTMATH), None),
    ]
    assert [list(r) for r in records] == [["file", "variant", "vars"]] * 2 + [["file", "vars"]]
    assert records[0]["vars"]["PN"] == "python3-example"
    assert records[1]["vars"]["PN"] == "python3-example-native"
    assert records[1]["vars"]["CLASSOVERRIDE"] == "class-native"
    assert records[2]["vars"]["PV"] == "2.0.1"


def test_bare_predefines_only_the_core_variables(tmp_path: Path) -> None:
    recipe = tmp_path / "empty_0.1.bb"
    recipe.write_text("")
    result = pyrecipe_cli("env", "--bare", "--json", recipe)
    assert result.returncode == 0, result.stderr
    (record,) = json_lines(result.stdout)
    assert record == {
        "file": str(recipe),
        "vars": {
            "BP": "empty-0.1", "BPN": "empty", "FILE": str(recipe), "FILE_DIRNAME": str(tmp_path),
            "P": "empty-0.1", "PE": "", "PN": "empty", "PR": "r0", "PV": "0.1",
            "DEPENDS": "",  # not predefined: bitbake's finalisation sets it
        },
    }


def test_bbpath_is_repeatable_and_searched_in_order(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "one/classes/a.bbclass": 'FROM_A = "one"\n',
        "two/classes/a.bbclass": 'FROM_A = "two"\n',
        "two/classes/b.bbclass": 'FROM_B = "two"\n',
        "two/conf/x.inc": 'FROM_INC = "two"\n',
        "r/r_1.bb": "inherit a b\nrequire conf/x.inc\n",
    })
    result = pyrecipe_cli("env", "--bare", "--bbpath", tmp_path / "one", "--bbpath", tmp_path / "two", "--json", tmp_path / "r/r_1.bb")
    assert result.returncode == 0, result.stderr
    values = json_lines(result.stdout)[0]["vars"]
    assert (values["FROM_A"], values["FROM_B"], values["FROM_INC"]) == ("one", "two", "two")


def test_error_record_for_one_file_others_still_printed(tmp_path: Path) -> None:
    bad = tmp_path / "bad_1.0.bb"
    bad.write_text('A = "1"\nrequire missing.inc\n')
    good = tmp_path / "good_1.0.bb"
    good.write_text('A = "ok"\n')
    result = pyrecipe_cli("env", "--bare", "--json", bad, good)
    assert result.returncode == 2
    first, second = json_lines(result.stdout)
    assert list(first) == ["file", "error"] and first["file"] == str(bad)
    assert f"{bad}:2:1" in first["error"] and "missing.inc" in first["error"]
    assert second["vars"]["A"] == "ok"
    assert "Traceback" not in result.stderr


def test_expansion_error_is_a_json_error_record(tmp_path: Path) -> None:
    bad = tmp_path / "bad_1.0.bb"
    bad.write_text('A = "${@1/0}"\n')
    result = pyrecipe_cli("env", "--bare", "--json", bad)
    assert result.returncode == 2
    (record,) = json_lines(result.stdout)
    assert "error" in record and "ZeroDivisionError" in record["error"] and "A" in record["error"]


def test_text_output_like_bitbake_e(tmp_path: Path) -> None:
    recipe = tmp_path / "t_1.0.bb"
    recipe.write_text('export CC = "gcc"\nA = "${PN}"\ndo_x() {\n\techo\n}\n')
    result = pyrecipe_cli("env", "--bare", recipe)
    assert result.returncode == 0, result.stderr
    assert 'export CC="gcc"' in result.stdout.splitlines()
    assert 'A="t"' in result.stdout.splitlines()
    assert "do_x() {\n\techo\n}" in result.stdout


def test_bare_refuses_recipe_names() -> None:
    result = pyrecipe_cli("env", "--bare", "python3-example")
    assert result.returncode == 2
    assert "--bare" in result.stderr and "Traceback" not in result.stderr


def test_full_config_recipe_name_and_path(tmp_path: Path) -> None:
    common = ("--layer", META_TEST, "--machine", "testboard", "--build-dir", tmp_path, "--json")
    by_name = pyrecipe_cli("env", *common, "example")
    assert by_name.returncode == 0, by_name.stderr
    (record,) = json_lines(by_name.stdout)
    assert record["file"] == str(EXAMPLE)
    values = record["vars"]
    assert values["PN"] == "python3-example"
    assert values["MACHINE"] == "testboard"
    assert values["CLASSOVERRIDE"] == "class-target"
    assert values["RDEPENDS:python3-example"].split() == ["python3-core", "python3-json", "python3-ctypes"]
    assert values["EXTRA_FROM_APPEND"] == "yes"  # the python3-example_%.bbappend
    by_path = pyrecipe_cli("env", *common, EXAMPLE)
    assert by_path.returncode == 0, by_path.stderr
    target, native = json_lines(by_path.stdout)
    assert (target["variant"], native["variant"]) == ("", "native")
    assert native["vars"]["PN"] == "python3-example-native"
    assert native["vars"]["CLASSOVERRIDE"] == "class-native"


def test_unknown_recipe_name_is_an_input_error(tmp_path: Path) -> None:
    result = pyrecipe_cli("env", "--layer", META_TEST, "--machine", "testboard", "--build-dir", tmp_path, "fastmaht")
    assert result.returncode == 2
    assert "fastmaht" in result.stderr and "did you mean" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_or_unreadable_recipe_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "dir_1.0.bb").mkdir()
    result = pyrecipe_cli("env", "--bare", tmp_path / "missing_1.0.bb", tmp_path / "dir_1.0.bb")
    assert result.returncode == 2
    assert f"cannot read {tmp_path / 'missing_1.0.bb'}: No such file or directory" in result.stderr
    assert f"cannot read {tmp_path / 'dir_1.0.bb'}: Is a directory" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
