"""How the changes of an audit event read in a trail."""
from audit.templatetags.trail import change_lines


def test_plain_fields_read_old_then_new():
    assert change_lines({"name": ["Old", "New"], "parent": [None, "lk-pd"]}) == [("name", "Old", "New"), ("parent", None, "lk-pd")]


def test_a_dict_field_reads_as_the_values_inside_it_that_changed():
    before = {"half_life_days": 365.0, "component_weights": {"formal": 0.6, "interaction": 0.75}, "gone": 1}
    after = {"half_life_days": 365.0, "component_weights": {"formal": 0.6, "interaction": 0.5}, "new": 2}

    assert sorted(change_lines({"parameters": [before, after]}), key=str) == sorted([
        ("parameters.component_weights.interaction", 0.75, 0.5),
        ("parameters.gone", 1, None),
        ("parameters.new", None, 2),
    ], key=str)


def test_a_dict_created_reads_as_each_value_and_an_odd_shape_as_it_is():
    assert change_lines({"parameters": [None, {"a": {"b": 1}, "c": 2}]}) == [("parameters.a.b", None, 1), ("parameters.c", None, 2)]
    assert change_lines({"weird": "text"}) == [("weird", None, "text")]
