"""Bad input to a control chart (C12, issue 18): each is an InputError naming the field and saying why, in
the words the pages, the API and the command show (`InputError.text()`, `.as_dict()`)."""

from __future__ import annotations

import math

import pytest

from certhub.toolbox.errors import InputError
from certhub.toolbox.spc import control_chart, sigma_within
from certhub.toolbox.tests.spc_data import pistonrings


def refused(*args, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        control_chart(*args, **kwargs)
    return caught.value


def test_one_value_per_subgroup_for_xbar_r_and_xbar_s_says_use_the_individuals_chart():
    for chart in ("xbar-r", "xbar-s"):
        err = refused(chart, [1.0, 2.0, 3.0], subgroups=["a", "b", "c"])
        assert err.field == "subgroups"
        assert err.text() == "每组只有一个数值，无法计算组内极差或标准差：请用单值图（I-MR），或选择正确的子组列"
        assert err.as_dict() == {"field": "subgroups", "row": None, "column": None, "message": err.text()}


def test_a_subgroup_of_one_among_larger_ones_is_named():
    err = refused("xbar-r", [1.0, 2.0, 3.0, 4.0, 5.0], subgroups=["a", "a", "b", "c", "c"])
    assert (err.field, err.text()) == ("subgroups", "子组“b”只有一个数值：X̄-R 图每个子组至少需要 2 个数值")


def test_xbar_without_subgroups_is_refused():
    err = refused("xbar-s", [1.0, 2.0, 3.0])
    assert (err.field, err.text()) == ("subgroups", "X̄-S 图需要子组列；每个样本只有一个数值时请用单值图（I-MR）")


def test_negative_counts_are_refused():
    err = refused("c", [3, -1, 2])
    assert (err.field, err.text()) == ("values", "第 2 个缺陷数为负数：计数不能为负")
    err = refused("p", [3, 1, -2], sizes=[10, 10, 10])
    assert (err.field, err.text()) == ("values", "第 3 个不合格品数为负数：计数不能为负")


def test_defectives_above_the_sample_size_are_refused():
    for chart in ("p", "np"):
        err = refused(chart, [3, 12, 2], sizes=[10, 10, 10])
        assert (err.field, err.text()) == ("values", "第 2 个样本的不合格品数（12）大于样本量（10）")


def test_np_with_varying_sizes_is_refused():
    err = refused("np", [3, 1, 2], sizes=[10, 20, 10])
    assert (err.field, err.text()) == ("sizes", "np 图要求各样本的样本量相同；样本量不同时请用 p 图")


def test_c_with_varying_units_is_refused():
    err = refused("c", [3, 1, 2], sizes=[1, 2, 1])
    assert (err.field, err.text()) == ("sizes", "c 图要求各样本的检验单位数相同；单位数不同时请用 u 图")


def test_missing_or_bad_sizes_are_refused():
    assert refused("p", [1, 2, 3]).text() == "p 图需要样本量列"
    err = refused("u", [1, 2, 3], sizes=[1, 0, 2])
    assert (err.field, err.text()) == ("sizes", "第 2 个样本量必须是正数")
    err = refused("u", [1, 2, 3], sizes=[1, 2])
    assert (err.field, err.text()) == ("sizes", "样本量有 2 个，数值有 3 个：两者必须一一对应")


def test_phase1_larger_than_the_subgroups_is_refused():
    values, samples = pistonrings()
    err = refused("xbar-r", values, subgroups=samples, phase1=41)
    assert (err.field, err.text()) == ("phase1", "第一阶段子组数（41）超过了子组总数（40）")
    err = refused("imr", [1.0, 2.0, 4.0], phase1=1)
    assert (err.field, err.text()) == ("phase1", "第一阶段至少需要 2 个子组（样本）")


def test_fewer_than_two_subgroups_are_refused():
    err = refused("xbar-r", [1.0, 2.0, 3.0], subgroups=["a", "a", "a"])
    assert (err.field, err.text()) == ("values", "至少需要 2 个子组（样本）才能计算控制限，现在只有 1 个")
    assert refused("imr", [5.0]).text() == "至少需要 2 个子组（样本）才能计算控制限，现在只有 1 个"
    assert refused("c", []).text() == "没有数据"


def test_an_unknown_chart_is_refused():
    err = refused("pareto", [1.0, 2.0])
    assert (err.field, err.text()) == (
        "chart",
        "未知的控制图类型“pareto”：可选 xbar-r、xbar-s、imr、p、np、c、u、ewma、cusum",
    )


def test_an_unknown_rule_set_is_refused():
    err = refused("imr", [1.0, 2.0, 3.0], rules="shewhart")
    assert (err.field, err.text()) == ("rules", "未知的判异规则“shewhart”：可选 nelson、western-electric、none")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_refused(bad):
    for chart in ("imr", "c", "ewma"):
        err = refused(chart, [1.0, 2.0, bad, 3.0])
        assert (err.field, err.text()) == ("values", "第 3 个数值不是有限的数（不能是 NaN 或无穷大）")
    with pytest.raises(InputError) as caught:
        sigma_within([1.0, bad])
    assert caught.value.text() == "第 2 个数值不是有限的数（不能是 NaN 或无穷大）"


def test_no_spread_in_phase_one_is_refused():
    err = refused("imr", [2.0, 2.0, 2.0, 5.0], phase1=3)
    assert (err.field, err.text()) == ("values", "第一阶段的数据没有波动（标准差为 0），无法计算控制限")


def test_repeated_labels_for_the_individuals_chart_are_refused():
    err = refused("imr", [1.0, 2.0, 3.0], subgroups=["a", "a", "b"])
    assert (err.field, err.text()) == ("subgroups", "单值图每个样本只能有一个数值；有子组重复出现，请用 X̄-R 或 X̄-S 图")


def test_labels_that_do_not_match_the_values_are_refused():
    err = refused("xbar-r", [1.0, 2.0, 3.0], subgroups=["a", "a"])
    assert (err.field, err.text()) == ("subgroups", "子组标签有 2 个，数值有 3 个：两者必须一一对应")


def test_bad_ewma_and_cusum_parameters_are_refused():
    assert refused("ewma", [1.0, 2.0, 3.0], lam=0).text() == "EWMA 的平滑系数 λ 必须大于 0 且不大于 1"
    assert refused("cusum", [1.0, 2.0, 3.0], h=0).text() == "CUSUM 的决策区间 h 必须是正数"
    assert refused("cusum", [1.0, 2.0, 3.0], k=-1).text() == "CUSUM 的参考值 k 必须是非负数"
    assert refused("imr", [1.0, 2.0, 3.0], width=0).field == "width"


def test_excluding_nearly_all_of_phase_one_is_refused():
    err = refused("c", [0, 0, 0, 40, 50], exclude_out_of_control=True, phase1=2)
    assert (err.field, err.text()) == ("values", "第一阶段的数据没有波动（标准差为 0），无法计算控制限")  # c̄ = 0
    err = refused("p", [1, 9], sizes=[10, 10], exclude_out_of_control=True, width=0.5)
    assert (err.field, err.text()) == (
        "exclude_out_of_control",
        "剔除失控点后第一阶段不足 2 个子组，无法重新估计控制限",
    )


def test_the_reasons_read_in_english_under_the_english_switch():
    from django.utils import translation

    with translation.override("en"):
        err = refused("p", [3, 12, 2], sizes=[10, 10, 10])
        assert err.text() == "Sample 2 has more defectives (12) than its sample size (10)"
        err = refused("xbar-r", [1.0, 2.0, 3.0], subgroups=["a", "b", "c"])
        assert err.text() == (
            "Every subgroup has a single value, so there is no range or standard deviation within subgroups: "
            "use the individuals chart (I-MR), or choose the right subgroup column"
        )


def test_fractional_counts_and_sample_sizes_are_refused():
    err = refused("c", [3, 1.5, 2])
    assert (err.field, err.text()) == ("values", "第 2 个样本的缺陷数（1.5）不是整数")
    err = refused("np", [3, 1, 2.25], sizes=[10, 10, 10])
    assert (err.field, err.text()) == ("values", "第 3 个样本的不合格品数（2.25）不是整数")
    err = refused("p", [3, 1, 2], sizes=[10, 10.5, 10])
    assert (err.field, err.text()) == ("sizes", "第 2 个样本量必须是整数")
    u = control_chart("u", [3, 1, 2], sizes=[1.5, 2.0, 0.5]).charts[0]  # units may be fractional (m², km)
    assert u.points.tolist() == [2.0, 0.5, 4.0]


def test_parameters_that_are_not_numbers_are_refused():
    values, samples = pistonrings()
    err = refused("xbar-r", values, subgroups=samples, phase1="twenty")
    assert (err.field, err.text()) == ("phase1", "第一阶段子组数必须是整数")
    assert refused("imr", [1.0, 2.0, 4.0], phase1=2.5).text() == "第一阶段子组数必须是整数"
    err = refused("ewma", [1.0, 2.0, 4.0], lam="x")
    assert (err.field, err.text()) == ("lam", "“lam”必须是有限的数")
    err = refused("imr", [1.0, 2.0, 4.0], target=math.nan)
    assert (err.field, err.text()) == ("target", "“target”必须是有限的数")
