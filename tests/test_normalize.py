"""Normalization undoes evasions and keeps every offset pointing at the characters the advertiser typed."""

from __future__ import annotations

import pytest

from model.normalize import EvasionsError, Normalizer, load_evasions, normalize
from model.offsets import Edit, OffsetMap


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＮＯ．１", "no.1"),
        ("TOP1", "top1"),
        ("Ｔｏｐ１", "top1"),
        ("１００％有效", "100%有效"),
        ("最　好", "最好"),
        ("￥99", "¥99"),
    ],
)
def test_full_width_and_case_fold(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_chinese_sentence_punctuation_stays_full_width() -> None:
    assert normalize("好，真好！对吗？（是的）：；").text == "好，真好！对吗？（是的）：；"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("國家級", "国家级"), ("銷量第一", "销量第一"), ("頂級品質", "顶级品质"), ("這款產品", "这款产品")],
)
def test_traditional_to_simplified_with_opencc(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    "text", ["最 好", "最-好", "最.好", "最*好", "最_好", "最~好", "最·好", "最🔥好", "最❤️好", "最\u200b好"]
)
def test_separators_between_characters_are_removed(text: str) -> None:
    assert normalize(text).text == "最好"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("最\n好", "最\n好"),  # a line break is a boundary, not an evasion
        ("8.5%", "8.5%"),  # separators between Latin letters and digits are kept
        ("No.1", "no.1"),
        ("top 1", "top 1"),
        ("最好 ", "最好 "),  # nothing after it: not between two characters
        (" 最好", " 最好"),
    ],
)
def test_separators_elsewhere_are_kept(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(("text", "expected"), [("第①", "第1"), ("第❶", "第1"), ("第⑴", "第1"), ("②号", "2号")])
def test_circled_digits(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zui好", "最好"),
        ("ZUI好", "最好"),
        ("是zui佳", "是最佳"),
        ("第yi", "第一"),
        ("顶Ji", "顶级"),
        ("醉好", "最好"),
        ("蕞低价", "最低价"),
        ("唯yi", "唯一"),
        ("bao过", "保过"),
    ],
)
def test_pinyin_and_homophone_evasions(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize("text", ["zuider zee", "Zui", "zuixin"])
def test_latin_evasion_keys_need_a_chinese_neighbour(text: str) -> None:
    assert normalize(text).text == text.lower()


@pytest.mark.parametrize(
    ("text", "normalized", "original"),
    [
        ("这是最 好的", "最好", "最 好"),
        ("这是zui好的", "最好", "zui好"),
        ("行业第①品牌", "第1", "第①"),
        ("顶Ji品质", "顶级", "顶Ji"),
        ("國家級工藝", "国家级", "國家級"),
        ("全網銷量第一", "销量第一", "銷量第一"),
        ("最🔥好的", "最好", "最🔥好"),
        ("醉好的茶", "最好", "醉好"),
        ("ＮＯ．１好物", "no.1", "ＮＯ．１"),
        ("买 zui 好 的", "最好", "zui 好"),
    ],
)
def test_spans_map_back_to_the_original_characters(text: str, normalized: str, original: str) -> None:
    result = normalize(text)
    start = result.text.index(normalized)
    orig_start, orig_end = result.to_original(start, start + len(normalized))
    assert text[orig_start:orig_end] == original


@pytest.mark.parametrize(
    "text", ["最 好zui好第①顶Ji國家級", "a - b 最-好 c", "🔥最🔥好🔥", "zui 好 与 醉 好", "普通文本"]
)
def test_every_offset_maps_into_the_original_in_order(text: str) -> None:
    result = normalize(text)
    spans = [result.to_original(i, i + 1) for i in range(len(result.text))]
    assert all(0 <= start < end <= len(text) for start, end in spans)
    assert [s for s, _ in spans] == sorted(s for s, _ in spans)
    assert result.to_original(0, len(result.text))[1] <= len(text)


def test_unchanged_text_has_no_maps() -> None:
    result = normalize("这款连衣裙很好看，适合春夏穿着。")
    assert result.maps == ()
    assert result.to_original(3, 5) == (3, 5)


def test_offset_map_for_a_deletion_and_a_replacement() -> None:
    # "ab  cd" -> "abcd" (deletion of 2 at 2); "zuiX" -> "最X" (3 chars replaced by 1)
    deletion = OffsetMap((Edit(2, 2, 2, 4),))
    assert (deletion.start(2), deletion.end(2)) == (4, 2)
    assert deletion.end(4) == 6
    replacement = OffsetMap((Edit(0, 1, 0, 3),))
    assert (replacement.start(0), replacement.end(1)) == (0, 3)
    assert (replacement.start(1), replacement.end(2)) == (3, 4)


def test_evasion_table_rejects_keys_not_in_normalized_form(tmp_path) -> None:
    path = tmp_path / "evasions.yaml"
    path.write_text("ZUI: 最\n", encoding="utf-8")
    with pytest.raises(EvasionsError, match="ZUI"):
        load_evasions(path)
    path.write_text("zui: ''\n", encoding="utf-8")
    with pytest.raises(EvasionsError, match="non-empty"):
        load_evasions(path)


def test_custom_evasion_table() -> None:
    assert Normalizer({"zhen棒": "真棒"})("zhen棒").text == "真棒"
    assert Normalizer()("zui好").text == "zui好"
