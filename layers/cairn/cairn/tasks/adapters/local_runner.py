"""The local ``ModelRunner``: no model, no network. Its output is real and deterministic (the same files and
prompt always give the same text), computed from the uploads and the prompt, and says that no model wrote it:
an outline of each file, its open and done checklist items, and the lines that mention the prompt's terms."""

from __future__ import annotations

import hashlib
import re

from cairn.tasks.adapters.port import InputFile, ModelOutput, text_of
from cairn.tasks.domain.models import Model

_TERM = re.compile(r"[A-Za-z0-9_]{4,}")
_OPEN_ITEM = re.compile(r"^\s*[-*] \[ \]\s+(.*)$")
_DONE_ITEM = re.compile(r"^\s*[-*] \[[xX]\]\s+(.*)$")
_MAX_LINES_PER_SECTION = 20
HEADER = "This output was produced by Cairn's local runner: no AI model was called."


class LocalRunner:
    name = "local"

    def run(self, model: Model, prompt: str, files: list[InputFile]) -> ModelOutput:
        terms = sorted({term.lower() for term in _TERM.findall(prompt)})
        sections = [f"# Task run output ({model.id})", "", f"> {HEADER}", "",
                    "## Prompt", "", prompt.strip() or "(none)", ""]
        for file in files:
            sections += _file_section(file, terms)
        text = "\n".join(sections).rstrip() + "\n"
        return ModelOutput(text=text, runner=self.name, output_tokens=len(text.split()))


def _file_section(file: InputFile, terms: list[str]) -> list[str]:
    text = text_of(file)
    lines = text.splitlines()
    digest = hashlib.sha256(file.content).hexdigest()
    section = [f"## {file.name}", "",
               f"{len(file.content)} bytes, {len(lines)} lines, {len(text.split())} words, sha256 {digest[:16]}", ""]
    headings = [line.strip() for line in lines if line.lstrip().startswith("#")]
    open_items = [match.group(1) for line in lines if (match := _OPEN_ITEM.match(line))]
    done_items = [match.group(1) for line in lines if (match := _DONE_ITEM.match(line))]
    section += _listed("Outline", headings)
    section += _listed(f"Open items ({len(open_items)})", open_items)
    section += _listed(f"Done items ({len(done_items)})", done_items)
    if terms:
        mentions = [f"line {number}: {line.strip()}" for number, line in enumerate(lines, start=1)
                    if any(term in line.lower() for term in terms)]
        section += _listed(f"Lines mentioning {', '.join(terms)}", mentions)
    return section


def _listed(title: str, entries: list[str]) -> list[str]:
    if not entries:
        return [f"### {title}", "", "(none)", ""]
    shown = [f"- {entry}" for entry in entries[:_MAX_LINES_PER_SECTION]]
    if len(entries) > _MAX_LINES_PER_SECTION:
        shown.append(f"- ... and {len(entries) - _MAX_LINES_PER_SECTION} more")
    return [f"### {title}", "", *shown, ""]
