"""JSON-Schema validation of a loaded policy, as findings a comp analyst reads.

The schema (``policy.schema.json``, shipped in the package and printed by
``incentive schema``) is the single description of the file format; this
module runs it with ``Draft202012Validator`` over the loaded data (numbers are
``int`` / exact ``Decimal``, never float) and turns each error into a finding
at the offending node:

    kpis.sales.weight: expected a number, got text 'forty'
    inputs.revenue.type: 'mony' is not one of id, text, ... (did you mean 'money'?)
    unknown key 'wieght' in kpis.sales (did you mean 'weight'?)
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from decimal import Decimal
from importlib import resources
from typing import Iterable, Iterator

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from incentive.errors import Finding, Pos
from incentive.numeric import LIMIT, SCALE
from incentive.policy.ids import ecma_search
from incentive.policy.yaml_doc import LoadedDoc, NodePath

SCHEMA_FILE = "policy.schema.json"


@functools.cache
def load_schema() -> dict:
    """The policy JSON Schema (draft 2020-12) shipped with the package."""
    text = resources.files("incentive.policy").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def schema_text() -> str:
    """The schema as pretty JSON, for ``incentive schema`` and editors."""
    return json.dumps(load_schema(), indent=2, ensure_ascii=False) + "\n"


def _is_number(checker: object, instance: object) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    return isinstance(instance, Decimal) and instance.is_finite()


def _is_integer(checker: object, instance: object) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    return isinstance(instance, Decimal) and instance.is_finite() and instance == instance.to_integral_value()


def _ecma_pattern(validator: object, pattern: str, instance: object, schema: dict) -> Iterator[ValidationError]:
    """``pattern`` as JSON Schema means it: ``$`` is the end of the text, not "before a final newline"."""
    if isinstance(instance, str) and not ecma_search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def validator() -> jsonschema.protocols.Validator:
    """A 2020-12 validator that knows ``Decimal`` numbers, checks dates and matches patterns whole."""
    checker = Draft202012Validator.TYPE_CHECKER.redefine_many({"number": _is_number, "integer": _is_integer})
    cls = jsonschema.validators.extend(Draft202012Validator, validators={"pattern": _ecma_pattern},
                                       type_checker=checker)
    return cls(load_schema(), format_checker=FormatChecker(formats=["date"]))


def format_path(path: Iterable[str | int]) -> str:
    """``("payouts", "x", "tiers", "table", 1, "rate")`` -> ``payouts.x.tiers.table[1].rate``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'weight'?)`` when a candidate is close to ``word``, else ``""``."""
    candidates = [c for c in candidates if isinstance(c, str)]
    lowered = {c.lower(): c for c in candidates}
    if isinstance(word, str) and word.lower() in lowered:
        return f" (did you mean {lowered[word.lower()]!r}?)"
    close = difflib.get_close_matches(str(word), candidates, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def schema_findings(doc: LoadedDoc, file: str) -> list[Finding]:
    """Every schema problem of ``doc`` as an error finding, sorted by position."""
    found: dict[tuple, Finding] = {}
    for path, pos, code, message in _number_problems(doc.data, ()):
        _add(found, doc, file, path, pos or doc.pos(path), code, message)
    for error in validator().iter_errors(doc.data):
        for path, pos, code, message in _explain(error, doc):
            _add(found, doc, file, path, pos, code, message)
    return sorted(found.values(), key=Finding.sort_key)


def _add(found: dict, doc: LoadedDoc, file: str, path: NodePath, pos: Pos, code: str, message: str) -> None:
    origin = doc.origin(path)
    if origin is not None:
        file, pos = origin
    finding = Finding(file, pos.line, pos.col, "error", code, message)
    found.setdefault((finding.file, finding.line, finding.col, code, message), finding)


def _number_problems(data: object, path: NodePath) -> Iterator[tuple[NodePath, Pos | None, str, str]]:
    """Numbers the engine cannot hold exactly: beyond 10**26 or finer than 12 places."""
    stack = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, where + (k,)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, where + (i,)) for i, v in enumerate(value))
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            if isinstance(value, Decimal) and not value.is_finite():
                continue  # reported by the type check: not a number
            if (value.copy_abs() if isinstance(value, Decimal) else abs(value)) >= LIMIT:  # copy_abs: no context, no Overflow
                yield where, None, "schema-value", f"{_at(where)}{_num(value)} is too large (numbers must stay below 10^26)"
            elif isinstance(value, Decimal) and int(value.as_tuple().exponent) < -SCALE:  # finite: an int exponent
                yield where, None, "schema-value", f"{_at(where)}{_num(value)} has more than {SCALE} decimal places"


def _explain(error: ValidationError, doc: LoadedDoc) -> list[tuple[NodePath, Pos, str, str]]:
    path = tuple(error.absolute_path)
    if "propertyNames" in error.relative_schema_path:
        return _bad_key(error, doc, path)
    kind = error.validator
    handler = _HANDLERS.get(kind)
    if handler is not None:
        return handler(error, doc, path)
    return [(path, doc.pos(path), "schema-value", f"{_at(path)}{error.message}")]


def _bad_key(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    key = error.instance
    schema = error.schema
    what = schema.get("title", "key")
    hint = schema.get("description", "")
    message = f"{_where(path)}: {key!r} is not a valid {what}" + (f" ({hint})" if hint else "")
    if error.validator == "maxLength":
        message = f"{_where(path)}: {what} {key!r} is longer than {error.validator_value} characters"
    return [(path + (key,), doc.key_pos(path + (key,)), "schema-value", message)]


def _unknown_keys(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    if error.validator_value is not False:
        return [(path, doc.pos(path), "schema-value", f"{_at(path)}{error.message}")]
    known = list(error.schema.get("properties", {}))
    patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
    out = []
    for key in error.instance:
        if key in known or any(ecma_search(p.pattern, key) for p in patterns):
            continue
        where = f"in {format_path(path)}" if path else "at the top level"
        out.append((path + (key,), doc.key_pos(path + (key,)), "schema-unknown-key",
                    f"unknown key {key!r} {where}{did_you_mean(key, known)}"))
    return out


def _required(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    missing = [name for name in error.validator_value if name not in error.instance]
    where = f"{format_path(path)}: missing required key" if path else "missing required top-level key"
    return [(path, doc.key_pos(path), "schema-required", f"{where} {name!r}") for name in missing]


def _dependent_required(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    out = []
    for key, needs in error.validator_value.items():
        if key not in error.instance:
            continue
        for need in needs:
            if need not in error.instance:
                out.append((path + (key,), doc.key_pos(path + (key,)), "schema-required",
                            f"{_where(path)}: {key!r} needs {need!r} as well"))
    return out


def _choice(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    branches = error.validator_value
    names = [b["required"][0] for b in branches if list(b) == ["required"] and len(b["required"]) == 1]
    if len(names) != len(branches) or not isinstance(error.instance, dict):
        best = best_match(error.context) if error.context else None
        if best is None:
            return [(path, doc.pos(path), "schema-value", f"{_at(path)}{error.message}")]
        return _explain(best, doc)
    present = [n for n in names if n in error.instance]
    if not present:
        joined = _join(names, "or")
        lead = "needs one of" if error.validator == "oneOf" else "needs at least one of"
        return [(path, doc.key_pos(path), "schema-required", f"{_where(path)}: {lead} {joined}")]
    second = path + (present[1],)
    return [(second, doc.key_pos(second), "schema-value",
             f"{_where(path)}: use only one of {_join(present, 'and')}")]


def _type(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    title = error.schema.get("title")
    want = _article(title) if title else _join([_TYPE_NAMES.get(str(t), str(t)) for t in expected], "or", quote=False)
    hint = ""
    if expected == ["string"] and isinstance(error.instance, (int, Decimal)):  # bool is an int too
        shown = _scalar(error.instance)
        hint = f' (write it in quotes, "{shown}", to keep it as text)'
    return [(path, doc.pos(path), "schema-type", f"{_where(path)}: expected {want}, got {_describe(error.instance)}{hint}")]


def _enum(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    options = [_scalar(v) for v in error.validator_value]
    message = f"{_where(path)}: {_show(error.instance)} is not one of {', '.join(options)}"
    if isinstance(error.instance, str):
        message += did_you_mean(error.instance, options)
    return [(path, doc.pos(path), "schema-value", message)]


def _const(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    return [(path, doc.pos(path), "schema-value",
             f"{_where(path)}: {_show(error.instance)} is not allowed here; expected {_show(error.validator_value)}")]


def _pattern(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    schema = error.schema
    what = schema.get("title")
    hint = schema.get("description", "")
    message = f"{_where(path)}: {_show(error.instance)} is not a valid {what}" if what else \
        f"{_where(path)}: {_show(error.instance)} is not in the expected form"
    return [(path, doc.pos(path), "schema-value", message + (f" ({hint})" if hint else ""))]


def _format(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    return [(path, doc.pos(path), "schema-value",
             f"{_where(path)}: {_show(error.instance)} is not a valid date (YYYY-MM-DD)")]


def _bound(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    words = {"minimum": "is below the minimum", "maximum": "is above the maximum",
             "exclusiveMinimum": "must be greater than", "exclusiveMaximum": "must be less than"}
    return [(path, doc.pos(path), "schema-value",
             f"{_where(path)}: {_scalar(error.instance)} {words[error.validator]} {_scalar(error.validator_value)}")]


def _size(error: ValidationError, doc: LoadedDoc, path: NodePath) -> list:
    n = error.validator_value
    if error.validator in ("maxItems", "maxProperties") and isinstance(error.instance, (list, dict)) and n > 2:
        # a policy-size limit (docs/limits.md): name the limit and the size found
        kind = "items" if error.validator == "maxItems" else "entries"
        return [(path, doc.pos(path), "policy-too-large",
                 f"{_where(path)}: has {len(error.instance):,} {kind}; the limit is {n:,} (docs/limits.md)")]
    text = {
        "minItems": f"needs at least {n} item{'s' if n != 1 else ''}",
        "maxItems": f"takes at most {n} item{'s' if n != 1 else ''}",
        "minProperties": "must not be empty",
        "minLength": "must not be empty",
        "maxLength": f"is longer than {n} characters",
        "uniqueItems": "lists the same item more than once",
    }[error.validator]
    return [(path, doc.pos(path), "schema-value", f"{_where(path)}: {text}")]


_HANDLERS = {
    "additionalProperties": _unknown_keys,
    "required": _required,
    "dependentRequired": _dependent_required,
    "oneOf": _choice,
    "anyOf": _choice,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "format": _format,
    "minimum": _bound,
    "maximum": _bound,
    "exclusiveMinimum": _bound,
    "exclusiveMaximum": _bound,
    "minItems": _size,
    "maxItems": _size,
    "maxProperties": _size,
    "minProperties": _size,
    "minLength": _size,
    "maxLength": _size,
    "uniqueItems": _size,
}

_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a mapping (key: value)",
    "array": "a list",
    "null": "nothing",
}


def _where(path: NodePath) -> str:
    return format_path(path) if path else "the policy"


def _at(path: NodePath) -> str:
    return f"{format_path(path)}: " if path else ""


def _article(title: str) -> str:
    return ("an " if title[:1] in "aeiou" else "a ") + title


def _join(items: list[str], word: str, quote: bool = True) -> str:
    quoted = [repr(i) if quote else i for i in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + f" {word} " + quoted[-1]


def _scalar(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _num(value: object) -> str:
    if isinstance(value, int) and value.bit_length() > 1000:  # str() refuses ints past 4,300 digits
        return f"a number of more than {1000 * 30103 // 100000} digits"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (dict, list)):
        return _describe(value)
    return _num(_scalar(value))


def _describe(value: object) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return _scalar(value)
    if isinstance(value, str):
        return f"text {_show(value)}"
    if isinstance(value, (int, Decimal)):
        if isinstance(value, Decimal) and not value.is_finite():
            return {"NaN": ".nan", "Infinity": ".inf", "-Infinity": "-.inf"}.get(str(value), str(value))
        return f"number {_num(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
