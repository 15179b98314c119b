"""The ``cairn`` command (docs/agents.md): configuration (init, login), the agent hooks, installers and doctor, the
stdio MCP proxy, and everyday commands over the current repository's project and branch (status, log, search,
commit, brief), each with ``--json``."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from cairn_client.config import Config, ConfigError, load
from cairn_client.errors import ApiError

AGENTS = ("claude-code", "codex", "cursor")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "hook":  # first and alone: the capture hooks must not load the SDK
        from cairn_client import hooks

        return hooks.run(args.event, args.agent, sys.stdin, sys.stdout, session_id=args.session)
    try:
        return int(args.run(args) or 0)
    except ConfigError as error:
        print(f"cairn: {error}", file=sys.stderr)
        return 2
    except ApiError as error:
        print(f"cairn: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cairn", description="Cairn memory for coding agents")
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="write .cairn.toml at the repository root, create the project")
    init.add_argument("--api-url")
    init.add_argument("--project", help="project id (default: from the git remote)")
    init.set_defaults(run=cmd_init)

    login = commands.add_parser("login", help="store the token in the user config (mode 0600)")
    login.add_argument("--token", required=True)
    login.add_argument("--api-url")
    login.set_defaults(run=cmd_login)

    from cairn_client.hooks import EVENTS

    hook = commands.add_parser("hook", help="run an agent hook (reads the hook JSON on stdin)")
    hook.add_argument("event", choices=EVENTS)
    hook.add_argument("--agent", choices=AGENTS, default="claude-code")
    hook.add_argument("--session", help=argparse.SUPPRESS)

    for name, run in (("install", cmd_install), ("uninstall", cmd_uninstall)):
        command = commands.add_parser(name, help=f"{name} the hooks and MCP server of an agent")
        command.add_argument("agent", choices=AGENTS)
        command.add_argument("--user", action="store_true", help="the user's config instead of the repository's")
        command.set_defaults(run=run)

    doctor = commands.add_parser("doctor", help="check reachability, token, config and hook timeouts")
    doctor.set_defaults(run=cmd_doctor)
    commands.add_parser("mcp", help="serve the MCP tools over stdio").set_defaults(run=cmd_mcp)

    for name, run, helptext in (("status", cmd_status, "project, branch, API"),
                                ("brief", cmd_brief, "the brief of the current branch")):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("--json", action="store_true")
        command.set_defaults(run=run)
    log = commands.add_parser("log", help="show the branch's log, or append to it with -m")
    log.add_argument("-m", "--message")
    log.add_argument("--phase", choices=("observation", "thought", "action"), default="thought")
    log.add_argument("--limit", type=int, default=20)
    log.add_argument("--json", action="store_true")
    log.set_defaults(run=cmd_log)
    search = commands.add_parser("search", help="search the project (or --all projects)")
    search.add_argument("query")
    search.add_argument("--all", action="store_true")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true")
    search.set_defaults(run=cmd_search)
    commit = commands.add_parser("commit", help="store a milestone on the current branch")
    commit.add_argument("-m", "--message", required=True)
    commit.add_argument("--json", action="store_true")
    commit.set_defaults(run=cmd_commit)
    return parser


def _client(config: Config) -> Any:
    from cairn_client.sdk import CairnClient

    return CairnClient(config.api_url, config.require_token(), agent="cairn-cli")


def _branch(config: Config) -> str:
    from cairn_client import git

    return git.cairn_branch(git.branch(config.repo_root or Path.cwd()))


def _print(args: argparse.Namespace, value: Any, text: str) -> None:
    print(json.dumps(value, indent=2) if args.json else text)


def cmd_init(args: argparse.Namespace) -> int:
    from cairn_client import config as settings
    from cairn_client import git

    config = load()
    if not config.repo_root:
        raise ConfigError("not inside a git repository")
    remote = git.remote_url(config.repo_root)
    project = args.project or config.project or (git.project_id_from_remote(remote) if remote
                                                 else git.slug(config.repo_root.name))
    api_url = (args.api_url or config.api_url).rstrip("/")
    path = settings.write_repo_config(config.repo_root, api_url, project)
    print(f"wrote {path} (project {project}, API {api_url})")
    if not config.token:
        print("no token yet: `cairn login --token <jwt>` then `cairn init` again creates the project")
        return 0
    from cairn_client.sdk import CairnClient

    with CairnClient(api_url, config.token, agent="cairn-cli") as client:
        try:
            client.get_project(project)
            print(f"project {project} exists")
        except ApiError as error:
            if error.status != 404:
                raise
            client.create_project({"projectId": project, "name": config.repo_root.name,
                                   "roadmap": f"Roadmap of {config.repo_root.name}: to be written."})
            print(f"created project {project}")
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    from cairn_client.config import write_user_config

    values = {"token": args.token}
    if args.api_url:
        values["api_url"] = args.api_url
    print(f"token saved in {write_user_config(values)} (mode 0600)")
    return 0


def _scope(args: argparse.Namespace, config: Config) -> Path | None:
    if args.user:
        return None
    if not config.repo_root:
        raise ConfigError("not inside a git repository: use --user for the user's config")
    return config.repo_root


def cmd_install(args: argparse.Namespace) -> int:
    from cairn_client import install

    config = load()
    root = _scope(args, config)
    paths = install.install(args.agent, api_url=config.api_url, project=config.require_project(),
                            root=root, home=Path.home())
    print("updated " + ", ".join(str(path) for path in paths) + "; the MCP server reads the token from CAIRN_TOKEN")
    if root is not None and shutil.which(install.PORTABLE_COMMAND) is None:
        print(f"warning: the project's hooks run `{install.PORTABLE_COMMAND}`, which is not on this PATH: put it on "
              "the PATH the agent starts with, or install with --user (this machine's absolute path)",
              file=sys.stderr)
    return 0


def cmd_uninstall(args: argparse.Namespace) -> int:
    from cairn_client import install

    config = load()
    paths = install.uninstall(args.agent, root=_scope(args, config), home=Path.home())
    print("cleaned " + (", ".join(str(path) for path in paths) or "nothing (not installed)"))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from cairn_client import install
    from cairn_client.hooks import SESSION_START_BUDGET_SECS
    from cairn_client.sdk import CairnClient

    problems = 0

    def report(ok: bool, text: str) -> None:
        nonlocal problems
        problems += not ok
        print(("ok    " if ok else "FAIL  ") + text)

    try:
        config = load()
    except ConfigError as error:
        report(False, str(error))
        return 1
    report(config.repo_root is not None, f"repository: {config.repo_root or 'none'}")
    report(bool(config.project), f"project: {config.project or 'missing (cairn init)'}")
    report(bool(config.token), "token: " + ("set" if config.token else "missing (CAIRN_TOKEN or cairn login)"))
    with CairnClient(config.api_url, config.token, timeout=3, retries=0, agent="cairn-doctor") as client:
        try:
            client.health()
            report(True, f"API reachable: {config.api_url}")
        except ApiError as error:
            report(False, f"API {config.api_url}: {error}")
        if config.token and config.project:
            try:
                client.get_project(config.project)
                report(True, f"token accepted, project {config.project} found")
            except ApiError as error:
                report(False, f"project {config.project}: {error}")
    for agent in AGENTS:
        for root in filter(None, (config.repo_root, None)) if config.repo_root else (None,):
            timeouts = install.installed_timeouts(agent, root=root, home=Path.home())
            missing = install.unreachable_programs(agent, root=root, home=Path.home())
            if missing:
                report(False, f"{agent} hooks ({'project' if root else 'user'}) run {', '.join(missing)}: "
                       "not found on PATH")
            if timeouts:
                short = [event for event, seconds in timeouts.items()
                         if seconds is not None and seconds <= SESSION_START_BUDGET_SECS]
                report(not short, f"{agent} hooks ({'project' if root else 'user'}): {len(timeouts)} installed"
                       + (f"; timeouts too short for {short}" if short else ""))
    return 1 if problems else 0


def cmd_mcp(args: argparse.Namespace) -> int:
    from cairn_client.mcp_stdio import serve

    config = load()
    serve(config.api_url, config.require_token(), config.project)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    config = load()
    project, branch = config.require_project(), _branch(config)
    with _client(config) as client:
        overview = client.recall(project, "overview")
    branches = overview.get("branches") or []
    here = next((item for item in branches if item.get("branchName") == branch), None)
    names = [str(item.get("branchName")) for item in branches]
    value = {"apiUrl": config.api_url, "project": project, "branch": branch, "branchExists": here is not None,
             "branches": names}
    _print(args, value, f"project {project} at {config.api_url}\nbranch {branch}"
           + ("" if here else " (not in Cairn yet: the session-start hook creates it)")
           + f"\n{len(branches)} branches: " + ", ".join(names))
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    config = load()
    with _client(config) as client:
        answer = client.brief(config.require_project(), _branch(config))
    _print(args, answer, str(answer.get("brief", "")))
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    config = load()
    project, branch = config.require_project(), _branch(config)
    with _client(config) as client:
        if args.message:
            from cairn_client.redact import redact

            entry = client.append_log(project, {"agentId": config.agent_id, "branchName": branch,
                                                "phase": args.phase, "content": redact(args.message)})
            _print(args, entry, f"logged #{entry.get('sequenceNumber')} on {branch}")
            return 0
        entries = client.recall(project, "log", branch=branch, limit=args.limit).get("logEntries") or []
    lines = [f"#{item.get('sequenceNumber')} {item.get('createdAt')} [{item.get('phase')}] "
             + " ".join(str(item.get("content") or "").split())[:120] for item in entries]
    _print(args, entries, "\n".join(lines) or "no log entries")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    config = load()
    with _client(config) as client:
        answer = (client.search({"query": args.query, "limit": args.limit}) if args.all
                  else client.search_project(config.require_project(), {"query": args.query, "limit": args.limit}))
    hits = answer.get("milestones") or []
    _print(args, answer, "\n".join(f"{item.get('projectId')}/{item.get('branchName')} {item.get('milestoneId')}: "
                                   + " ".join(str(item.get("thisContribution") or "").split())[:120]
                                   for item in hits) or "no results")
    return 0


def cmd_commit(args: argparse.Namespace) -> int:
    from cairn_client import milestones

    config = load()
    project, branch = config.require_project(), _branch(config)
    with _client(config) as client:
        stored = milestones.commit(client, project, branch, args.message, agent_id=config.agent_id)
    _print(args, stored, f"milestone {stored.get('milestoneId')} on {branch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
