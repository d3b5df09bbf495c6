"""The xAPI 1.0.3 shape of a statement, checked field by field (xAPI-Data.md, section 2.4)."""

import re
import uuid
from datetime import datetime

IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
LANGUAGE_MAP_KEY = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def check_statement(statement):
    """Raise AssertionError naming the first rule ``statement`` breaks."""
    assert str(uuid.UUID(statement["id"])) == statement["id"], "id must be a UUID"
    check_agent(statement["actor"])
    check_verb(statement["verb"])
    check_activity(statement["object"])
    datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00"))
    assert statement.get("version", "1.0.3").startswith("1.0"), statement.get("version")
    if "result" in statement:
        check_result(statement["result"])
    if "context" in statement:
        check_context(statement["context"])


def check_agent(agent):
    assert agent.get("objectType", "Agent") == "Agent"
    identifiers = [key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in agent]
    assert len(identifiers) == 1, f"an Agent has exactly one inverse functional identifier: {identifiers}"
    if "account" in agent:
        assert IRI.match(agent["account"]["homePage"]) and agent["account"]["name"], agent


def check_verb(verb):
    assert IRI.match(verb["id"]), verb
    for key in verb.get("display", {}):
        assert LANGUAGE_MAP_KEY.match(key), key


def check_activity(activity):
    assert activity.get("objectType", "Activity") == "Activity"
    assert IRI.match(activity["id"]), activity["id"]
    definition = activity.get("definition", {})
    if "type" in definition:
        assert IRI.match(definition["type"]), definition["type"]
    for key in ("name", "description"):
        for language in definition.get(key, {}):
            assert LANGUAGE_MAP_KEY.match(language)
    for key in definition.get("extensions", {}):
        assert IRI.match(key), key


def check_result(result):
    score = result.get("score")
    if score is not None:
        if "scaled" in score:
            assert -1 <= score["scaled"] <= 1, score
        if "min" in score and "max" in score:
            assert score["min"] <= score["max"]
        if "raw" in score:
            assert score.get("min", score["raw"]) <= score["raw"] <= score.get("max", score["raw"])
    for key in ("success", "completion"):
        if key in result:
            assert isinstance(result[key], bool), (key, result[key])
    for key in result.get("extensions", {}):
        assert IRI.match(key), key


def check_context(context):
    for kind, activities in context.get("contextActivities", {}).items():
        assert kind in ("parent", "grouping", "category", "other"), kind
        for activity in activities if isinstance(activities, list) else [activities]:
            check_activity(activity)
    for key in context.get("extensions", {}):
        assert IRI.match(key), key
