"""Every word a plan document prints that is not the policy's own, in English and Chinese.

The policy's labels (``{en, zh}``) supply the names; ids and expressions stay
as written. A key missing in Chinese is a bug (``tests/documents/test_plan_zh``
reads the whole document), so there is no silent fallback here.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "generated": "Generated from the policy file by incentive {version}; do not edit by hand: regenerate it. "
                     "Policy sha256 {sha}.",
        "footer": "{policy} {version} · policy sha256 {sha} · incentive {engine}",
        "plan": "Plan", "policy id": "policy id", "version": "version", "period": "period",
        "currency": "currency", "effective": "effective", "from": "from {start}", "until": "until {end}",
        "from until": "{start} to {end}", "open": "open-ended", "not stated": "not stated",
        "money rounding": "money", "money text": "each component, each penalty and the total are rounded {rounding} to "
                                                "{quantum}",
        "unit.month": "month", "unit.quarter": "quarter", "unit.half": "half year", "unit.year": "year",
        "round.half_up": "half up", "round.half_even": "half to even", "round.down": "down (toward zero)",
        "round.up": "up (away from zero)",
        # who
        "who": "Who this plan covers", "who text": "The plan judges each person listed in the period's data file "
                                                   "(one row per person); these are the columns it reads.",
        "col": "column", "meaning": "meaning", "type": "type", "rule": "rule",
        "type.id": "employee id (unique)", "id": "id", "type.text": "text", "type.integer": "whole number", "type.number": "number",
        "type.money": "amount", "type.percent": "percentage", "type.date": "date", "type.boolean": "yes / no",
        "required": "required", "optional": "optional", "default": "default {value}", "min": "at least {value}",
        "max": "at most {value}", "values": "one of {values}",
        "ranked who": "Who is ranked: {rule}.", "ranked reason": "Others get no band: {reason}.",
        "everyone ranked": "Everyone in the data is ranked.",
        # derived
        "derived": "Derived values", "derived text": "Values computed from the columns, in this order.",
        "name": "name", "formula": "formula", "aggregate": "computed as",
        "agg": "{func} of {of} per {by}", "agg all": "{func} of {of} over everyone",
        "agg.sum": "sum", "agg.mean": "mean", "agg.min": "minimum", "agg.max": "maximum",
        "agg.count": "number of people", "agg.median": "median", "agg where": ", counting only rows where {where}",
        "everyone": "everyone",
        # kpis
        "kpis": "KPIs and scoring", "kpi": "KPI", "measure": "measured as", "weight": "weight",
        "scoring": "scoring", "curve": "curve", "step": "steps",
        "kpi text": "Each KPI's value is turned into points by its scoring rule; the score is the weighted sum of "
                    "points divided by {scale}, rounded {rounding} to {quantum} before ranking.",
        "curve text": "Points rise in a straight line between the points of the table and stay at the end values "
                      "outside it.",
        "curve down": "Lower is better: points fall as the value rises.",
        "step text": "A value at or above a threshold earns that threshold's points; below the first it earns 0.",
        "value": "value", "points": "points", "at least": "value at least",
        "chart": "{label}: points by value",
        # payouts
        "payouts": "Commission and bonus",
        "payout order": "Each component is computed in this order: the tiers (or the amount), then the band factor, "
                        "proration, floor and cap, then the condition to be paid; it is rounded last.",
        "component": "component", "base": "base", "basis": "tier decided by",
        "tiers": "tiers", "tier from": "from", "tier to": "below", "rate": "rate", "amount": "amount",
        "mode.marginal": "Marginal tiers: each slice of {basis} inside a tier earns that tier's rate, like tax "
                         "brackets; reaching a higher tier does not change the rate of the slices below it.",
        "marginal share": "Each slice of {basis} stands for the same share of the base {base}: e.g. the part of the "
                          "base up to the first threshold earns the first rate.",
        "below first": "Below the first tier ({start}) nothing is paid.",
        "mode.step": "Step tiers: the tier that contains {basis} sets the rate for the whole "
                     "base, so crossing a threshold changes the whole payout.",
        "mode.step amount": "Step tiers: the tier that contains {basis} sets a fixed amount, so crossing a threshold "
                            "changes the whole payout.",
        "mode.linear": "Linear tiers: the rate is interpolated in a straight line between the tiers' points "
                       "at {basis}; below the first tier nothing is paid.",
        "amount formula": "Amount: {formula}.", "base text": "Base: {base}.",
        "gate": "Paid only when {expr}; otherwise 0.", "cap": "At most {expr}.", "floor": "At least {expr}.",
        "prorate": "Multiplied by {expr} (proration).", "band factor": "Multiplied by the band's factor: {factors}.",
        "budget": "Budget {id}: when {components} together exceed {amount}{by}, they are scaled down pro rata, "
                  "rounded so the sum equals the budget exactly.",
        "budget by": " per {by}", "all components": "all components",
        # penalties
        "penalties": "Penalties, caps, floor and compliance veto", "penalty": "penalty", "when": "when",
        "always": "always", "deduction": "deduction", "cap col": "at most", "veto": "veto",
        "forfeits": "forfeits {what}", "forfeit all": "every payout", "forces band": "forces band {band}",
        "no penalties": "This plan has no penalties.",
        # draws
        "draws": "Draws (guaranteed amounts)", "draw": "draw", "draw of": "guarantees", "kind": "kind",
        "kind.recoverable": "recoverable (an advance)", "kind.non_recoverable": "non-recoverable",
        "recovery cap": "most recovered a period", "recovery delay": "periods before recovery",
        "on leave": "when a person leaves owing", "leave.recover": "reported for recovery",
        "leave.forgive": "written off", "the total": "the total", "no limit": "no limit",
        "draw.recoverable": "When {of} falls short of the draw, the draw is paid anyway; the difference is an "
                            "advance, owed back only from later periods' earnings above the draw, so pay never "
                            "falls below the draw while a balance is owed.",
        "draw.non_recoverable": "When {of} falls short of the draw, the difference is topped up and nobody owes "
                                "it back.",
        "draw order": "Balances carry from each closed period to the next, so periods are closed in order.",
        "floor total": "The total is never below {floor}.", "no floor": "The total has no floor: penalties may "
                                                                        "make it negative.",
        "veto text": "A veto takes effect whatever the other results: forfeited payouts are not paid, and a forced "
                     "band overrides eligibility, band conditions and small-group rules.",
        # ranking
        "ranking": "Ranking and bands (271)", "no ranking": "This plan does not rank people.",
        "rank by": "People are ranked by {by}, {direction}{within}.", "higher": "highest first",
        "lower": "lowest first", "within": ", separately within each {groups}",
        "tie break": "Equal values are ordered by {rules}.", "asc": "{expr} (lowest first)",
        "desc": "{expr} (highest first)",
        "band": "band", "label": "label", "share": "share", "guard": "only if",
        "rounding.largest_remainder": "Seats per band are the shares of the group's headcount, rounded by the "
                                      "largest remainder so that they add up to the headcount.",
        "rounding.floor": "Seats per band are the shares of the group's headcount rounded down; the seats left "
                          "over go to the band with the largest share.",
        "rounding.nearest": "Seats per band are the shares of the group's headcount rounded half up, then "
                            "corrected on the band with the largest share so that they add up to the headcount.",
        "ties.keep_together": "People with the same ranking value are never split across a band cutoff: the whole "
                              "tie goes to the better band if at least half of its seats are in it, otherwise to "
                              "the worse band.",
        "ties.split": "People with the same ranking value may be split across a band cutoff (in employee id "
                      "order); they still share a rank.",
        "min group": "A group with fewer than {n} ranked people is {what}.",
        "small.pool": "merged with the other small groups under the same parent group (with one grouping column: "
                      "all small groups together); a merged group still too small is ranked as it is",
        "small.exempt": "ranked but given no band",
        "guard text": "A band with a condition takes only people who meet it: the others move to the nearest better "
                      "band that admits them (else the nearest worse one), and their seat stays empty.",
        "forced count": "People forced into a band by a veto fill seats of that band; the others fill what is left.",
        "forced apart": "People forced into a band by a veto are placed on top of the seats: the others are "
                        "banded as if they were not there.",
        "seats": "Seats per band by group size (computed by the engine's band rule)",
        "group size": "people in the group",
        # recommendations
        "recs": "Recommendations", "no recs": "This plan makes no recommendations.",
        "recs text": "The rules below are checked for each person after the results are known; every rule whose "
                     "condition holds raises its recommendation. Recommendations are for review by people, not "
                     "decisions: no rule ends employment from a ranking alone.",
        "action": "recommendation", "reason": "reason", "next steps": "next steps", "order": "no.",
        "exit guard": "An exit-type recommendation ({actions}) is raised only after an earlier improvement step "
                      "({steps}) is on record; until then the improvement step is recommended instead.",
        "history": "Conditions that look back (such as streak, count_last) read this plan's earlier closed periods.",
        # protected
        "protected": "Protected statuses", "status": "status", "article": "law", "condition": "condition",
        "protected text": "While a person is in one of these statuses, no exit-type recommendation is raised for "
                          "them: a legal review is recommended instead, naming the status.",
        # fairness
        "fairness": "Fairness review", "fairness text": "The columns {columns} are used only to compare outcomes "
                                                        "between groups (four-fifths rule); no rule of the plan "
                                                        "reads them. Groups with fewer than {n} people are reported "
                                                        "as too small to judge.",
        # example
        "example": "Worked example", "example text": "{rows} people of synthetic data (incentive sample --rows "
                                                     "{rows} --seed {seed}), period {period}, with no earlier "
                                                     "periods, evaluated by the engine that pays this plan. The "
                                                     "numbers below are the engine's, not a hand calculation.",
        "example others": "The table lists the people ranked or paid; the other {n} are neither.",
        "example people": "Results of the example period", "person": "person", "score": "score",
        "total": "total ({currency})", "not ranked": "not ranked",
        "derivation": "How the result of {id} is derived", "quantity": "quantity", "result": "result",
        "how": "how",
        "step.used": "using {used}", "budget word": "budget",
        # approval
        "approval": "Approval", "signoff": "Results approval and inquiries",
        "signoff text": "Before payroll, the results of each closed period are approved by: {roles}, in this order.",
        "role.manager": "the manager", "role.hr": "HR", "role.finance": "finance",
        "inquiry text": "A participant may question their results within {days} days after the close; a later "
                        "inquiry is still accepted and recorded as late.",
        "approved by": "approved by", "approved on": "approved on",
        "consulted on": "consultation with employee representatives", "published on": "made known to employees",
        "document": "document reference", "no approval": "This plan records no approval.",
        "sign": "Acknowledgement", "sign text": "I have received and read this plan.",
        "signature": "Name, signature, date",
    },
    "zh": {
        "generated": "本文件由 incentive {version} 根据方案文件生成，请勿手工修改，需要时重新生成。"
                     "方案 sha256 {sha}。",
        "footer": "{policy} {version} · 方案 sha256 {sha} · incentive {engine}",
        "plan": "方案", "policy id": "方案编号", "version": "版本", "period": "考核周期",
        "currency": "币种", "effective": "生效期间", "from": "自 {start} 起", "until": "至 {end} 止",
        "from until": "{start} 至 {end}", "open": "长期有效", "not stated": "未规定",
        "money rounding": "金额", "money text": "各奖金项、各扣款及合计均按{rounding}精确到 {quantum}",
        "unit.month": "月度", "unit.quarter": "季度", "unit.half": "半年度", "unit.year": "年度",
        "round.half_up": "四舍五入", "round.half_even": "四舍六入五成双", "round.down": "向零舍去",
        "round.up": "远离零进位",
        "who": "适用对象", "who text": "本方案考核当期数据文件中的每一位员工（每人一行），读取以下各列。",
        "col": "列名", "meaning": "含义", "type": "类型", "rule": "规则",
        "type.id": "员工编号（唯一）", "id": "编号", "type.text": "文本", "type.integer": "整数", "type.number": "数值",
        "type.money": "金额", "type.percent": "百分比", "type.date": "日期", "type.boolean": "是 / 否",
        "required": "必填", "optional": "选填", "default": "默认 {value}", "min": "不小于 {value}",
        "max": "不大于 {value}", "values": "取值：{values}",
        "ranked who": "参与排名的条件：{rule}。", "ranked reason": "其他人不定档：{reason}。",
        "everyone ranked": "数据中的所有人均参与排名。",
        "derived": "计算指标", "derived text": "由上述各列依次计算的数值。",
        "name": "名称", "formula": "公式", "aggregate": "计算方式",
        "agg": "按 {by} 计算 {of} 的{func}", "agg all": "全体 {of} 的{func}",
        "agg.sum": "合计", "agg.mean": "平均值", "agg.min": "最小值", "agg.max": "最大值",
        "agg.count": "人数", "agg.median": "中位数", "agg where": "，只计满足 {where} 的行",
        "everyone": "全体",
        "kpis": "考核指标与计分", "kpi": "指标", "measure": "取值", "weight": "权重",
        "scoring": "计分方式", "curve": "曲线", "step": "阶梯",
        "kpi text": "各指标的实际值按其计分规则换算为得分；综合得分为各指标得分的加权和除以 {scale}，"
                    "排名前按{rounding}精确到 {quantum}。",
        "curve text": "在表中相邻两点之间按直线计分；低于第一点或高于最后一点时按端点得分计。",
        "curve down": "数值越低越好：数值越高，得分越低。",
        "step text": "实际值达到某一门槛即得该门槛的分数；低于第一个门槛得 0 分。",
        "value": "实际值", "points": "得分", "at least": "实际值不低于",
        "chart": "{label}：得分曲线",
        "payouts": "提成与奖金",
        "payout order": "每个奖金项依次计算：阶梯（或金额公式），再乘以档位系数和折算系数，再适用下限和上限，"
                        "再判断发放条件，最后取整。",
        "component": "奖金项", "base": "计提基数", "basis": "决定档位的数值",
        "tiers": "阶梯", "tier from": "自", "tier to": "低于", "rate": "比例", "amount": "金额",
        "mode.marginal": "超额累进：{basis}落在各档区间内的部分分别按该档比例计算（类似个人所得税），"
                         "达到更高一档不改变低档部分的比例。",
        "marginal share": "{basis}的每一段对应计提基数 {base} 中相同比例的部分：例如第一个门槛以下对应的基数部分按第一档比例计算。",
        "below first": "低于第一档（{start}）不发放。",
        "mode.step": "全额累进：{basis}所在的档位决定整个基数的比例，跨过门槛即改变全部奖金。",
        "mode.step amount": "阶梯奖金：{basis}所在的档位决定固定金额，跨过门槛即改变全部奖金。",
        "mode.linear": "线性插值：比例按{basis}在相邻档位之间直线插值；低于第一档不发放。",
        "amount formula": "金额：{formula}。", "base text": "计提基数：{base}。",
        "gate": "仅当 {expr} 时发放，否则为 0。", "cap": "上限 {expr}。", "floor": "下限 {expr}。",
        "prorate": "乘以折算系数 {expr}。", "band factor": "乘以档位系数：{factors}。",
        "budget": "预算 {id}：{components}{by}合计超过 {amount} 时按比例缩减，并取整使合计恰好等于预算。",
        "budget by": "按 {by} ", "all components": "全部奖金项",
        "penalties": "扣款、上下限与一票否决", "penalty": "扣款项", "when": "条件",
        "always": "始终", "deduction": "扣款金额", "cap col": "上限", "veto": "否决",
        "forfeits": "没收{what}", "forfeit all": "全部奖金", "forces band": "强制定为 {band} 档",
        "no penalties": "本方案没有扣款项。",
        "draws": "保底", "draw": "保底项", "draw of": "保障对象", "kind": "类型",
        "kind.recoverable": "可追回（垫付）", "kind.non_recoverable": "不可追回",
        "recovery cap": "每期最多追回", "recovery delay": "追回前等待期数",
        "on leave": "离职时仍有欠款", "leave.recover": "报告以便追回",
        "leave.forgive": "核销", "the total": "合计", "no limit": "不限",
        "draw.recoverable": "{of}低于保底金额时仍按保底发放，差额为垫付款，只从以后各期超过保底的收入中追回，"
                            "因此有欠款期间实发不低于保底金额。",
        "draw.non_recoverable": "{of}低于保底金额时补足差额，差额无需偿还。",
        "draw order": "欠款余额从每个已结算期间结转到下一期间，因此各期间须按顺序结算。",
        "floor total": "合计不低于 {floor}。", "no floor": "合计不设下限：扣款可使合计为负。",
        "veto text": "一票否决不论其他结果如何均生效：被没收的奖金不予发放，强制档位优先于排名资格、档位限定条件和小组规则。",
        "ranking": "排名与档位（271）", "no ranking": "本方案不排名。",
        "rank by": "按 {by} 排名，{direction}{within}。", "higher": "由高到低",
        "lower": "由低到高", "within": "，在每个{groups}内分别排名",
        "tie break": "数值相同时依次按 {rules} 排序。", "asc": "{expr}（由低到高）",
        "desc": "{expr}（由高到低）",
        "band": "档位", "label": "名称", "share": "比例", "guard": "限定条件",
        "rounding.largest_remainder": "各档名额为组内人数乘以各档比例，按最大余数法取整，使名额之和等于组内人数。",
        "rounding.floor": "各档名额为组内人数乘以各档比例后向下取整，剩余名额全部归入比例最大的档位。",
        "rounding.nearest": "各档名额为组内人数乘以各档比例后四舍五入取整，再在比例最大的档位上调整，使名额之和等于组内人数。",
        "ties.keep_together": "排名数值相同的人不会被分档线分开：若并列者所占名额至少一半落在较好的档位，则全部进入较好的档位，否则全部进入较差的档位。",
        "ties.split": "排名数值相同的人可被分档线分开（按工号顺序），但排名相同。",
        "min group": "参与排名人数少于 {n} 人的组，{what}。",
        "small.pool": "与同一上级组下的其他小组合并排名（只有一个分组列时，所有小组合并为一组）；合并后仍不足的组照常排名",
        "small.exempt": "照常排名但不定档",
        "guard text": "设有限定条件的档位只接收满足条件的人：其他人移至可接收的最近较好档位（没有则移至最近较差档位），其原名额空缺。",
        "forced count": "被一票否决强制定档的人占用该档名额，其他人分配剩余名额。",
        "forced apart": "被一票否决强制定档的人在名额之外另行计入：其他人按没有他们的情况定档。",
        "seats": "不同组内人数下的各档名额（按引擎的定档规则计算）",
        "group size": "组内人数",
        "recs": "建议规则", "no recs": "本方案不产生建议。",
        "recs text": "结果确定后，对每个人逐条检查以下规则；条件成立的规则提出相应建议。建议供人工复核，"
                     "不是决定：任何规则都不会仅凭排名解除劳动关系。",
        "action": "建议事项", "reason": "原因", "next steps": "后续步骤", "order": "序号",
        "exit guard": "退出类建议（{actions}）须在记录中已有改进措施（{steps}）之后才会提出；此前改为建议改进措施。",
        "history": "回看条件（如 streak、count_last）读取本方案此前已结算的期间。",
        "protected": "受保护状态", "status": "状态", "article": "法律依据", "condition": "条件",
        "protected text": "员工处于下列状态期间，不对其提出退出类建议，而是建议进行法律审查并注明该状态。",
        "fairness": "公平性审查", "fairness text": "列 {columns} 仅用于比较各群体间的结果（五分之四规则），"
                                                   "方案的任何规则都不读取这些列。人数少于 {n} 人的群体标注为人数过少、不作判断。",
        "example": "计算示例", "example text": "{rows} 名模拟人员数据（incentive sample --rows {rows} --seed {seed}），"
                                               "期间 {period}，无此前期间记录，由实际发放本方案的引擎计算。"
                                               "以下数字均为引擎结果，而非手工计算。",
        "example others": "下表列出参与排名或有奖金的人员；其余 {n} 人既未排名也无奖金。",
        "example people": "示例期间结果", "person": "人员", "score": "综合得分",
        "total": "合计（{currency}）", "not ranked": "未排名",
        "derivation": "{id} 的结果推导", "quantity": "项目", "result": "结果",
        "how": "计算过程",
        "step.used": "使用 {used}", "budget word": "预算",
        "approval": "方案审批", "signoff": "结果审批与申诉",
        "signoff text": "每个已结算期间的结果在发放前须依次经以下审批：{roles}。",
        "role.manager": "经理", "role.hr": "人力资源", "role.finance": "财务",
        "inquiry text": "参与者可在结算后 {days} 天内对本人结果提出申诉；逾期的申诉仍会受理并记为逾期。",
        "approved by": "批准机构", "approved on": "批准日期",
        "consulted on": "职工代表协商日期", "published on": "公示日期",
        "document": "文件编号", "no approval": "本方案未记录审批信息。",
        "sign": "签收确认", "sign text": "本人已收到并阅读本方案。",
        "signature": "姓名、签字、日期",
    },
}


def w(lang: str, key: str, **kw: object) -> str:
    """The text of ``key`` in ``lang`` (``en`` or ``zh``), with ``kw`` filled in."""
    text = WORDS[lang][key]
    return text.format(**kw) if kw else text
