"""Column headers of real exports: Chinese and English aliases, and personal-data columns.

Offices export the same fields under many names (乡镇代码, 乡镇（街道）代码, TOWNCODE, town_code ...).
Headers are compared after ``normalize_header`` (case, spaces, punctuation and full-width forms
removed), so the alias lists only need each spelling once.
"""

from __future__ import annotations

import re
import unicodedata

# Canonical column -> accepted headers. Shared by every table kind; each kind picks its subset.
ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": (
        "record_id",
        "id",
        "record",
        "recordno",
        "serial",
        "序号记录",
        "记录号",
        "记录编号",
        "编号",
        "登记编号",
        "出生医学证明编号",
        "出生证编号",
        "出生医学证明号",
        "出生证号",
    ),
    "township_code": (
        "township_code",
        "town_code",
        "towncode",
        "township",
        "code",
        "xzqdm",
        "乡镇代码",
        "乡镇编码",
        "乡镇街道代码",
        "乡镇街道编码",
        "乡镇区划代码",
        "区划代码",
        "行政区划代码",
        "统计用区划代码",
        "乡镇code",
        "街道代码",
        "乡代码",
        "镇代码",
        # village codes (12 digits: the township's 9 + a village number) roll up to their township
        "village_code",
        "村代码",
        "村编码",
        "村级代码",
        "村居代码",
        "村委会代码",
        "居委会代码",
        "村（居）委会代码",
        "村（居）委会编码",
        "村（社区）代码",
        "社区代码",
    ),
    "township_name": (
        "township_name",
        "town_name",
        "townname",
        "xzqmc",
        "乡镇",
        "乡镇名称",
        "乡镇街道",
        "乡镇街道名称",
        "乡镇名",
        "街道",
        "所属乡镇",
        "乡镇办事处",
    ),
    # a county (its name or 6-digit code) beside township names: tells same-named townships apart
    "county": (
        "county",
        "county_name",
        "county_code",
        "县",
        "县区",
        "区县",
        "县市区",
        "县（市、区）",
        "县（区）",
        "县区名称",
        "县名",
        "县名称",
        "所属县",
        "所属县区",
        "所属区县",
        "县代码",
        "县区代码",
        "区县代码",
    ),
    "birth_date": (
        "birth_date",
        "date_of_birth",
        "dob",
        "birthdate",
        "birthday",
        "date",
        "出生日期",
        "出生时间",
        "出生年月日",
        "婴儿出生日期",
        "新生儿出生日期",
        "分娩日期",
        "分娩时间",
    ),
    "month": (
        "month",
        "year_month",
        "yearmonth",
        "period",
        "月份",
        "年月",
        "出生年月",
        "统计月份",
        "统计年月",
        "报告月份",
        "月",
    ),
    "year": ("year", "年份", "年度", "年", "统计年度", "统计年份"),
    "sex": (
        "sex",
        "gender",
        "child_sex",
        "性别",
        "婴儿性别",
        "新生儿性别",
        "性别代码",
        "孩子性别",
    ),
    "birth_order": (
        "birth_order",
        "order",
        "parity",
        "孩次",
        "胎次",
        "出生孩次",
        "生育孩次",
        "孩次代码",
        "第几孩",
    ),
    "mother_age": (
        "mother_age",
        "maternal_age",
        "age_of_mother",
        "母亲年龄",
        "产妇年龄",
        "母亲生育年龄",
        "生育年龄",
        "母亲年龄岁",
    ),
    "mother_birth_date": (
        "mother_birth_date",
        "mother_dob",
        "母亲出生日期",
        "产妇出生日期",
        "母亲出生年月",
    ),
    "mother_age_band": (
        "mother_age_band",
        "age_band",
        "age_group",
        "母亲年龄组",
        "年龄组",
        "母亲年龄段",
        "年龄段",
        "生育年龄组",
    ),
    "policy_compliant": (
        "policy_compliant",
        "in_policy",
        "compliant",
        "是否政策内",
        "政策内",
        "政策符合",
        "符合政策",
        "是否符合政策",
        "政策内外",
        "政策属性",
    ),
    "births": (
        "births",
        "count",
        "n",
        "number",
        "birth_count",
        "出生数",
        "出生人数",
        "出生人口数",
        "人数",
        "数量",
        "例数",
        "出生数人",
    ),
    # "出生人数男": a two-row header, 出生人数 over 男 (header_rows joins them)
    "boys": (
        "boys",
        "male_births",
        "男婴",
        "男婴数",
        "男孩数",
        "出生男婴",
        "男性出生数",
        "出生人数男",
        "出生数男",
        "出生男",
        "男性",
        "男",
    ),
    "girls": (
        "girls",
        "female_births",
        "女婴",
        "女婴数",
        "女孩数",
        "出生女婴",
        "女性出生数",
        "出生人数女",
        "出生数女",
        "出生女",
        "女性",
        "女",
    ),
    "population": (
        "population",
        "pop",
        "mean_population",
        "average_population",
        "人口",
        "人口数",
        "年平均人口",
        "平均人口",
        "年均人口",
        "常住人口",
        "户籍人口",
        "总人口",
        "年末人口",
        "年末总人口",
        "人口数人",
    ),
    "indicator": ("indicator", "indicator_id", "指标", "指标名称", "考核指标", "指标代码"),
    "target": ("target", "target_value", "目标", "目标值", "指标值", "计划值", "控制目标"),
    "numerator": ("numerator", "num", "分子"),
    "denominator": ("denominator", "denom", "分母"),
}

# The regions file (``--regions``): names of counties, cities and provinces by 6-digit code. Its
# own lookup: "区划代码" and "code" mean a township code in every other table.
REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "region_code": (
        "region_code", "code", "adcode", "代码", "区划代码", "行政区划代码", "统计用区划代码",
        "地区代码", "区域代码", "区划编码", "行政区划编码", "县代码", "市代码", "省代码",
    ),
    "region_name": (
        "name", "region_name", "name_zh", "名称", "地区名称", "区划名称", "行政区划名称", "区域名称", "中文名称",
        "地区", "中文名",
    ),
    "region_name_en": ("name_en", "english_name", "region_name_en", "英文名称", "英文名", "英文"),
}  # fmt: skip

# Indicators named in targets and reported files (and as column headers of wide tables).
INDICATOR_ALIASES: dict[str, tuple[str, ...]] = {
    "births": ("births", "出生人数", "出生数", "出生人口", "出生人口数"),
    "birth_rate": ("birth_rate", "出生率", "人口出生率"),
    "srb": ("srb", "sex_ratio", "出生人口性别比", "性别比", "出生性别比"),
    "srb_order2": ("srb_order2", "二孩性别比", "二孩出生性别比"),
    "srb_order3p": ("srb_order3p", "多孩性别比", "多孩出生性别比", "三孩及以上性别比"),
    "share_order3p": ("share_order3p", "多孩率", "多孩比例", "三孩及以上比例"),
    "policy_compliance": ("policy_compliance", "政策符合率", "计划生育率", "政策内出生率"),
    "stats_accuracy": ("stats_accuracy", "出生统计准确率", "统计准确率", "出生上报准确率"),
    "long_acting_contraception": (
        "long_acting_contraception", "长效节育措施率", "长效节育率", "长效措施落实率",
    ),
}  # fmt: skip
# What each table needs; "one_of" groups need at least one member.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "births": (
        "record_id",
        "township_code",
        "township_name",
        "birth_date",
        "month",
        "year",
        "sex",
        "birth_order",
        "mother_age",
        "mother_birth_date",
        "mother_age_band",
        "policy_compliant",
        "births",
        "boys",
        "girls",
    ),
    "population": ("township_code", "township_name", "year", "population"),
    "targets": ("township_code", "township_name", "year", "indicator", "target"),
    "reported": ("township_code", "township_name", "year", "indicator", "numerator", "denominator"),
    "regions": ("region_code", "region_name", "region_name_en"),
}

# Personal data recognised by header. Substrings after normalisation; English ones whole-word.
PERSONAL_HEADER_PARTS = (
    "姓名", "名字", "身份证", "身份号", "证件号", "公民身份", "电话", "手机", "联系方式", "地址",
    "住址", "户籍地", "居住地", "现住", "邮箱", "微信", "qq号", "户主", "监护人", "工作单位",
    "银行卡", "医保卡", "社保卡", "护照",
)  # fmt: skip
PERSONAL_HEADER_WORDS = (
    "name", "childname", "mothername", "fathername", "fullname", "firstname", "lastname",
    "surname", "idnumber", "idno", "idcard", "nationalid", "citizenid", "ssn", "passport", "phone",
    "phonenumber", "mobile", "tel", "telephone", "cellphone", "address", "email", "wechat",
    "contact", "street_address",
)  # fmt: skip

# Values that give personal data away even under an innocent header: 18-digit resident ID
# numbers (GB 11643, last digit may be X) and 11-digit mainland mobile numbers.
PERSONAL_VALUE_PATTERNS = (
    re.compile(r"^\d{17}[\dXx]$"),
    re.compile(r"^\+?(86)?1[3-9]\d{9}$"),
)

_STRIP = re.compile(r"[\s_\-\.（）()\[\]【】<>《》:：/\\,，、·'\"“”‘’]+")


def normalize_header(header: str) -> str:
    """Header reduced for comparison: NFKC, lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    return _STRIP.sub("", text)


_BRACKETED = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")


def canonical_for(header: str, lookup: dict[str, str]) -> str | None:
    """The canonical column a header names; units or notes in brackets are ignored when needed
    ("出生人数（人）", "出生日期(yyyy-mm-dd)")."""
    found = lookup.get(normalize_header(header))
    if found is None:
        found = lookup.get(normalize_header(_BRACKETED.sub("", str(header))))
    return found


def alias_lookup(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Normalised header -> canonical column, built-in aliases plus ``extra`` (a mapping file)."""
    lookup = {normalize_header(a): canon for canon, aliases in ALIASES.items() for a in aliases}
    for header, canon in (extra or {}).items():
        lookup[normalize_header(header)] = canon
    return lookup


def region_lookup(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Normalised header -> canonical column of the regions file, plus ``extra`` (a mapping file)."""
    lookup = {normalize_header(a): canon for canon, aliases in REGION_ALIASES.items() for a in aliases}
    for header, canon in (extra or {}).items():
        lookup[normalize_header(header)] = canon
    return lookup


def is_personal_header(header: str) -> bool:
    norm = normalize_header(header)
    if any(part in norm for part in PERSONAL_HEADER_PARTS):
        return True
    words = {normalize_header(w) for w in PERSONAL_HEADER_WORDS}
    return norm in words or any(
        norm.endswith(w) or norm.startswith(w) for w in ("idnumber", "idcard", "phone", "address")
    )


def looks_personal(values: list[str]) -> bool:
    """True when most non-empty sample values look like ID or mobile numbers."""
    sample = [v.strip() for v in values if v and v.strip()][:200]
    if not sample:
        return False
    hits = sum(1 for v in sample if any(p.match(v) for p in PERSONAL_VALUE_PATTERNS))
    return hits >= max(1, len(sample) // 2)


INDICATOR_LOOKUP = {normalize_header(a): k for k, v in INDICATOR_ALIASES.items() for a in v}
