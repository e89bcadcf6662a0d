"""Rule-layer throughput in MB/s of UTF-8 Chinese ad copy, one core, full shipped lexicon.

Composes a few MB of ads from the sentences below, one `Rules.scan` call per ad, timed once with no
industry and once with each ad's own industry. Two mixes:
- realistic: channels drawn evenly (titles and banners of 1-2 sentences, SMS and posts of 2-6, detail
  pages and video scripts of 8-25, articles and livestream transcripts of 25-60), 20% of sentences violating;
- dense: ads of 1-6 sentences with a third violating (several findings per ad), the per-call worst case;
- clean: the realistic lengths with no violating sentence (hard negatives included), the per-byte floor.
Usage: python bench/rules_throughput.py [--mb 4] [--seed 7]
"""

from __future__ import annotations

import argparse
import platform
import random
import time

from model.rules import Rules

CLEAN = {
    "apparel": [
        "这款连衣裙采用纯棉面料，透气舒适，适合春夏穿着。",
        "宽松版型，遮肉显瘦，S码到XL码都有，第一次购买可以参考尺码表。",
        "面料柔软亲肤，洗后不易变形，建议手洗或轻柔机洗。",
        "最近上新的几款外套颜色很正，搭配牛仔裤很好看。",
        "第二件半价，活动截至6月18日24时。",
    ],
    "food": [
        "精选新疆阿克苏苹果，果肉脆甜多汁，每一口都是阳光的味道。",
        "开封后最好冷藏保存，请在3天内食用完毕。",
        "本店最受欢迎的口味是原味和海盐味，欢迎品尝。",
        "特级初榨橄榄油，适合凉拌和低温烹饪。",
        "配料表干净，只有面粉、鸡蛋和少量白砂糖。",
    ],
    "cosmetics": [
        "质地轻薄好推开，上脸很快吸收，不黏腻。",
        "含有烟酰胺和透明质酸，日常保湿使用。",
        "建议先在耳后小范围试用，无不适再全脸使用。",
    ],
    "appliances": [
        "这台冰箱达到一级能效，一年大约耗电300度。",
        "最大功率2000W，最高可调至80℃，支持预约烹饪。",
        "全国联保三年，上门安装不收取额外费用。",
    ],
    "finance": [
        "本产品为非保本浮动收益型，投资有风险，入市需谨慎。",
        "过往业绩不代表未来表现，请仔细阅读产品说明书。",
    ],
    "education": [
        "课程共24课时，每周两次直播，课后有助教答疑。",
        "我们致力于成为学员最信赖的学习伙伴。",
    ],
    "real_estate": [
        "项目位于城东新区，建筑面积89至128平方米，规划中的地铁线路以官方公布为准。",
        "样板间开放时间为每天9:00至18:00，欢迎预约参观。",
    ],
    "medical": [
        "市第一人民医院的医生团队提供线上咨询服务。",
        "具体治疗方案请以医生面诊结果为准。",
    ],
}
VIOLATING = {
    "cosmetics": ["这款面霜效果最好，七天淡斑，无效退款。", "医学护肤品牌，专家推荐，敏感肌也零刺激。"],
    "ecommerce": [
        "全网最低价，仅限今天！原价999现价99。",
        "销量第一的国民品牌，10万妈妈的选择。",
        "國家級品質，銷量第一，采用专利技术。",
        "这是最 好的选择，zui好的品质，顶Ji享受，第①品牌。",
    ],
    "food": ["喝这款茶能降血压、降血糖，还能排毒养颜。"],
    "finance": ["保本保息，年化收益8.5%，零风险。", "保证年化12%，稳赚不赔。"],
    "education": ["保过班，不过退费，通过率98%。", "命题组老师亲自授课，押题必中。"],
    "real_estate": ["地铁口物业，10分钟到达市中心，升值潜力巨大。"],
    "agriculture": ["保证亩产2000斤，增产30%，绝不生病。"],
    "health_food": ["可以代替药物，停药也没问题，三天见效。"],
    "medical": ["治愈率98%，无副作用，一次根治。"],
}


MIXES = {
    "realistic": ([(1, 2), (2, 6), (8, 25), (25, 60)], 0.20),
    "dense": ([(1, 6)], 0.33),
    "clean": ([(1, 2), (2, 6), (8, 25), (25, 60)], 0.0),
}


def compose(megabytes: float, seed: int, mix: str = "realistic") -> list[tuple[str, str]]:
    """(industry, ad) pairs totalling about `megabytes` of UTF-8."""
    lengths, violating_share = MIXES[mix]
    rng = random.Random(seed)
    industries = sorted(CLEAN)
    ads: list[tuple[str, str]] = []
    size = 0
    while size < megabytes * 1_000_000:
        industry = rng.choice(industries)
        violating = VIOLATING.get(industry) or VIOLATING["ecommerce"]
        clean = CLEAN[industry] + CLEAN["apparel"][:1]
        sentences = [
            rng.choice(violating) if rng.random() < violating_share else rng.choice(clean)
            for _ in range(rng.randint(*rng.choice(lengths)))
        ]
        ad = "".join(sentences)
        ads.append((industry, ad))
        size += len(ad.encode("utf-8"))
    return ads


def measure(rules: Rules, ads: list[tuple[str, str]], scoped: bool) -> tuple[float, float, int]:
    """MB/s by wall clock and by this process's CPU time (steadier on a shared machine), and findings."""
    total = sum(len(ad.encode("utf-8")) for _, ad in ads)
    findings = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for industry, ad in ads:
        findings += len(rules.scan(ad, industry=industry if scoped else None))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return total / wall / 1e6, total / cpu / 1e6, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=4.0, help="megabytes of copy to compose per mix")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rules = Rules.load()
    print(f"{rules.lexicon_stats()['entries']} lexicon entries; {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    for mix in MIXES:
        ads = compose(args.mb, args.seed, mix)
        total = sum(len(ad.encode("utf-8")) for _, ad in ads)
        measure(rules, ads[:500], scoped=True)  # warm-up: builds the per-industry automata
        for scoped in (False, True):
            wall, cpu, findings = measure(rules, ads, scoped)
            print(f"{mix:9s} {len(ads):6d} ads, {total / 1e6:.2f} MB, industry={'per ad' if scoped else 'None':6s}: "
                  f"{wall:5.1f} MB/s wall, {cpu:5.1f} MB/s CPU, {findings} findings")


if __name__ == "__main__":
    main()
