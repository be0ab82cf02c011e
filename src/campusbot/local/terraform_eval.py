"""A small evaluator of the Terraform expressions the stacks use, over python-hcl2's parse trees.

It answers "what value does this argument get?" for a stack of terraform/stacks, with the stack's variables
(`terraform/environments/<env>.tfvars`, else the variable's default) and the modules it calls, without
Terraform and without AWS. Forms it evaluates: literals, strings with `${...}` interpolation, `var.x`,
`local.x`, `module.m.output` (the output's expression inside the module, with the call's arguments),
`resource.name[i].argument` (an argument written in the block; `count` honoured), `data.aws_ssm_parameter.*`
(the SSM contract between stacks, `local.in["key"]`), `path.module`, conditionals, comparison and boolean
operators, object and tuple literals, `for` expressions, and the functions in FUNCTIONS.

Values only AWS produces (a computed attribute such as an ALB's DNS name, a data source, an SSM parameter whose
writer computes it from one) raise `Unresolvable`, unless the `Resolver` given has a stand-in for them: the
local runtime passes one (`campusbot.local.aws_environment.StandIns`). `try()` does not swallow `Unresolvable`
(in Terraform such a value is unknown until apply, not an error), so a value nobody can produce locally is
always reported, with the stack, module and expression.

Object literals, SSM parameters and `for` expressions over them are evaluated lazily, key by key: a stack
reads many parameters and writes many outputs, and only those an asked value depends on are evaluated.

Parsing is the costly part (python-hcl2's lark grammar, about fifty files for the stacks and their modules). With a
parse cache (`use_parse_cache(folder)`, the local runtime's `<data dir>/cache/hcl`), each file's tree is kept as a
pickle named by the SHA-256 of the file's text and python-hcl2's version: a file that changes is parsed again, an
unchanged one is read back. Nothing else is cached: the evaluation runs at every start with that start's values.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Protocol

from lark import Token, Tree

from campusbot.files import write_atomically

STACK_ORDER = ("foundation", "data", "app", "conversation", "analytics")
META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "depends_on", "providers", "lifecycle"})


class EvaluationError(Exception):
    """A Terraform evaluation error (unknown variable, index out of range, ...): `try()` catches these."""


class Unresolvable(Exception):
    """A value only AWS produces, for which the resolver has no stand-in."""


class Resolver(Protocol):
    """What the evaluator cannot compute itself: each method returns the stand-in value, or None when it has none."""

    def ssm_parameter(self, key: str) -> str | None: ...

    def module_output(self, module_source: str, output: str) -> Any | None: ...

    def data_attribute(self, data_type: str, attribute: str) -> Any | None: ...


class NoStandIns:
    """A resolver without stand-ins: everything only AWS produces is Unresolvable."""

    def ssm_parameter(self, key: str) -> str | None:
        return None

    def module_output(self, module_source: str, output: str) -> Any | None:
        return None

    def data_attribute(self, data_type: str, attribute: str) -> Any | None:
        return None


# -- values -------------------------------------------------------------------------------------------------


class LazyMap(Mapping[str, Any]):
    """A map whose values are computed (once) when read: object literals, SSM parameters, `for` over them."""

    def __init__(self, keys: list[str], compute: Callable[[str], Any]) -> None:
        self._keys = list(dict.fromkeys(keys))
        self._compute = compute
        self._values: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        if key not in self._values:
            self._values[key] = self._compute(key)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys


def to_string(value: Any) -> str:
    """Terraform's conversion to string (tostring, interpolation, map(string) arguments)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    if value is None:
        raise EvaluationError("a null value cannot be converted to a string")
    raise EvaluationError(f"a {type(value).__name__} cannot be converted to a string")


def force(value: Any) -> Any:
    """Evaluate every lazy part of `value` (for comparisons, jsonencode, ...)."""
    if isinstance(value, Mapping):
        return {key: force(value[key]) for key in value}
    if isinstance(value, list | tuple):
        return [force(item) for item in value]
    return value


# -- configuration: one directory of .tf files ---------------------------------------------------------------


_PARSE_CACHE: list[Path] = []  # the folder parse trees are kept in, when one is set


def use_parse_cache(folder: Path | None) -> None:
    """Keep (and read back) parse trees in `folder`; None: parse every file (the default)."""
    _PARSE_CACHE[:] = [folder] if folder is not None else []


def parse_file(path: Path) -> Tree[Any]:
    """The file's parse tree (python-hcl2's lark tree), read back from the parse cache when one is set."""
    tree: Tree[Any] = _cached(path.read_text(encoding="utf-8"), "tree", _parse)
    return tree


def load_file(path: Path) -> dict[str, Any]:
    """The file as `hcl2.load` gives it (blocks and attributes as dicts, expressions as strings), read back from the
    parse cache when one is set: the transformation of a parse tree costs as much as the parse."""

    def load(text: str) -> dict[str, Any]:
        from hcl2.api import serialize, transform

        return dict(serialize(transform(_parse(text))))

    loaded: dict[str, Any] = _cached(path.read_text(encoding="utf-8"), "dict", load)
    return loaded


def _cached(text: str, kind: str, compute: Callable[[str], Any]) -> Any:
    """`compute(text)` (a file's text), kept in the parse cache by the text, python-hcl2's version and `kind`."""
    if not _PARSE_CACHE:
        return compute(text)
    key = hashlib.sha256(f"python-hcl2 {_hcl2_version()} {kind}\n".encode() + text.encode()).hexdigest()
    cached = _PARSE_CACHE[0] / f"{key}.pickle"
    try:
        return pickle.loads(cached.read_bytes())  # our own cache, keyed by content
    except FileNotFoundError:
        pass
    except Exception as exc:  # a torn or foreign file: compute again and replace it
        logging.getLogger(__name__).warning("ignoring the parse cache %s: %s", cached, exc)
    value = compute(text)
    try:
        write_atomically(cached, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot write the parse cache %s: %s", cached, exc)
    return value


@cache
def _hcl2_version() -> str:
    """The parser's version (part of the cache key): looked up once, not per file (a scan of the path's dists)."""
    from importlib.metadata import version

    return version("python-hcl2")


def _parse(text: str) -> Tree[Any]:
    from hcl2.api import parses_to_tree

    return parses_to_tree(text)


@dataclass
class Block:
    kind: str
    labels: tuple[str, ...]
    content: Tree[Any] | bytes  # the body, or the body pickled (read from the parse cache, unpickled when used)
    source: str  # the file's text (for quoting expressions in messages)

    @property
    def body(self) -> Tree[Any]:
        if isinstance(self.content, bytes):
            self.content = pickle.loads(self.content)  # our own cache, keyed by content
        assert isinstance(self.content, Tree)
        return self.content

    def attribute(self, name: str) -> Tree[Any] | None:
        return _attributes(self.body).get(name)

    @property
    def attributes(self) -> dict[str, Tree[Any]]:
        return _attributes(self.body)

    def blocks(self, kind: str) -> list[Block]:
        return [b for b in _blocks(self.body, self.source) if b.kind == kind]


class Configuration:
    """The top-level blocks of one directory (a stack or a module), parsed once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.blocks: list[Block] = []
        for path in sorted(folder.glob("*.tf")):
            self.blocks += _file_blocks(path)

    def of_kind(self, kind: str) -> list[Block]:
        return [block for block in self.blocks if block.kind == kind]

    @cached_property
    def variables(self) -> dict[str, Block]:
        return {b.labels[0]: b for b in self.of_kind("variable")}

    @cached_property
    def locals(self) -> dict[str, tuple[Tree[Any], str]]:
        found: dict[str, tuple[Tree[Any], str]] = {}
        for block in self.of_kind("locals"):
            found.update({name: (tree, block.source) for name, tree in block.attributes.items()})
        return found

    @cached_property
    def modules(self) -> dict[str, Block]:
        return {b.labels[0]: b for b in self.of_kind("module")}

    @cached_property
    def outputs(self) -> dict[str, Block]:
        return {b.labels[0]: b for b in self.of_kind("output")}

    def resource(self, kind: str, resource_type: str, name: str) -> Block | None:
        for block in self.of_kind(kind):
            if block.labels == (resource_type, name):
                return block
        return None


def literal(tree: Tree[Any]) -> Any:
    """The value of an expression without references (a literal, a string, a list or map of them)."""
    return force(_Evaluator(None, "").eval(tree))


def read_tfvars(path: Path) -> dict[str, Any]:
    """The literal values of a .tfvars file."""
    text = path.read_text(encoding="utf-8")
    literal = _Evaluator(None, text)
    return {name: force(literal.eval(tree)) for name, tree in _attributes(parse_file(path).children[0]).items()}


def _file_blocks(path: Path) -> list[Block]:
    """The file's top-level blocks. From the parse cache, each block's body is read back pickled on its own and
    unpickled when first used: a start evaluates a few of the stacks' blocks, and unpickling every parse tree (some
    120,000 lark objects) cost its critical path 0.3 s of CPU."""
    text = path.read_text(encoding="utf-8")
    if not _PARSE_CACHE:
        return _blocks(_parse(text).children[0], text)

    def split(text: str) -> list[tuple[str, tuple[str, ...], bytes]]:
        return [
            (block.kind, block.labels, pickle.dumps(block.body, protocol=pickle.HIGHEST_PROTOCOL))
            for block in _blocks(_parse(text).children[0], text)
        ]

    return [Block(kind, labels, body, text) for kind, labels, body in _cached(text, "blocks", split)]


def _blocks(body: Tree[Any], source: str) -> list[Block]:
    found = []
    for child in body.children:
        if isinstance(child, Tree) and child.data == "block":
            names = [c for c in child.children if isinstance(c, Tree) and c.data in ("identifier", "string", "keyword")]
            inner = next(c for c in child.children if isinstance(c, Tree) and c.data == "body")
            labels = tuple(_name(n) for n in names)
            found.append(Block(labels[0], labels[1:], inner, source))
    return found


def _attributes(body: Tree[Any]) -> dict[str, Tree[Any]]:
    result = {}
    for child in body.children:
        if isinstance(child, Tree) and child.data == "attribute":
            result[_name(child.children[0])] = child.children[-1]
    return result


def _name(node: Tree[Any]) -> str:
    if node.data == "string":
        return "".join(str(part.children[0]) for part in node.children if isinstance(part, Tree))
    return str(node.children[0])


def quote(tree: Tree[Any], source: str) -> str:
    """The expression's text as written."""
    meta = getattr(tree, "meta", None)
    if meta is not None and not meta.empty and source:
        return " ".join(source[meta.start_pos : meta.end_pos].split())
    return "<expression>"


# -- scopes ---------------------------------------------------------------------------------------------------


@dataclass
class Scope:
    """Where an expression is evaluated: a stack, or a module called from a scope (`parent` with `call`)."""

    config: Configuration
    name: str  # "app", or "app → module.fulfillment"
    resolver: Resolver
    variables: Mapping[str, Any] = field(default_factory=dict)  # a stack's tfvars
    parent: Scope | None = None
    call: Block | None = None
    stacks: StackSet | None = None
    bound: Mapping[str, Any] = field(default_factory=dict)  # for-expression variables
    _locals: dict[str, Any] = field(default_factory=dict, repr=False)
    _evaluating: set[str] = field(default_factory=set, repr=False)

    # references ----------------------------------------------------------------------------------------------

    def var(self, name: str) -> Any:
        if self.call is not None and self.parent is not None:
            argument = self.call.attribute(name)
            if argument is not None and name not in META_ARGUMENTS:
                return self.parent.evaluate(argument, self.call.source)
        elif name in self.variables:
            return self.variables[name]
        block = self.config.variables.get(name)
        if block is None:
            raise EvaluationError(f"{self.name}: no variable {name!r} is declared")
        default = block.attribute("default")
        if default is None:
            raise EvaluationError(f"{self.name}: variable {name!r} has no value (no default, not in the tfvars)")
        return self.evaluate(default, block.source)

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name not in self.config.locals:
            raise EvaluationError(f"{self.name}: no local {name!r}")
        if name in self._evaluating:
            raise EvaluationError(f"{self.name}: local {name!r} refers to itself")
        self._evaluating.add(name)
        try:
            tree, source = self.config.locals[name]
            value = self.evaluate(tree, source)
        finally:
            self._evaluating.discard(name)
        self._locals[name] = value
        return value

    def module(self, name: str) -> Scope:
        call = self.config.modules.get(name)
        if call is None:
            raise EvaluationError(f"{self.name}: no module {name!r}")
        source = str(self.evaluate(_required(call, "source"), call.source))
        folder = (self.config.folder / source).resolve()
        return Scope(
            configuration(folder),
            f"{self.name} → module.{name}",
            self.resolver,
            parent=self,
            call=call,
            stacks=self.stacks,
        )

    def module_output(self, name: str, output: str) -> Any:
        call = self.config.modules.get(name)
        if call is None:
            raise EvaluationError(f"{self.name}: no module {name!r}")
        source_name = Path(str(self.evaluate(_required(call, "source"), call.source))).name
        stand_in = self.resolver.module_output(source_name, output)
        if stand_in is not None:
            return stand_in
        module = self.module(name)
        block = module.config.outputs.get(output)
        if block is None:
            raise EvaluationError(f"{module.name}: no output {output!r}")
        return module.evaluate(_required(block, "value"), block.source)

    def resource_argument(self, kind: str, resource_type: str, name: str, index: Any, argument: str) -> Any:
        block = self.config.resource(kind, resource_type, name)
        if block is None:
            raise EvaluationError(f"{self.name}: no {kind} {resource_type}.{name}")
        count = block.attribute("count")
        if count is not None:
            total = self.evaluate(count, block.source)
            if not isinstance(index, int) or not 0 <= index < int(total):
                raise EvaluationError(f"{self.name}: {resource_type}.{name}[{index}] does not exist (count = {total})")
        tree = block.attribute(argument)
        if tree is None:
            raise Unresolvable(f"{resource_type}.{name}.{argument} is computed by AWS")
        return self.evaluate(tree, block.source)

    def data(self, data_type: str, name: str, rest: list[tuple[str, Any]]) -> tuple[Any, list[tuple[str, Any]]]:
        """The value of `data.<type>.<name>...`, and the steps still to apply."""
        block = self.config.resource("data", data_type, name)
        if block is None:
            raise EvaluationError(f"{self.name}: no data source {data_type}.{name}")
        if data_type == "aws_ssm_parameter" and block.attribute("for_each") is not None:
            keys = [to_string(k) for k in force(self.evaluate(_required(block, "for_each"), block.source))]
            return LazyMap(keys, self._ssm_parameter), rest
        if not rest or rest[0][0] != "attr":
            raise EvaluationError(f"{self.name}: data.{data_type}.{name} needs an attribute")
        attribute = rest[0][1]
        stand_in = self.resolver.data_attribute(data_type, attribute)
        if stand_in is None:
            raise Unresolvable(f"data.{data_type}.{name}.{attribute} is read from AWS")
        return stand_in, rest[1:]

    def _ssm_parameter(self, key: str) -> dict[str, Any]:
        value = self.resolver.ssm_parameter(key)
        if value is None:
            if self.stacks is None:
                raise Unresolvable(f"SSM parameter {key}")
            value = self.stacks.ssm_written(key)
        return {"value": value, "insecure_value": value}

    # evaluation ----------------------------------------------------------------------------------------------

    def with_bound(self, names: Mapping[str, Any]) -> Scope:
        return Scope(
            self.config, self.name, self.resolver, self.variables, self.parent, self.call, self.stacks,
            {**self.bound, **names}, self._locals, self._evaluating,
        )  # fmt: skip

    def evaluate(self, tree: Tree[Any] | Token, source: str) -> Any:
        return _Evaluator(self, source).eval(tree)


def _required(block: Block, name: str) -> Tree[Any]:
    tree = block.attribute(name)
    if tree is None:
        raise EvaluationError(f"{block.kind} {'.'.join(block.labels)} has no {name}")
    return tree


_CONFIGURATIONS: dict[Path, Configuration] = {}


def configuration(folder: Path) -> Configuration:
    """The parsed directory, once per process."""
    folder = folder.resolve()
    if folder not in _CONFIGURATIONS:
        _CONFIGURATIONS[folder] = Configuration(folder)
    return _CONFIGURATIONS[folder]


class StackSet:
    """The stacks of terraform/stacks with one environment's variables: SSM parameters resolve to what the stack
    that writes them (`local.ssm_outputs`) gives them, unless the resolver stands in for them."""

    def __init__(self, terraform: Path, tfvars: Mapping[str, Any], resolver: Resolver) -> None:
        self.terraform = terraform
        self.tfvars = tfvars
        self.resolver = resolver
        self._scopes: dict[str, Scope] = {}

    def scope(self, stack: str) -> Scope:
        if stack not in self._scopes:
            config = configuration(self.terraform / "stacks" / stack)
            variables = {name: value for name, value in self.tfvars.items() if name in config.variables}
            self._scopes[stack] = Scope(config, stack, self.resolver, variables, stacks=self)
        return self._scopes[stack]

    def ssm_written(self, key: str) -> Any:
        for stack in STACK_ORDER:
            scope = self.scope(stack)
            if "ssm_outputs" not in scope.config.locals:
                continue
            outputs = scope.local("ssm_outputs")
            if key in outputs:
                try:
                    return outputs[key]
                except Unresolvable as exc:
                    tree = _object_value(scope.config.locals["ssm_outputs"][0], key)
                    written = quote(tree, scope.config.locals["ssm_outputs"][1]) if tree is not None else "?"
                    raise Unresolvable(f"SSM parameter {key} (written by stack {stack} as {written}: {exc})") from exc
        raise EvaluationError(f"no stack writes the SSM parameter {key}")


def _object_value(tree: Tree[Any], key: str) -> Tree[Any] | None:
    """The value expression of `key` in an object literal."""
    for node in tree.iter_subtrees_topdown():  # type: ignore[no-untyped-call]
        if node.data == "object_elem":
            key_tree, value_tree = node.children[0], node.children[-1]
            try:
                if _Evaluator(None, "").eval(key_tree.children[0]) == key:
                    return value_tree  # type: ignore[no-any-return]
            except Exception:
                continue
    return None


# -- the expression walker -------------------------------------------------------------------------------------


class _Evaluator:
    def __init__(self, scope: Scope | None, source: str) -> None:
        self.scope = scope
        self.source = source

    def eval(self, node: Tree[Any] | Token) -> Any:
        if isinstance(node, Token):
            raise EvaluationError(f"unexpected token {node!r}")
        method = getattr(self, f"_{node.data}", None)
        if method is None:
            raise EvaluationError(f"expression form {node.data!r} is not supported: {quote(node, self.source)}")
        return method(node)

    @property
    def _in(self) -> Scope:
        if self.scope is None:
            raise EvaluationError("a reference in a literal-only context")
        return self.scope

    # terms
    def _expr_term(self, node: Tree[Any]) -> Any:
        inner = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        if len(inner) == 1:
            child = inner[0]
            if child.data == "identifier":
                return self._reference(node)
            return self.eval(child)
        raise EvaluationError(f"cannot read {quote(node, self.source)}")

    def _int_lit(self, node: Tree[Any]) -> int:
        return int(str(node.children[0]))

    def _float_lit(self, node: Tree[Any]) -> float:
        return float(str(node.children[0]))

    def _literal_value(self, node: Tree[Any]) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _string(self, node: Tree[Any]) -> Any:
        parts = [c for c in node.children if isinstance(c, Tree)]
        if len(parts) == 1 and isinstance(parts[0].children[0], Tree):  # "${expr}" keeps the expression's type
            return self.eval(parts[0].children[0].children[1])
        return "".join(self._string_part(part) for part in parts)

    def _string_part(self, part: Tree[Any]) -> str:
        child = part.children[0]
        if isinstance(child, Token):
            if child.type == "ESCAPED_INTERPOLATION":
                return str(child)[1:]
            if child.type == "ESCAPED_DIRECTIVE":
                return str(child)[1:]
            return _unescape(str(child))
        if child.data == "interpolation":
            return to_string(self.eval(child.children[1]))
        raise EvaluationError(f"template directives are not supported: {quote(part, self.source)}")

    def _tuple(self, node: Tree[Any]) -> list[Any]:
        return [self.eval(c) for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]

    def _object(self, node: Tree[Any]) -> LazyMap:
        elements: dict[str, Tree[Any]] = {}
        for element in node.children:
            if isinstance(element, Tree) and element.data == "object_elem":
                key_node = element.children[0].children[0]
                if key_node.data == "expr_term" and _only(key_node).data == "identifier":
                    key = str(_only(key_node).children[0])  # a bare word is the key itself
                else:
                    key = to_string(self.eval(key_node))
                elements[key] = element.children[-1]
        return LazyMap(list(elements), lambda key: self.eval(elements[key]))

    def _conditional(self, node: Tree[Any]) -> Any:
        parts = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        condition, yes, no = parts
        value = self.eval(condition)
        if not isinstance(value, bool):
            raise EvaluationError(f"the condition of {quote(node, self.source)} is not a bool")
        return self.eval(yes if value else no)

    def _binary_op(self, node: Tree[Any]) -> Any:
        left_tree, term = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        operator = str(term.children[0].children[0])
        right_tree = [c for c in term.children if isinstance(c, Tree) and c.data != "new_line_or_comment"][-1]
        left = self.eval(left_tree)
        if operator == "&&":
            return bool(left) and bool(self.eval(right_tree))
        if operator == "||":
            return bool(left) or bool(self.eval(right_tree))
        right = self.eval(right_tree)
        if operator == "==":
            return force(left) == force(right)
        if operator == "!=":
            return force(left) != force(right)
        operations: dict[str, Callable[[Any, Any], Any]] = {
            "<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
            "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
            "%": lambda a, b: a % b,
        }  # fmt: skip
        try:
            return operations[operator](_number(left), _number(right))
        except (KeyError, TypeError, ZeroDivisionError) as exc:
            raise EvaluationError(f"cannot compute {quote(node, self.source)}: {exc}") from exc

    def _unary_op(self, node: Tree[Any]) -> Any:
        operator = str(node.children[0])
        value = self.eval(node.children[1])
        return (not value) if operator == "!" else -_number(value)

    def _function_call(self, node: Tree[Any]) -> Any:
        name = str(node.children[0].children[0])
        arguments = next((c for c in node.children if isinstance(c, Tree) and c.data == "arguments"), None)
        trees = (
            [c for c in arguments.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
            if arguments
            else []
        )
        if name == "try":
            for tree in trees:
                try:
                    return self.eval(tree)
                except EvaluationError:
                    continue
            raise EvaluationError(f"no argument of {quote(node, self.source)} could be evaluated")
        if name == "can":
            try:
                self.eval(trees[0])
                return True
            except EvaluationError:
                return False
        function = FUNCTIONS.get(name)
        if function is None:
            raise EvaluationError(f"function {name}() is not supported: {quote(node, self.source)}")
        try:
            return function(*[self.eval(tree) for tree in trees])
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise EvaluationError(f"{quote(node, self.source)}: {exc}") from exc

    def _for_object_expr(self, node: Tree[Any]) -> Any:
        intro = next(c for c in node.children if isinstance(c, Tree) and c.data == "for_intro")
        names = [str(c.children[0]) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
        collection = self.eval([c for c in intro.children if isinstance(c, Tree) and c.data != "identifier"
                                and c.data != "new_line_or_comment"][-1])  # fmt: skip
        expressions = [
            c for c in node.children if isinstance(c, Tree) and c.data not in ("for_intro", "new_line_or_comment")
        ]
        if any(c.data == "for_cond" for c in expressions):
            raise EvaluationError(f"`if` in a for expression is not supported: {quote(node, self.source)}")
        key_tree, value_tree = expressions
        key_name, value_name = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        items = collection.items() if isinstance(collection, Mapping) else enumerate(collection)

        def bound(key: Any, value: Any) -> Scope:
            variables = {value_name: value} if key_name is None else {key_name: key, value_name: value}
            return self._in.with_bound(variables)

        simple_key = isinstance(collection, Mapping) and key_name is not None and _reference_name(key_tree) == key_name
        if simple_key:  # {for k, v in m : k => ...}: stays lazy, key by key
            mapping = collection
            return LazyMap(list(mapping), lambda k: bound(k, mapping[k]).evaluate(value_tree, self.source))
        return {to_string(bound(k, v).evaluate(key_tree, self.source)): bound(k, v).evaluate(value_tree, self.source)
                for k, v in items}  # fmt: skip

    def _for_tuple_expr(self, node: Tree[Any]) -> Any:
        intro = next(c for c in node.children if isinstance(c, Tree) and c.data == "for_intro")
        names = [str(c.children[0]) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
        collection = self.eval([c for c in intro.children if isinstance(c, Tree) and c.data != "identifier"
                                and c.data != "new_line_or_comment"][-1])  # fmt: skip
        expressions = [
            c for c in node.children if isinstance(c, Tree) and c.data not in ("for_intro", "new_line_or_comment")
        ]
        if any(c.data == "for_cond" for c in expressions):
            raise EvaluationError(f"`if` in a for expression is not supported: {quote(node, self.source)}")
        items = collection.items() if isinstance(collection, Mapping) else enumerate(collection)
        result = []
        for key, value in items:
            variables = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
            result.append(self._in.with_bound(variables).evaluate(expressions[0], self.source))
        return result

    # references
    def _get_attr_expr_term(self, node: Tree[Any]) -> Any:
        return self._reference(node)

    def _index_expr_term(self, node: Tree[Any]) -> Any:
        return self._reference(node)

    def _reference(self, node: Tree[Any]) -> Any:
        root, steps = self._traversal(node)
        scope = self._in
        if not isinstance(root, str):
            return self._apply(root, steps, node)
        if root in scope.bound:
            return self._apply(scope.bound[root], steps, node)
        if root in ("var", "local", "module", "path"):
            if not steps or steps[0][0] != "attr":
                raise EvaluationError(f"{quote(node, self.source)}: {root} needs an attribute")
            name = steps[0][1]
            if root == "var":
                return self._apply(scope.var(name), steps[1:], node)
            if root == "local":
                return self._apply(scope.local(name), steps[1:], node)
            if root == "path":
                if name != "module":
                    raise EvaluationError(f"path.{name} is not supported")
                return self._apply(str(scope.config.folder), steps[1:], node)
            if len(steps) < 2 or steps[1][0] != "attr":
                raise EvaluationError(f"{quote(node, self.source)}: a module is read by output")
            return self._apply(scope.module_output(name, steps[1][1]), steps[2:], node)
        if root == "data":
            if len(steps) < 2:
                raise EvaluationError(f"{quote(node, self.source)}: data needs a type and a name")
            value, rest = scope.data(steps[0][1], steps[1][1], steps[2:])
            return self._apply(value, rest, node)
        if root in ("each", "count", "self", "terraform"):
            raise EvaluationError(f"{root}.* is not supported here: {quote(node, self.source)}")
        if "_" in root and steps and steps[0][0] == "attr":  # a managed resource: type.name[index].argument
            name, rest = steps[0][1], steps[1:]
            index = None
            if rest and rest[0][0] == "index":
                index, rest = rest[0][1], rest[1:]
            if not rest or rest[0][0] != "attr":
                raise Unresolvable(f"{root}.{name} as a whole is computed by AWS")
            value = scope.resource_argument("resource", root, name, index, rest[0][1])
            return self._apply(value, rest[1:], node)
        raise EvaluationError(f"unknown reference {quote(node, self.source)}")

    def _traversal(self, node: Tree[Any]) -> tuple[Any, list[tuple[str, Any]]]:
        """(root identifier or value, [("attr", name) | ("index", value)]) of a reference chain."""
        steps: list[tuple[str, Any]] = []
        current = node
        while True:
            inner = _only(current) if current.data == "expr_term" else current
            if inner.data == "get_attr_expr_term":
                attr = inner.children[1]
                steps.append(("attr", str(attr.children[-1].children[0])))
                current = inner.children[0]
            elif inner.data == "index_expr_term":
                index = inner.children[1]
                if index.data == "short_index":
                    steps.append(("index", int(str(index.children[-1]))))
                else:
                    tree = next(c for c in index.children if isinstance(c, Tree) and c.data != "new_line_or_comment")
                    steps.append(("index", force(self.eval(tree))))
                current = inner.children[0]
            elif inner.data == "identifier":
                return str(inner.children[0]), steps[::-1]
            else:
                return self.eval(current), steps[::-1]

    def _apply(self, value: Any, steps: list[tuple[str, Any]], node: Tree[Any]) -> Any:
        for kind, key in steps:
            try:
                if kind == "index" and isinstance(value, list | tuple):
                    value = value[int(key)]
                elif isinstance(value, Mapping):
                    value = value[to_string(key) if kind == "index" else key]
                else:
                    raise TypeError(f"{type(value).__name__} has no {key!r}")
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise EvaluationError(f"{quote(node, self.source)}: no {key!r} ({exc})") from exc
        return value


def _only(node: Tree[Any]) -> Tree[Any]:
    children = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
    return children[0] if len(children) == 1 else node


def _reference_name(tree: Tree[Any]) -> str | None:
    inner = _only(tree)
    return str(inner.children[0]) if inner.data == "identifier" else None


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"{value!r} is not a number")
    return float(value) if isinstance(value, str) else value


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return str(json.loads(f'"{text}"'))


def _coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None and value != "":
            return value
    raise ValueError("coalesce: every argument is null or empty")


def _tostring(value: Any) -> str | None:
    return None if value is None else to_string(value)


def _lookup(mapping: Mapping[str, Any], key: str, *default: Any) -> Any:
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise KeyError(f"lookup: no key {key!r}")


def _merge(*mappings: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for mapping in mappings:
        merged.update(force(mapping))
    return merged


FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "tostring": _tostring,
    "tonumber": lambda v: None if v is None else _number(v),
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[str(v)],
    "tolist": lambda v: list(force(v)),
    "toset": lambda v: list(dict.fromkeys(force(v))),
    "tomap": lambda v: dict(force(v)),
    "coalesce": _coalesce,
    "lookup": _lookup,
    "merge": _merge,
    "concat": lambda *lists: [item for items in lists for item in force(items)],
    "length": lambda v: len(v),
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "contains": lambda items, value: force(value) in force(items),
    "split": lambda sep, text: str(text).split(sep),
    "join": lambda sep, items: sep.join(to_string(i) for i in force(items)),
    "lower": lambda text: str(text).lower(),
    "upper": lambda text: str(text).upper(),
    "replace": lambda text, old, new: str(text).replace(old, new),
    "trimprefix": lambda text, prefix: str(text).removeprefix(prefix),
    "trimsuffix": lambda text, suffix: str(text).removesuffix(suffix),
    "startswith": lambda text, prefix: str(text).startswith(prefix),
    "endswith": lambda text, suffix: str(text).endswith(suffix),
    "substr": lambda text, offset, length: str(text)[int(offset) : (None if length < 0 else int(offset) + int(length))],
    "format": lambda fmt, *args: fmt.replace("%s", "{}").replace("%d", "{}").format(*args),
    "jsonencode": lambda v: json.dumps(force(v), separators=(",", ":")),
    "min": lambda *v: min(v),
    "max": lambda *v: max(v),
}
