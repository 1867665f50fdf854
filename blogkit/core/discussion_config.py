"""The parts of `blogkit.yaml` about the conversation: the site's repository and `discussion:`.

Where "Suggest an edit" and "Report a problem" lead, what posts without a discussion URL
get (email, GitHub Discussions, giscus, utterances), and webmentions. Read by
`blogkit.core.config.load_config`, which reports every problem with the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from blogkit.core import yamlio
from blogkit.core.fields import INTERNAL, Fields, config_keys

DISCUSSION_DEFAULTS = ("none", "email", "github-discussions", "giscus", "utterances")
REPOSITORY_KINDS = ("github", "gitlab")
THREAD_TERMS = ("pathname", "url", "title", "og:title")  # how giscus and utterances find a post's thread


@dataclass(frozen=True, slots=True)
class RepositoryConfig:
    """The repository holding the site: where "Suggest an edit" and "Report a problem" lead."""

    url: str  # https://github.com/owner/name, without a trailing slash or .git
    kind: str  # github | gitlab
    branch: str = "main"
    content_path: str = ""  # the site folder inside the repository: '' or e.g. 'example_site/'

    @property
    def name(self) -> str:
        """'owner/name' (GitLab: 'group/subgroup/name')."""
        return urlsplit(self.url).path.strip("/")


@dataclass(frozen=True, slots=True)
class GiscusConfig:
    repo: str
    repo_id: str
    category: str
    category_id: str
    mapping: str = "pathname"
    strict: bool = False
    reactions: bool = True
    input_position: str = "bottom"
    theme: str = "preferred_color_scheme"
    lang: str = ""


@dataclass(frozen=True, slots=True)
class UtterancesConfig:
    repo: str
    issue_term: str = "pathname"
    label: str = ""
    theme: str = "preferred-color-scheme"


@dataclass(frozen=True, slots=True)
class GithubDiscussionsConfig:
    repo: str
    category: str = "general"


@dataclass(frozen=True, slots=True)
class WebmentionsConfig:
    """Replies from other websites, received by a webmention service (webmention.io or one with its API)."""

    endpoint: str  # where other sites send webmentions: every page says so (`<link rel="webmention">`)
    api: str  # where `blogkit fetch` reads those received for a post: jf2, `?target=<the post's URL>`


WEBMENTION_IO_API = "https://webmention.io/api/mentions.jf2"


@dataclass(frozen=True, slots=True)
class DiscussionConfig:
    default: str = "email"  # one of DISCUSSION_DEFAULTS: what posts without a `discussion` URL get
    default_given: bool = field(
        default=False, metadata=INTERNAL
    )  # written in blogkit.yaml (then authors without an email are warned about)
    close_after_days: int = 0  # 0: never
    reply_counts: bool = False
    replies: bool = False  # `blogkit fetch` brings the public replies of posts' threads, and posts show them
    feedback: bool = True
    giscus: GiscusConfig | None = None
    utterances: UtterancesConfig | None = None
    github_discussions: GithubDiscussionsConfig | None = field(default=None, metadata={"key": "github-discussions"})
    webmentions: WebmentionsConfig | None = None


_DISCUSSION_KEYS = config_keys(DiscussionConfig)
_GISCUS_KEYS = config_keys(GiscusConfig)
_UTTERANCES_KEYS = config_keys(UtterancesConfig)
_GITHUB_DISCUSSIONS_KEYS = config_keys(GithubDiscussionsConfig)
_WEBMENTIONS_KEYS = config_keys(WebmentionsConfig)
_REPOSITORY_KEYS = config_keys(RepositoryConfig)
_REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def read_repository(fields: Fields) -> RepositoryConfig | None:
    """`repository: URL`, or a mapping with `url`, `kind`, `branch` and `content_path`."""
    if not fields.has("repository"):
        return None
    value = fields.data["repository"]
    url_keypath: tuple[yamlio.Key, ...] = ("repository",)
    kind, branch, content_path = "", "main", ""
    if isinstance(value, dict):
        sub = fields.section("repository", value, "the repository section")
        sub.check_keys(_REPOSITORY_KEYS, unknown_is_error=True)
        url, url_keypath = sub.url("url", required=True), ("repository", "url")
        kind = sub.choice("kind", REPOSITORY_KINDS, "") if sub.has("kind") else ""
        branch = sub.string("branch") or "main"
        content_path = _content_path(sub)
        if sub.has("kind") and not kind:
            return None  # reported
    else:
        url = fields.url("repository")
    if url is None:
        return None
    url = url.rstrip("/").removesuffix(".git")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    kind = kind or ("github" if host == "github.com" else "gitlab" if host == "gitlab.com" or host.startswith("gitlab.") else "")
    if not kind:
        fields.error(
            url_keypath,
            f"cannot tell whether '{url}' is a GitHub or a GitLab repository",
            "write repository as a mapping: repository: {url: ..., kind: github} (or kind: gitlab)",
        )
        return None
    segments = [s for s in parts.path.split("/") if s]
    if parts.query or parts.fragment or len(segments) < 2 or (kind == "github" and len(segments) != 2):
        fields.error(
            url_keypath,
            f"'{url}' is not the address of a repository",
            "write the repository's home page, e.g. https://github.com/owner/name or https://gitlab.com/group/name",
        )
        return None
    home = f"{parts.scheme}://{parts.netloc}/{'/'.join(segments)}"
    return RepositoryConfig(url=home, kind=kind, branch=branch, content_path=content_path)


def _content_path(sub: Fields) -> str:
    path = (sub.string("content_path") or "").strip("/")
    if path and any(part in ("", ".", "..") for part in path.split("/")):
        sub.error(("content_path",), f"content_path '{path}' must be a folder inside the repository", "write e.g. content_path: docs/blog")
        return ""
    return path + "/" if path else ""


def read_discussion(fields: Fields, repository: RepositoryConfig | None) -> DiscussionConfig:
    sub = fields.known_section("discussion", _DISCUSSION_KEYS)
    if sub is None:
        return DiscussionConfig()
    default = sub.choice("default", DISCUSSION_DEFAULTS, "email")
    github_repo = repository.name if repository and repository.kind == "github" and repository.url.startswith("https://github.com/") else ""
    giscus = _giscus(sub, github_repo)
    utterances = _utterances(sub, github_repo)
    github_discussions = _github_discussions(sub, github_repo)
    chosen = {"giscus": giscus, "utterances": utterances, "github-discussions": github_discussions}
    if default in chosen and chosen[default] is None:
        if not sub.has(default):  # a section with errors has reported them already
            if default == "giscus":
                message = "there is no giscus section"
                hint = "add `giscus:` with repo, repo_id, category and category_id (giscus.app shows them)"
            else:
                message, hint = "no GitHub repository is set for it", f"add `{default}: {{repo: owner/name}}`, or a GitHub `repository`"
            sub.error(("default",), f"discussion.default is {default}, but {message}", hint)
        default = "none"
    return DiscussionConfig(
        default=default,
        default_given=sub.has("default"),
        close_after_days=sub.integer("close_after_days", 0, minimum=1),
        reply_counts=sub.boolean("reply_counts"),
        replies=sub.boolean("replies"),
        feedback=sub.boolean("feedback", True),
        giscus=giscus,
        utterances=utterances,
        github_discussions=github_discussions,
        webmentions=_webmentions(sub),
    )


def _provider_section(parent: Fields, key: str, known: tuple[str, ...]) -> Fields | None:
    return parent.known_section(key, known, what=f"the discussion.{key} section")


def _repo_name(sub: Fields, fallback: str) -> str:
    """`repo: owner/name` of a GitHub-backed provider, defaulting to a GitHub `repository`."""
    name = sub.string("repo") if sub.has("repo") else fallback
    if name is None:
        return ""
    if name and not _REPO_NAME.match(name):
        sub.error(("repo",), f"'repo' must look like owner/name, got '{name}'", "write it as owner/name, e.g. kestrel/hub")
        return ""
    if not name:
        sub.error((), f"{sub.what} has no 'repo'", "add `repo: owner/name`, or set a GitHub `repository` for the site")
    return name


def _giscus(parent: Fields, github_repo: str) -> GiscusConfig | None:
    sub = _provider_section(parent, "giscus", _GISCUS_KEYS)
    if sub is None:
        return None
    repo = _repo_name(sub, github_repo)
    hint = "copy it from the configuration that giscus.app shows for your repository"
    repo_id = sub.string("repo_id", required=True, hint=hint)
    category = sub.string("category", required=True, hint=hint)
    category_id = sub.string("category_id", required=True, hint=hint)
    config = GiscusConfig(
        repo=repo,
        repo_id=repo_id or "",
        category=category or "",
        category_id=category_id or "",
        mapping=sub.choice("mapping", THREAD_TERMS, "pathname"),
        strict=sub.boolean("strict"),
        reactions=sub.boolean("reactions", True),
        input_position=sub.choice("input_position", ("bottom", "top"), "bottom"),
        theme=sub.string("theme") or "preferred_color_scheme",
        lang=sub.string("lang") or "",
    )
    return config if repo and repo_id and category and category_id else None


def _utterances(parent: Fields, github_repo: str) -> UtterancesConfig | None:
    sub = _provider_section(parent, "utterances", _UTTERANCES_KEYS)
    if sub is None:
        return UtterancesConfig(repo=github_repo) if github_repo else None
    repo = _repo_name(sub, github_repo)
    config = UtterancesConfig(
        repo=repo,
        issue_term=sub.choice("issue_term", THREAD_TERMS, "pathname"),
        label=sub.string("label") or "",
        theme=sub.string("theme") or "preferred-color-scheme",
    )
    return config if repo else None


def _github_discussions(parent: Fields, github_repo: str) -> GithubDiscussionsConfig | None:
    sub = _provider_section(parent, "github-discussions", _GITHUB_DISCUSSIONS_KEYS)
    if sub is None:
        return GithubDiscussionsConfig(repo=github_repo) if github_repo else None
    repo = _repo_name(sub, github_repo)
    return GithubDiscussionsConfig(repo=repo, category=sub.string("category") or "general") if repo else None


def _webmentions(parent: Fields) -> WebmentionsConfig | None:
    sub = _provider_section(parent, "webmentions", _WEBMENTIONS_KEYS)
    if sub is None:
        return None
    endpoint = sub.url("endpoint", required=True) or ""
    api = sub.url("api") or ""
    if endpoint and not api:
        if urlsplit(endpoint).hostname != "webmention.io":
            sub.error(
                ("endpoint",), "webmentions need an `api` to read them from", f"add `api:` (for webmention.io it is {WEBMENTION_IO_API})"
            )
        api = WEBMENTION_IO_API
    return WebmentionsConfig(endpoint, api) if endpoint else None
