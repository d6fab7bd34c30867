"""Loading branches from CSV, and what every master-data file shares (crm_site.csv_import): the reading of
the file, its header, malformed rows and the summary."""

import io

import pytest

from branches.imports import branches_import
from branches.models import Branch
from crm_site.csv_import import ImportFileError

pytestmark = pytest.mark.django_db

HEADER = "code,name,city,address"


def csv_file(*lines: str, newline: str = "\n", bom: bool = False) -> io.BytesIO:
    text = newline.join(lines) + newline
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode())


def load(*lines: str, **options):
    result = branches_import(file=csv_file(*lines, **options))
    assert result.received == result.inserted + result.updated + result.unchanged + result.rejected
    return result


def counts(result) -> tuple[int, int, int, int, int]:
    return result.received, result.inserted, result.updated, result.unchanged, result.rejected


def test_branches_load_with_every_column():
    result = load(HEADER, "SH001,上海浦东支行,上海市,上海市浦东新区世纪大道1号", "BJ001,北京朝阳支行,北京市,")
    assert counts(result) == (2, 2, 0, 0, 0)
    sh = Branch.objects.get(code="SH001")
    assert (sh.name, sh.city, sh.address) == ("上海浦东支行", "上海市", "上海市浦东新区世纪大道1号")
    assert Branch.objects.get(code="BJ001").address == ""


def test_loading_the_same_file_twice_changes_nothing_the_second_time():
    lines = (HEADER, "SH001,上海浦东支行,上海市,一号", "BJ001,北京朝阳支行,北京市,二号")
    load(*lines)
    assert counts(load(*lines)) == (2, 0, 0, 2, 0)


def test_a_changed_name_updates_the_branch_and_an_empty_cell_keeps_the_stored_value():
    load(HEADER, "SH001,上海浦东支行,上海市,一号")
    result = load(HEADER, "SH001,上海陆家嘴支行,,")
    assert counts(result) == (1, 0, 1, 0, 0)
    branch = Branch.objects.get(code="SH001")
    assert (branch.name, branch.city, branch.address) == ("上海陆家嘴支行", "上海市", "一号")


def test_a_row_without_a_required_value_is_rejected_with_its_row_number_and_the_others_load():
    result = load(HEADER, "SH001,上海浦东支行,,", ",无代码支行,,", "BJ001,,,")
    assert counts(result) == (3, 1, 0, 0, 2)
    assert [(r.row, r.reasons) for r in result.rejects] == [
        (3, ["code is required."]), (4, ["name is required."])]
    assert list(Branch.objects.values_list("code", flat=True)) == ["SH001"]


def test_a_value_longer_than_the_field_is_rejected():
    result = load(HEADER, f"{'X' * 17},太长,,")
    assert counts(result) == (1, 0, 0, 0, 1)
    assert result.rejects[0].reasons == ["code is longer than 16 characters."]


# --- the file ----------------------------------------------------------------------------------------------


def test_a_utf8_bom_and_crlf_line_ends_are_read_like_plain_lines():
    result = load(HEADER, "SH001,上海浦东支行,上海市,一号", newline="\r\n", bom=True)
    assert counts(result) == (1, 1, 0, 0, 0)
    assert Branch.objects.get(code="SH001").address == "一号"


def test_quoted_fields_keep_their_commas_quotes_and_line_breaks():
    result = load(HEADER, 'SH001,"上海浦东支行","上海市","世纪大道1号, ""金融大厦""\n8楼"', "BJ001,北京,,")
    assert counts(result) == (2, 2, 0, 0, 0)
    assert Branch.objects.get(code="SH001").address == '世纪大道1号, "金融大厦"\n8楼'


def test_row_numbers_count_lines_of_the_file_as_a_spreadsheet_does():
    result = load(HEADER, 'SH001,"two\nlines",,', "", ",no code,,")
    assert [reject.row for reject in result.rejects] == [5]


def test_cells_and_header_names_are_trimmed_and_header_names_are_case_insensitive():
    result = load(" Code , NAME ,city,address", "  SH001 ,  上海浦东支行 ,,")
    assert counts(result) == (1, 1, 0, 0, 0)
    assert Branch.objects.filter(code="SH001", name="上海浦东支行").exists()


def test_a_header_only_file_loads_nothing_and_says_so():
    assert counts(load(HEADER)) == (0, 0, 0, 0, 0)


def test_an_empty_file_is_refused_as_a_whole():
    with pytest.raises(ImportFileError, match="empty"):
        branches_import(file=io.BytesIO(b""))


def test_a_header_without_a_required_column_is_refused_and_nothing_is_written():
    with pytest.raises(ImportFileError, match="lacks the required column") as caught:
        branches_import(file=csv_file("code,city", "SH001,上海市"))
    assert "name" in caught.value.message
    assert not Branch.objects.exists()


def test_a_column_named_twice_is_refused():
    with pytest.raises(ImportFileError, match="more than once"):
        branches_import(file=csv_file("code,name,name", "SH001,a,b"))


def test_a_file_that_is_not_utf8_is_refused_before_anything_is_written():
    file = io.BytesIO(f"{HEADER}\nSH001,上海浦东支行,,\nBJ001,北京朝阳支行,,\n".encode("gbk"))
    with pytest.raises(ImportFileError, match="UTF-8"):
        branches_import(file=file)
    assert not Branch.objects.exists()


def test_a_binary_file_is_refused():
    with pytest.raises(ImportFileError, match="binary"):
        branches_import(file=io.BytesIO(b"code,name\n\x89PNG\x00\x00\x1a\n"))


def test_a_row_with_the_wrong_number_of_fields_is_rejected_not_dropped():
    result = load(HEADER, "SH001,上海浦东支行,上海市,一号,多余", "BJ001,北京", "SZ001,深圳,,")
    assert counts(result) == (3, 1, 0, 0, 2)
    assert [(r.row, r.reasons) for r in result.rejects] == [
        (2, ["The row has 5 fields; the header has 4."]), (3, ["The row has 2 fields; the header has 4."])]


def test_a_code_repeated_in_the_file_is_rejected_after_its_first_row_even_across_chunks():
    result = branches_import(file=csv_file(HEADER, "SH001,一,,", "BJ001,二,,", "SH001,三,,"), chunk_size=2)
    assert counts(result) == (3, 2, 0, 0, 1)
    assert result.rejects[0].row == 4
    assert "already in this file at row 2" in result.rejects[0].reasons[0]
    assert Branch.objects.get(code="SH001").name == "一"


def test_columns_a_branch_file_does_not_have_are_ignored_and_named():
    result = load("code,name,manager,reasons", "SH001,上海浦东支行,王经理,")
    assert counts(result) == (1, 1, 0, 0, 0)
    assert result.ignored_columns == ["manager"]  # "reasons" comes from a rejects file: expected, not news


def test_broken_quoting_is_refused_with_the_row_rather_than_guessed():
    with pytest.raises(ImportFileError, match=r"not a valid CSV file \(after row 2\)"):
        branches_import(file=csv_file(HEADER, "SH001,上海浦东支行,,", 'BJ001,"北京"朝阳,,'))
    assert not Branch.objects.exists()


def test_backslashes_tabs_and_line_breaks_in_values_are_stored_as_written():
    address = "C:\\路\t1号\r\n\\N"
    result = load(HEADER, 'SH001,上海浦东支行,上海市,"' + address + '"')
    assert counts(result) == (1, 1, 0, 0, 0)
    assert Branch.objects.get(code="SH001").address == address


class GrowingFile(io.BytesIO):
    """A file another program is still writing: a row more each time it is read from the start."""

    def seek(self, offset, whence=0):
        if offset == 0 and whence == 0:
            super().seek(0, io.SEEK_END)
            self.write(f"SZ{len(self.getvalue())},深圳,,\n".encode())
        return super().seek(offset, whence)


def test_a_file_that_changes_while_it_is_loaded_is_reported():
    with pytest.raises(ImportFileError, match="changed while it was being loaded"):
        branches_import(file=GrowingFile(f"{HEADER}\nSH001,上海浦东支行,,\n".encode()))
