"""The shipped artifact, as a user meets it: it loads without training and decides in context."""

from __future__ import annotations

import json

import pytest

from model.checker import SHIPPED_ARTIFACT, Checker
from model.config import ONNX_FILE

MAX_ARTIFACT_BYTES = 40 * 1024 * 1024


@pytest.fixture(scope="module")
def checker():
    return Checker.load()


def test_artifact_is_complete_and_small_enough():
    for name in ("model.onnx", "tokenizer.json", "config.json", "MODEL_CARD.md"):
        assert (SHIPPED_ARTIFACT / name).exists(), name
    assert (SHIPPED_ARTIFACT / ONNX_FILE).stat().st_size <= MAX_ARTIFACT_BYTES
    config = json.loads((SHIPPED_ARTIFACT / "config.json").read_text())
    assert config["label2id"] == {"absolute_term": 0, "exaggerated_claim": 1, "misleading_statement": 2}
    assert config["data_hash"] and config["version"] and config["metrics"]["test"]["macro_f1"] > 0


def test_flags_lowest_price_claim_but_not_small_talk(checker):
    flagged, small_talk = checker.check(["全网最低价", "最近天气不错"])
    assert "absolute_term" in flagged.labels
    assert any(s.label == "absolute_term" and "最低价" in s.text for s in flagged.spans)
    assert small_talk.labels == [] and small_talk.spans == []


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("这款面霜用了三天见效，皱纹全没了", "exaggerated_claim"),
        ("央视推荐品牌，值得信赖", "misleading_statement"),
        ("本理财产品保本保息，稳赚不赔", "exaggerated_claim"),
        ("这款精华效果最 好，姐妹们冲", "absolute_term"),
        ("國家級品質，銷量第一", "absolute_term"),
        ("zui好用的扫地机器人，闭眼入", "absolute_term"),
        ("销量第①的空气炸锅", "absolute_term"),
        ("原价1999，今天直播间只要199", "misleading_statement"),
    ],
)
def test_flags_plain_and_evasive_violations(checker, text, label):
    [result] = checker.check([text])
    assert label in result.labels, result


@pytest.mark.parametrize(
    "text",
    [
        "第一次下单的新朋友可以领取10元优惠券",
        "本品最佳赏味期为开封后7天，请冷藏保存",
        "这件衬衫采用纯棉面料，透气舒适，日常通勤都好搭",
        "唯美刺绣连衣裙，垂感极佳，上身超级显瘦，自带女王气场",
        "我们致力于成为行业领先的服务商",
        "荣获2023年中国轻工业联合会科技进步一等奖",
        "保健食品不是药物，不能代替药物治疗疾病。",
        "投资有风险，入市需谨慎。过往业绩不代表未来表现。",
        "据中国汽车工业协会统计，2023年新能源汽车销量同比增长37.9%。",
    ],
)
def test_lawful_uses_of_trigger_words_are_not_flagged(checker, text):
    [result] = checker.check([text])
    assert result.labels == [], result


@pytest.mark.parametrize(
    "text",
    [
        "投资有风险，入市需谨慎。",
        "基金过往业绩不代表其未来表现，基金投资需谨慎。",
        "本品不能代替药物。",
        "国家级自然保护区内禁止采摘植物。",
        "100%纯棉",
        "面料：羊绒含量100%",
    ],
)
def test_the_rule_layer_clears_model_findings_inside_notices_and_designations(checker, text):
    prediction = checker.engine.predict([text])[0]
    assert any(p >= checker.config.thresholds[lab] for lab, p in prediction.scores.items()), "the model flags it"
    [result] = checker.check([text])
    assert result.labels == [] and result.spans == [], result


def test_composition_does_not_hide_an_effect_percentage_or_a_promise_beside_it(checker):
    antibacterial, slimming = checker.check(["抗菌率100%，宝宝贴身穿更安心", "100%纯棉，穿上立刻瘦十斤"])
    assert "exaggerated_claim" in antibacterial.labels
    assert slimming.labels == ["exaggerated_claim"] and all("纯棉" not in s.text for s in slimming.spans)


def test_a_required_notice_does_not_hide_the_claim_beside_it(checker):
    [result] = checker.check(["本品不能代替药物。坚持吃一个月，血糖稳稳降下来"])
    assert result.labels == ["exaggerated_claim"]
    assert all("药物" not in s.text for s in result.spans), result.spans


def test_violation_far_past_the_first_window_is_found_where_it_is(checker):
    filler = "这件外套选用柔软的面料，版型宽松，适合日常通勤穿着。" * 60
    text = filler + "这款外套全网最低价，错过再等一年！"
    [result] = checker.check([text])
    assert "absolute_term" in result.labels
    position = text.index("全网最低价")
    assert any(s.start >= position - 5 and s.label == "absolute_term" for s in result.spans)
    assert all(text[s.start : s.end] == s.text for s in result.spans)


def test_allowed_brand_clears_the_model_finding_but_not_a_violation_beside_it(checker, tmp_path):
    assert checker.check(["顶级汇火锅新店开业，欢迎品尝"])[0].labels == ["absolute_term"]
    [allowed, with_violation] = checker.check(
        ["頂級匯火锅新店开业，欢迎品尝", "顶级汇火锅，全网最低价"], allow=["顶级汇"]
    )
    assert allowed.labels == [] and allowed.spans == []
    assert with_violation.labels == ["absolute_term"]
    assert [s.text for s in with_violation.spans] == ["全网最低价"]
    lists = tmp_path / "lists.yaml"
    lists.write_text("names: [顶级汇]\n", encoding="utf-8")
    assert Checker.load(lists_path=lists).check(["顶级汇火锅新店开业，欢迎品尝"])[0].labels == []


def test_customer_deny_terms_flag_copy_the_model_finds_clean(checker, tmp_path):
    text = "温和清洁，洗后不紧绷"
    assert checker.check([text])[0].labels == []
    [result] = checker.check([text], deny=["不紧绷"])
    assert [(s.text, s.source) for s in result.spans] == [("不紧绷", "rule")] and result.labels
    lists = tmp_path / "lists.yaml"
    lists.write_text("deny: [洗后不紧绷]\n", encoding="utf-8")
    assert [s.text for s in Checker.load(lists_path=lists).check([text])[0].spans] == ["洗后不紧绷"]
