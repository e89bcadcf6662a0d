"""The three labels adlint predicts, with the legal basis each one rests on."""

from __future__ import annotations

ABSOLUTE_TERM = "absolute_term"
EXAGGERATED_CLAIM = "exaggerated_claim"
MISLEADING_STATEMENT = "misleading_statement"

LABELS: tuple[str, ...] = (ABSOLUTE_TERM, EXAGGERATED_CLAIM, MISLEADING_STATEMENT)

# Short codes used by the inline corpus markup {A|最好} {E|三天见效} {M|央视推荐}.
MARKUP_CODES: dict[str, str] = {"A": ABSOLUTE_TERM, "E": EXAGGERATED_CLAIM, "M": MISLEADING_STATEMENT}

# Default basis for a model finding that no lexicon entry explains.
DEFAULT_BASIS: dict[str, str] = {
    ABSOLUTE_TERM: "广告法第9条第3项",
    EXAGGERATED_CLAIM: "广告法第4条、第28条",
    MISLEADING_STATEMENT: "广告法第4条、第8条、第11条、第28条",
}

DEFAULT_SUGGESTION: dict[str, str] = {
    ABSOLUTE_TERM: "删除绝对化用语，改为客观、可证实的描述（如“优质”“深受欢迎”）",
    EXAGGERATED_CLAIM: "删除功效或结果承诺，或如实说明经验证的测试结果并注明来源",
    MISLEADING_STATEMENT: "删除无法证实的内容，或注明数据来源、统计范围和时间",
}
