"""The rule layer: lexicon findings in context, with spans on the original text, basis and fix."""

from __future__ import annotations

import logging
import os
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from model import rules as rules_module
from model.anchors import anchors
from model.custom_lists import CUSTOM_BASIS, ListsError
from model.findings import Finding
from model.industries import INDUSTRIES
from model.labels import ABSOLUTE_TERM, EXAGGERATED_CLAIM, LABELS, MISLEADING_STATEMENT
from model.lexicon_loader import LexiconError, load_lexicon
from model.rules import Rules, scan

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.load()


def _rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def _industry(value: str) -> str | None:
    return None if value == "-" else value


def _spans(findings: list[Finding], text: str) -> list[tuple[str, str]]:
    return [(text[f.start:f.end], f.label) for f in findings]


# --- the sentence corpora -------------------------------------------------------------------------------

POSITIVE = _rows("rules_positive.tsv")
NEGATIVE = _rows("rules_negative.tsv")


def test_corpora_are_large_enough() -> None:
    assert len(POSITIVE) >= 150
    assert len(NEGATIVE) >= 150


@pytest.mark.parametrize(("industry", "label", "span", "text"), POSITIVE, ids=[r[3] for r in POSITIVE])
def test_positive_sentence_has_the_finding(rules: Rules, industry: str, label: str, span: str, text: str) -> None:
    findings = rules.scan(text, industry=_industry(industry))
    start = text.index(span)
    assert any(f.label == label and (f.start, f.end) == (start, start + len(span)) for f in findings), (
        _spans(findings, text)
    )


@pytest.mark.parametrize(("industry", "text"), NEGATIVE, ids=[r[1] for r in NEGATIVE])
def test_hard_negative_has_no_finding(rules: Rules, industry: str, text: str) -> None:
    assert rules.scan(text, industry=_industry(industry)) == []


# --- evasions: spans point at what the advertiser typed ------------------------------------------------

@pytest.mark.parametrize(
    ("text", "evasive", "label"),
    [
        ("这是最 好的选择", "最 好", ABSOLUTE_TERM),
        ("这是zui好的选择", "zui好", ABSOLUTE_TERM),
        ("我们是第①品牌", "第①", ABSOLUTE_TERM),
        ("顶Ji品质", "顶Ji", ABSOLUTE_TERM),
        ("國家級工藝", "國家級", ABSOLUTE_TERM),
        ("全網銷量第一", "銷量第一", ABSOLUTE_TERM),
        ("鼻炎一次根 治", "一次根 治", EXAGGERATED_CLAIM),
        ("央視推薦", "央視推薦", MISLEADING_STATEMENT),
    ],
)
def test_evasions_are_found_on_the_original_characters(rules: Rules, text: str, evasive: str, label: str) -> None:
    findings = rules.scan(text)
    assert [(text[f.start:f.end], f.label) for f in findings] == [(evasive, label)]
    assert findings[0].text == evasive


# --- context exceptions: each lawful reading, next to the unlawful one it must not hide ------------------

@pytest.mark.parametrize(
    ("lawful", "unlawful"),
    [
        ("最近上新了几款外套", "最好的外套"),
        ("最后一步，拧紧盖子", "最后3件，手慢无"),
        ("最初只是一家小面馆", "最正宗的小面馆"),
        ("第一次购买请看尺码表", "销量第一的尺码"),
        ("第一时间为您发货", "第一名的发货速度"),
        ("首先打开包装", "首选包装"),
        ("唯一的缺点是颜色浅", "唯一的选择"),
    ],
)
def test_ordinary_words(rules: Rules, lawful: str, unlawful: str) -> None:
    assert rules.scan(lawful) == []
    assert rules.scan(unlawful)


@pytest.mark.parametrize(
    ("lawful", "unlawful"),
    [
        ("我们致力于成为行业第一的服务商", "我们是行业第一的服务商"),
        ("我们一直追求最好的品质", "我们有最好的品质"),
        ("立志做最舒服的国货内衣", "最舒服的国货内衣"),
    ],
)
def test_aspirations(rules: Rules, lawful: str, unlawful: str) -> None:
    assert rules.scan(lawful) == []
    assert [f.label for f in rules.scan(unlawful)] == [ABSOLUTE_TERM]


def test_aspiration_does_not_hide_an_efficacy_claim(rules: Rules) -> None:
    assert [f.text for f in rules.scan("我们追求三天见效", industry="cosmetics")] == ["三天见效"]


@pytest.mark.parametrize(
    ("lawful", "unlawful"),
    [
        ("最佳赏味期为出厂后30天内", "最佳口味，回味无穷"),
        ("最佳饮用温度为8至12摄氏度", "最佳饮品"),
        ("开封后最好冷藏保存", "这是最好的牛奶"),
        ("服用前最好先咨询医生", "最好的保健品"),
    ],
)
def test_usage_and_storage_tips(rules: Rules, lawful: str, unlawful: str) -> None:
    assert rules.scan(lawful, industry="food") == []
    assert rules.scan(unlawful, industry="food")


@pytest.mark.parametrize(
    ("lawful", "unlawful"),
    [
        ("本店最受欢迎的口味是原味", "全网最受欢迎的口味是原味"),
        ("我们家今年最轻的一款羽绒服", "今年最轻的羽绒服"),
        ("店内最畅销的是这款收纳盒", "最畅销的收纳盒"),
    ],
)
def test_in_house_comparison(rules: Rules, lawful: str, unlawful: str) -> None:
    assert rules.scan(lawful) == []
    assert rules.scan(unlawful)


@pytest.mark.parametrize(
    ("lawful", "unlawful"),
    [
        ("一级能效，一年耗电约300度", "一级品质，耗电少"),
        ("特级初榨橄榄油", "特级好油"),
        ("一级压榨花生油", "一级棒的花生油"),
    ],
)
def test_standard_grades(rules: Rules, lawful: str, unlawful: str) -> None:
    assert rules.scan(lawful) == []
    assert rules.scan(unlawful)


def test_built_in_names(rules: Rules) -> None:
    for text in ["市第一人民医院提供咨询", "天下第一关是长城的起点", "第一财经报道", "型号TOP1-300现货"]:
        assert rules.scan(text) == [], text
    assert rules.scan("国家级自然保护区") == []
    assert rules.scan("国家级品质")


def test_configured_names_trademarks_and_models() -> None:
    text = "最美时光系列新品，No.1 Pro已上市"
    plain = Rules.load()
    named = Rules.load(names=["最美时光", "No.1 Pro"])
    assert {f.text for f in plain.scan(text)} == {"最美", "No.1"}
    assert named.scan(text) == []
    assert named.scan("最美的时光")  # only the name itself is exempt


@pytest.mark.parametrize(
    ("lawful", "unlawful"),
    [
        (
            "2024年天猫洗衣机类目销量第一（数据来源：天猫，统计周期2024年1-6月）",
            "天猫洗衣机类目销量第一",
        ),
        ("据欧睿国际统计，2023年中国即饮茶零售额销量第一", "据说销量第一"),
        ("好评率98%（数据来源：店铺后台，统计周期2024年1月）", "好评率98%"),
        ("专利技术，专利号：ZL202310000000.1", "专利技术，效果看得见"),
    ],
)
def test_facts_bounded_by_source_and_period(rules: Rules, lawful: str, unlawful: str) -> None:
    assert rules.scan(lawful) == []
    assert rules.scan(unlawful)


def test_a_source_without_a_period_is_not_enough(rules: Rules) -> None:
    assert rules.scan("销量第一（数据来源：天猫）")


def test_a_source_does_not_excuse_an_efficacy_claim(rules: Rules) -> None:
    text = "据2024年统计，三天见效"
    assert [f.label for f in rules.scan(text)] == [EXAGGERATED_CLAIM]


@pytest.mark.parametrize(
    ("lawful", "unlawful", "industry"),
    [
        ("它不是最便宜的，但每颗都经过挑选", "它是最便宜的", None),
        ("我们不敢说最好，只说用心", "我们敢说最好", None),
        ("本品不能代替药物", "本品可以代替药物", "health_food"),
        ("没有最好，只有更好", "最好，更好", None),
        ("我们并非全网最低价", "我们是全网最低价", None),
        ("所谓“最好”的产品往往只是广告", "“最好”的产品", None),
        ("本产品为非保本浮动收益型", "本产品保本", "finance"),
    ],
)
def test_negation_and_reported_speech(rules: Rules, lawful: str, unlawful: str, industry: str | None) -> None:
    assert rules.scan(lawful, industry=industry) == []
    assert rules.scan(unlawful, industry=industry)


def test_negation_does_not_reach_across_other_words(rules: Rules) -> None:
    assert [f.text for f in rules.scan("不能错过的最佳选择")] == ["最佳"]


def test_dated_offer(rules: Rules) -> None:
    assert rules.scan("限时折扣，活动截至6月18日24时，仅限今天下单") == []
    assert [f.text for f in rules.scan("仅限今天下单")] == ["仅限今天"]


# --- custom lists ---------------------------------------------------------------------------------------

def test_allowed_longer_phrase_beats_denied_shorter_word(rules: Rules) -> None:
    text = "送给最好的朋友一份礼物"
    assert rules.scan(text, deny=["朋友"]) != []
    assert rules.scan(text, allow=["最好的朋友"], deny=["朋友"]) == []
    assert rules.scan("这是最好的礼物", allow=["最好的朋友"])  # the allow term only covers itself


def test_denied_longer_phrase_beats_allowed_shorter_word(rules: Rules) -> None:
    text = "全网超低价，速来"
    findings = rules.scan(text, allow=["低价"], deny=["全网超低价"])
    assert [(f.text, f.rule_id) for f in findings] == [("全网超低价", "custom-deny:全网超低价")]
    assert rules.scan("超低价", allow=["低价"], deny=["全网超低价"]) == []


def test_allow_overrides_a_lexicon_word(rules: Rules) -> None:
    assert rules.scan("这是首选方案")
    assert rules.scan("这是首选方案", allow=["首选"]) == []
    assert rules.scan("这是首選方案", allow=["首選"]) == []  # custom terms are normalized too


def test_lexicon_word_longer_than_the_allowed_one_still_counts(rules: Rules) -> None:
    assert [f.text for f in rules.scan("全网最低价", allow=["最低"])] == ["全网最低价"]


def test_deny_string_defaults(rules: Rules) -> None:
    [finding] = rules.scan("本品含竞品A同款配方", deny=["竞品A"])
    assert (finding.text, finding.label, finding.rule_id) == ("竞品A", MISLEADING_STATEMENT, "custom-deny:竞品A")
    assert (finding.basis, finding.severity, finding.source, finding.score) == (CUSTOM_BASIS, "review", "rule", 1.0)
    assert finding.suggestion


def test_deny_dict_and_pair(rules: Rules) -> None:
    item = {"term": "爆款之王", "label": ABSOLUTE_TERM, "suggestion": "改为“热销款”", "severity": "block"}
    [finding] = rules.scan("这是爆款之王", deny=[item])
    assert (finding.label, finding.suggestion, finding.severity) == (ABSOLUTE_TERM, "改为“热销款”", "block")
    [finding] = rules.scan("速速抢购", deny=[("速速抢购", EXAGGERATED_CLAIM)])
    assert finding.label == EXAGGERATED_CLAIM


@pytest.mark.parametrize("item", [{"term": "x", "label": "nonsense"}, {"term": ""}, {"term": "x", "colour": "red"}, 3])
def test_bad_deny_items_are_rejected(rules: Rules, item: object) -> None:
    with pytest.raises(ListsError):
        rules.scan("x", deny=[item])  # type: ignore[list-item]


def test_customer_deny_is_not_hidden_by_context_exceptions(rules: Rules) -> None:
    assert rules.scan("第一次购买", deny=["第一次"])
    assert [f.rule_id for f in rules.scan("我们并非全网最低价", deny=["最低"])] == ["custom-deny:最低"]


def test_request_lists_do_not_leak(rules: Rules) -> None:
    assert rules.scan("速速抢购", deny=["速速抢购"])
    assert rules.scan("速速抢购") == []


def _write_lists(path: Path, data: object, mtime: int) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True) if not isinstance(data, str) else data, encoding="utf-8")
    os.utime(path, ns=(mtime, mtime))


def test_deployment_lists_and_reload(tmp_path: Path) -> None:
    path = tmp_path / "lists.yaml"
    _write_lists(path, {"allow": ["首选"], "deny": ["速速抢购"], "names": ["第一好物"]}, 1_000_000_000)
    rules = Rules.load(lists_path=path)
    assert rules.scan("首选方案") == []
    assert [f.rule_id for f in rules.scan("速速抢购")] == ["custom-deny:速速抢购"]
    assert rules.scan("第一好物旗舰店") == []
    assert rules.reload_if_changed() is False

    _write_lists(path, {"deny": [{"term": "限量神器", "label": ABSOLUTE_TERM}]}, 2_000_000_000)
    assert rules.reload_if_changed() is True
    assert rules.scan("首选方案")
    assert rules.scan("速速抢购") == []
    assert [f.label for f in rules.scan("限量神器")] == [ABSOLUTE_TERM]
    assert rules.scan("限量神器", allow=["限量神器"]) == []  # per-request lists add to the deployment's


@pytest.mark.parametrize(
    "broken",
    ["allow: [unclosed", {"deny": [{"term": "x", "label": "nonsense"}]}, {"allow": "首选"}, {"colour": ["red"]}, ["a"]],
)
def test_invalid_deployment_file_keeps_previous_lists(tmp_path: Path, caplog, broken: object) -> None:
    path = tmp_path / "lists.yaml"
    _write_lists(path, {"deny": ["速速抢购"]}, 1_000_000_000)
    rules = Rules.load(lists_path=path)
    _write_lists(path, broken, 2_000_000_000)
    with caplog.at_level(logging.ERROR, logger="model.custom_lists"):
        assert rules.reload_if_changed() is False
    assert "keeping the previous" in caplog.text and str(path) in caplog.text
    assert rules.scan("速速抢购")
    _write_lists(path, {"deny": ["另一个词"]}, 3_000_000_000)
    assert rules.reload_if_changed() is True
    assert rules.scan("速速抢购") == []


def test_deleted_deployment_file_keeps_previous_lists(tmp_path: Path) -> None:
    path = tmp_path / "lists.yaml"
    _write_lists(path, {"deny": ["速速抢购"]}, 1_000_000_000)
    rules = Rules.load(lists_path=path)
    path.unlink()
    assert rules.reload_if_changed() is False
    assert rules.scan("速速抢购")


def test_invalid_deployment_file_at_start_raises(tmp_path: Path) -> None:
    path = tmp_path / "lists.yaml"
    _write_lists(path, {"deny": [{"term": "x", "label": "nonsense"}]}, 1_000_000_000)
    with pytest.raises(ListsError, match="nonsense"):
        Rules.load(lists_path=path)


# --- industry scoping -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "flagged", "lawful"),
    [
        ("可以治疗失眠", ["food", "cosmetics", "health_food", None], ["drugs_devices", "medical"]),
        ("消炎止痛", ["food", "cosmetics", "health_food"], ["drugs_devices", "medical"]),
        ("有助于降血压", ["food", "health_food", None], ["drugs_devices"]),
        ("保本理财", ["finance", None], ["ecommerce", "food"]),
        ("保过班", ["education", None], ["ecommerce"]),
        ("升值空间大", ["real_estate", None], ["education", "apparel"]),
        ("十分钟到达商圈", ["real_estate"], ["tourism"]),
    ],
)
def test_industry_scoping(rules: Rules, text: str, flagged: list, lawful: list) -> None:
    for industry in flagged:
        assert rules.scan(text, industry=industry), industry
    for industry in lawful:
        assert rules.scan(text, industry=industry) == [], industry


def test_general_entries_apply_in_every_industry(rules: Rules) -> None:
    for industry in INDUSTRIES:
        assert [f.text for f in rules.scan("全网最低价", industry=industry)] == ["全网最低价"], industry


def test_unknown_industry(rules: Rules) -> None:
    with pytest.raises(ValueError, match="valid industries: ecommerce, apparel"):
        rules.scan("最好", industry="gambling")


# --- the API --------------------------------------------------------------------------------------------

def test_findings_are_explained_sorted_and_disjoint(rules: Rules) -> None:
    text = "全网最低价！这款面霜效果最好，七天淡斑，无效退款，央视推荐，原价999。"
    findings = rules.scan(text, industry="cosmetics")
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert all(a.end <= b.start for a, b in pairwise(findings))
    assert {f.label for f in findings} == set(LABELS)
    for f in findings:
        assert (f.source, f.score) == ("rule", 1.0)
        assert f.rule_id and f.basis.startswith(("广告法", "化妆品", "明码标价", "商标法")) and f.suggestion
        assert f.severity in ("block", "review")
        assert f.text == text[f.start:f.end]


def test_longest_match_wins_and_overlapping_same_label_words_join(rules: Rules) -> None:
    assert [f.text for f in rules.scan("全网最低价")] == ["全网最低价"]
    assert [f.text for f in rules.scan("全城最便宜")] == ["全城最便宜"]
    assert [f.text for f in rules.scan("国家免检产品")] == ["国家免检产品"]


def test_suggestion_gives_a_compliant_alternative(rules: Rules) -> None:
    [finding] = rules.scan("最好的面霜")
    assert "优质" in finding.suggestion and finding.basis == "广告法第9条第3项"


def test_module_level_scan_uses_the_shipped_lexicon() -> None:
    assert [f.text for f in scan("销量第一", industry="ecommerce")] == ["销量第一"]
    assert rules_module.default_rules() is rules_module.default_rules()


def test_lexicon_stats(rules: Rules) -> None:
    stats = rules.lexicon_stats()
    assert sum(stats["by_label"].values()) == stats["entries"] >= 600
    assert all(stats["by_label"][label] >= 100 for label in LABELS)
    assert set(stats["by_industry"]) == {"all", *INDUSTRIES}
    for industry in ["cosmetics", "food", "health_food", "medical", "drugs_devices", "finance", "education",
                     "real_estate", "agriculture"]:
        assert stats["by_industry"][industry] >= 10, industry
    assert all(stats["applicable"][i] >= stats["by_industry"]["all"] for i in INDUSTRIES)


def test_every_lexicon_term_is_found_on_its_own(rules: Rules) -> None:
    missed = []
    for entry in rules.lexicon.entries:
        if entry.term:
            industry = min(entry.industries) if entry.industries else None
            found = rules.scan(entry.term, industry=industry)
            if not any((f.start, f.end) == (0, len(entry.term)) for f in found):
                missed.append(entry.id)
    assert missed == []


# --- loading and validating the lexicon -----------------------------------------------------------------

def test_anchors() -> None:
    assert anchors(r"\d+天见效") == ("天见效",)
    assert anchors(r"(?:销量|排名)第[一1]") == ("排名第1", "排名第一", "销量第1", "销量第一")
    assert anchors(r"(?:瘦|减)\d+") == ("减", "瘦")
    assert anchors(r"(?:瘦|减)\d+斤") == ("斤",)  # as short, but one anchor beats two
    assert anchors(r"\d+") == ()
    assert anchors(r"a?b*") == ()


def _entry(**fields: object) -> dict:
    entry = {"id": "t-001", "term": "最好", "label": ABSOLUTE_TERM, "basis": "广告法第9条第3项", "severity": "block",
             "industries": ["all"], "suggestion": "改为“优质”"}
    entry.update(fields)
    return {k: v for k, v in entry.items() if v is not None}


def _lexicon(tmp_path: Path, absolute: list[dict], exceptions: list[dict] | None = None) -> Path:
    for label in LABELS:
        (tmp_path / f"{label}.yaml").write_text("[]\n", encoding="utf-8")
    (tmp_path / f"{ABSOLUTE_TERM}.yaml").write_text(yaml.safe_dump(absolute, allow_unicode=True), encoding="utf-8")
    if exceptions is not None:
        (tmp_path / "exceptions.yaml").write_text(yaml.safe_dump(exceptions, allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_minimal_lexicon_loads(tmp_path: Path) -> None:
    rules = Rules.load(_lexicon(tmp_path, [_entry()]))
    assert [f.rule_id for f in rules.scan("最好的")] == ["t-001"]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([_entry(label="superlative")], "unknown label"),
        ([_entry(industries=["gaming"])], "unknown industry"),
        ([_entry(term=None, pattern="(unclosed")], "bad regex"),
        ([_entry(basis=None)], "missing basis"),
        ([_entry(suggestion="  ")], "missing suggestion"),
        ([_entry(), _entry(term="最佳")], "duplicate entry id"),
        ([_entry(term="最 好")], "not in normalized form"),
        ([_entry(term="國家級")], "not in normalized form"),
        ([_entry(exceptions=["最近"])], "do not contain the term"),
        ([_entry(term=None, pattern=r"\d+[a-z]")], "no fixed text"),
        ([_entry(term=None, pattern="最?")], "matches the empty string"),
        ([_entry(severity="high")], "severity"),
        ([_entry(pattern="最好")], "exactly one of term or pattern"),
        ([_entry(label=EXAGGERATED_CLAIM)], "does not belong"),
        ([_entry(colour="red")], "unknown field"),
        ([_entry(), _entry(id="t-002")], "repeats"),
    ],
)
def test_invalid_lexicon_is_rejected_naming_the_entry(tmp_path: Path, entries: list[dict], message: str) -> None:
    with pytest.raises(LexiconError, match=message) as error:
        load_lexicon(_lexicon(tmp_path, entries))
    assert "t-00" in str(error.value)


def test_invalid_context_rule_is_rejected(tmp_path: Path) -> None:
    rule = {"id": "x-rule", "kind": "near", "labels": ["all"], "reason": "r", "patterns": ["来源"]}
    with pytest.raises(LexiconError, match="x-rule.*window"):
        load_lexicon(_lexicon(tmp_path, [_entry()], [rule]))
    rule = {"id": "y-rule", "kind": "shield", "labels": ["absolute_term"], "reason": "r", "tags": ["nope"],
            "terms": ["最好的朋友"]}
    with pytest.raises(LexiconError, match="y-rule.*tags"):
        load_lexicon(_lexicon(tmp_path, [_entry()], [rule]))


def test_read_reports_the_stretches_it_reads_lawfully_in_original_offsets(rules):
    text = "温馨提示：投資有風險，入市需謹慎。顶级汇新品上市"
    reading = rules.read(text, allow=["顶级汇"])
    assert reading.findings == rules.scan(text, allow=["顶级汇"])
    notice = next(r for r in reading.lawful if r.labels == frozenset(LABELS))
    assert text[notice.start : notice.end] == "投資有風險，入市需謹慎"
    brand = next(r for r in reading.lawful if r.labels is None)
    assert text[brand.start : brand.end] == "顶级汇"
