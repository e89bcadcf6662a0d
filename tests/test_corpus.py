"""The corpus tooling: markup, splits without leakage, augmentation that keeps spans, and validation."""

from __future__ import annotations

import json

import pytest

from training.augment import REWRITES, augment, rewrite_spans
from training.build import build_corpus
from training.corpus import Example, parse_markup, write_jsonl
from training.customer_data import load_examples
from training.datacheck import stats, validate
from training.splits import split_examples


def test_markup_becomes_exact_offsets():
    text, spans = parse_markup("这款{A|全网最低价}面霜，{E|三天见效}！{M|央视推荐}")
    assert text == "这款全网最低价面霜，三天见效！央视推荐"
    assert [text[s:e] for s, e, _ in spans] == ["全网最低价", "三天见效", "央视推荐"]
    assert [lab for *_, lab in spans] == ["absolute_term", "exaggerated_claim", "misleading_statement"]
    with pytest.raises(ValueError, match="stray"):
        parse_markup("{X|最好}")


def test_a_split_file_may_be_written_in_the_authored_markup(tmp_path):
    """`adlint evaluate --split` on a hand-authored file (markup, no `labels`) reads the marked spans."""
    from training.corpus import read_jsonl

    path = tmp_path / "mine.jsonl"
    records = [
        {"id": "x-1", "industry": "food", "channel": "banner", "kind": "plain", "text": "本店{A|最好}的月饼"},
        {"id": "x-2", "industry": "food", "channel": "banner", "kind": "clean", "text": "手工月饼"},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    first, second = read_jsonl(path)
    assert (first.text, first.spans, first.labels, first.source) == ("本店最好的月饼", [(2, 4, "absolute_term")],
                                                                      ["absolute_term"], "x-1")
    assert (second.text, second.labels) == ("手工月饼", [])


@pytest.mark.parametrize("name", sorted(REWRITES))
def test_evasion_rewrites_keep_spans_on_the_new_words(name):
    import random

    example = Example(
        id="x",
        text="这款面霜效果最好，第一品牌",
        spans=[(6, 8, "absolute_term"), (9, 13, "absolute_term")],
        labels=["absolute_term"],
        source="x",
    )
    variant = rewrite_spans(example, name, random.Random(1))
    assert variant.source == "x" and not variant.hand_authored and variant.augmentation == f"evasion:{name}"
    assert variant.text.startswith("这款面霜效果")
    assert len(variant.spans) == 2 and all(0 <= s < e <= len(variant.text) for s, e, _ in variant.spans)
    assert variant.text[variant.spans[0][0]] not in "，"


def _examples(n):
    texts = [f"第{i}款：这件外套版型利落，适合通勤{i * 7}次穿搭，颜色{i % 5}号" for i in range(n)]
    return [
        Example(id=f"e-{i}", text=t, industry="apparel", channel="banner", kind="clean", source=f"e-{i}")
        for i, t in enumerate(texts)
    ]


def test_near_duplicates_stay_in_one_split():
    examples = _examples(60)
    twin = Example(
        id="twin", text=examples[0].text + "！", industry="apparel", channel="banner", kind="clean", source="twin"
    )
    splits = split_examples([*examples, twin])
    where = {e.id: split for split, rows in splits.items() for e in rows}
    assert where["twin"] == where["e-0"]
    assert sum(map(len, splits.values())) == 61


def test_long_composites_put_violations_past_512():
    examples = _examples(40) + [
        Example(
            id=f"v-{i}",
            text=f"本店外套全网最低价{i}",
            spans=[(4, 9, "absolute_term")],
            labels=["absolute_term"],
            industry="apparel",
            channel="banner",
            kind="plain",
            source=f"v-{i}",
        )
        for i in range(5)
    ]
    long = [e for e in augment(examples, long_per_industry=8) if e.kind == "long"]
    assert long and any(s[0] >= 512 for e in long for s in e.spans)
    for e in long:
        assert all(e.text[s:t] == "全网最低价" for s, t, _ in e.spans)


def _corpus(tmp_path, train, dev=(), test=()):
    for split, rows in (("train", train), ("dev", dev), ("test", test)):
        write_jsonl(tmp_path / f"{split}.jsonl", rows)
    return tmp_path


def _ok(i, text=None, **changes):
    fields = dict(
        id=f"ok-{i}",
        text=text or f"最近上新的第{i}款卫衣，面料柔软亲肤",
        industry="apparel",
        channel="banner",
        kind="clean",
        source=f"ok-{i}",
    )
    return Example(**(fields | changes))


def test_validate_accepts_a_clean_corpus_and_rejects_each_problem(tmp_path):
    assert validate(_corpus(tmp_path, [_ok(1)], [_ok(2)], [_ok(3)])) == []
    bad = {
        "out of range": _ok(4, spans=[(0, 99, "absolute_term")], labels=["absolute_term"]),
        "not in the text's labels": _ok(5, spans=[(0, 2, "absolute_term")], labels=[]),
        "has no span": _ok(6, labels=["exaggerated_claim"]),
        "labels outside": _ok(7, labels=["spam"], spans=[(0, 2, "spam")]),
        "industry": _ok(8, industry="space"),
    }
    for message, example in bad.items():
        problems = validate(_corpus(tmp_path, [_ok(1), example]))
        assert any(message in p for p in problems), (message, problems)
    assert any("duplicate text" in p for p in validate(_corpus(tmp_path, [_ok(1), _ok(9, text=_ok(1).text)])))
    leak = _ok(10, source="ok-1", text="完全不同的另一句广告文案，讲的是羽绒服保暖")
    assert any("source group" in p for p in validate(_corpus(tmp_path, [_ok(1)], [leak])))
    near = _ok(11, text=_ok(1).text + "。")
    assert any("near-duplicate across splits" in p for p in validate(_corpus(tmp_path, [_ok(1)], [near])))


def test_validate_reports_unreadable_files(tmp_path):
    (tmp_path / "train.jsonl").write_text("{not json\n")
    assert validate(tmp_path)[0].startswith("cannot read corpus")


def test_build_and_stats_on_the_shipped_corpus(tmp_path):
    counts = build_corpus(out=tmp_path)
    assert validate(tmp_path) == []
    report = stats(tmp_path)
    assert report["hand_authored"] >= 3000 and counts["train"] > counts["dev"] > 0
    assert report["all"]["violation_after_512"] > 0
    assert set(report["all"]["kind"]) == {"clean", "hard_negative", "plain", "paraphrased", "multi", "long"}
    assert len(report["hand_authored_only"]["industry"]) == 16 and len(report["hand_authored_only"]["channel"]) == 8


def test_customer_csv_with_labels_only_and_jsonl_with_spans(tmp_path):
    csv_path = tmp_path / "mine.csv"
    csv_path.write_text("text,labels\n本店销量冠军，闭眼入,absolute_term\n第一次下单领券,\n", encoding="utf-8")
    rows = load_examples(csv_path)
    assert [r.labels for r in rows] == [["absolute_term"], []] and rows[0].spans == []
    jsonl = tmp_path / "mine.jsonl"
    jsonl.write_text(
        json.dumps(
            {"text": "三天见效", "labels": ["exaggerated_claim"], "spans": [[0, 4, "exaggerated_claim"]]},
            ensure_ascii=False,
        )
        + "\n"
    )
    assert load_examples(jsonl)[0].spans == [(0, 4, "exaggerated_claim")]
    jsonl.write_text(json.dumps({"text": "x", "labels": ["nonsense"]}) + "\n")
    with pytest.raises(ValueError, match="unknown labels"):
        load_examples(jsonl)
