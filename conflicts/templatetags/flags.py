from django import template

from conflicts.rules import rule_name

register = template.Library()
# {{ flag.rule|rule_name }}: "Funding dependence" for FUNDING_DEPENDENCE
register.filter("rule_name", rule_name)
