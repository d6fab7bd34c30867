"""Every CSV export escapes cells a spreadsheet would run as a formula (crm_site.csv_export)."""

import csv
import io

import pytest

from crm_site.csv_export import BOM, csv_lines, csv_writer

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
            "%0A=1+1", "|calc"]


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_looking_cell_is_prefixed_so_a_spreadsheet_shows_it_as_text(formula):
    (_header, row) = parsed("".join(csv_lines(["value"], [[formula]])))
    assert row[0].startswith("'") and row[0].lstrip("'").replace("\\|", "|") == formula


def test_numbers_names_and_empty_cells_are_left_alone():
    rows = [[12, "-12.50", "1,000.00", "张伟", "", None, "a=b"]]
    (_header, row) = parsed("".join(csv_lines(list("abcdefg"), rows)))
    assert row == ["12", "-12.50", "1,000.00", "张伟", "", "", "a=b"]


def test_lines_start_with_a_bom_for_excel_unless_asked_not_to():
    assert next(csv_lines(["a"], [])).startswith(BOM)
    assert not next(csv_lines(["a"], [], bom=False)).startswith(BOM)


def test_the_file_writer_escapes_too():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["=1+1", "ok"])
    assert parsed(out.getvalue()) == [["'=1+1", "ok"]]
