"""Judge `blogkit import` on real public blogs against what their own generator published.

For each blog of the table below whose snapshot is present (a bare git folder under --mirror,
`OWNER+NAME/repo`): export it, build the old site with its generator (Hugo, Jekyll) or derive
what Zola would publish from Zola's documented rules (no Zola binary is needed), import it with
this checkout's blogkit, build the import with `--strict`, and compare: old post URLs, other old
URLs, old feed URLs and their entry ids, links that worked on the old site. Prints a Markdown
table and the losses of each blog; writes everything as JSON to the work folder.

    python bench/real_blogs.py                       # every blog whose snapshot is present
    python bench/real_blogs.py --only grpc --work /tmp/rb --hugo /path/to/hugo
"""

from __future__ import annotations

import argparse
import csv
import datetime
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

import feedparser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = 10
TIMEOUT = 900
OLD_TIMEOUT = 300  # a theme that fetches remote resources waits for a network that is not there


@dataclass(frozen=True, slots=True)
class Blog:
    name: str
    repo: str
    generator: str
    shape: str
    options: tuple[str, ...] = ()
    post_sections: tuple[str, ...] = ()  # Hugo: the sections whose dated pages are posts (default all)
    old_env: tuple[tuple[str, str], ...] = ()  # the environment the blog's own deploy built it with


BLOGS = (
    Blog(
        "rust-blog",
        "rust-lang/blog.rust-lang.org",
        "zola",
        "project blog of many authors (names only), two blogs in one site (main and inside-rust), "
        "dates only in each post's `path`, 2014 onwards",
    ),
    Blog(
        "rust-embedded",
        "rust-embedded/blog",
        "zola",
        "working-group newsletter, dates in file names, paginated index, RSS only (`rss.xml`), 2018 onwards",
    ),
    Blog(
        "grpc",
        "grpc/grpc.io",
        "hugo",
        "blog inside a Docsy documentation site, `contentDir` per language, theme as a git submodule",
        ("--section", "blog"),
        ("blog",),
    ),
    Blog(
        "hivebrite",
        "Hivebrite/engineering-blog",
        "hugo",
        "company engineering blog, several authors in `data/authors/`, page bundles, theme in the repository",
        (),
        ("blog",),
    ),
    Blog(
        "burntsushi",
        "BurntSushi/blog",
        "hugo",
        "one author, 2013 onwards, sections and taxonomies disabled",
        (),
        ("post",),
    ),
    Blog(
        "artsy",
        "artsy/artsy.github.io",
        "jekyll",
        "company engineering blog, about 50 authors, custom plugins, 2011 onwards",
        old_env=(("PRODUCTION", "YES"),),  # its Rakefile's `rake build`: its series plugin writes pages only then
    ),
    Blog(
        "grab",
        "grab/grab.github.io",
        "jekyll",
        "company engineering blog, authors in `_data`, Atom and JSON feeds, custom plugins",
    ),
    Blog(
        "orhun",
        "orhun/blog",
        "jekyll",
        "one author, site under a base path (`/blog`), paginated index",
    ),
)


# ---------------------------------------------------------------------------------------------
# What a site published: its URLs, its posts, its feeds and their ids, the links of its posts


@dataclass(slots=True)
class Published:
    base_path: str = "/"  # the path of the site's base URL, '/blog/'
    urls: set[str] = field(default_factory=set)  # every URL: '/x/' for x/index.html, files as they are
    posts: set[str] = field(default_factory=set)
    feeds: dict[str, list[str]] = field(default_factory=dict)  # feed URL -> entry ids
    links: list[tuple[str, str]] = field(default_factory=list)  # (post URL, internal target URL)
    bodies: dict[str, str] = field(default_factory=dict)  # post URL -> its text's HTML, where the generator says it (Jekyll)
    notes: list[str] = field(default_factory=list)

    def answers(self, url: str) -> bool:
        url = unquote(url.split("#", 1)[0].split("?", 1)[0]) or "/"
        return url in self.urls or (not url.endswith("/") and (url + "/" in self.urls or url + ".html" in self.urls))


def url_of(rel: str, base_path: str) -> str:
    rel = rel.replace(os.sep, "/")
    if rel == "index.html":
        rel = ""
    elif rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return base_path + rel


def scan_output(folder: str, base_path: str) -> Published:
    """The URLs and feeds of a built site folder."""
    out = Published(base_path=base_path)
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, folder)
            url = url_of(rel, base_path)
            out.urls.add(url)
            if name.endswith((".xml", ".atom", ".rss", ".json")):
                ids = feed_ids(full)
                if ids is not None:
                    out.feeds[url] = ids
    return out


def feed_ids(path: str) -> list[str] | None:
    """The entry ids of a feed file (Atom `id`, RSS `guid`, JSON Feed `id`), None if not a feed."""
    with open(path, "rb") as f:
        head = f.read(2048)
    if path.endswith(".json"):
        if b"jsonfeed.org" not in head:
            return None
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (ValueError, UnicodeDecodeError):
            return []
        return [str(item.get("id") or item.get("url") or "") for item in data.get("items", [])]
    if b"<rss" not in head and b"<feed" not in head and b"<rdf" not in head:
        return None
    parsed = feedparser.parse(path)
    return [str(e.get("id") or e.get("link") or "") for e in parsed.entries]


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        want = {"a": "href", "img": "src"}.get(tag)
        for key, value in attrs:
            if key == want and value:
                self.found.append(value.strip())


def internal(target: str, page_url: str, site_url: str) -> str | None:
    """The path of a link when it leads into the site itself, else None."""
    if not target or target.startswith(("#", "mailto:", "javascript:", "data:", "tel:")):
        return None
    absolute = urljoin(site_url.rstrip("/") + page_url, target)
    parts, site = urlsplit(absolute), urlsplit(site_url)
    if parts.netloc != site.netloc or parts.scheme not in ("http", "https"):
        return None
    return parts.path or "/"


def links_away(folder: str, pub: Published, url: str, site_url: str) -> set[str]:
    """The paths of the old site (`site_url`'s host) that the page of a built site answering `url` links to
    by absolute URL: where the import sends readers to a page it left behind. A redirect page is followed
    to the page it names."""
    host = urlsplit(site_url).netloc
    for _ in range(3):
        rel = unquote(url)[len(pub.base_path) :] if unquote(url).startswith(pub.base_path) else None
        if rel is None:
            return set()
        path = os.path.join(folder, rel, "index.html") if url.endswith("/") else os.path.join(folder, rel)
        if not os.path.isfile(path):
            return set()
        with open(path, encoding="utf-8", errors="replace") as f:
            page = f.read()
        moved = re.search(r'<meta http-equiv="refresh" content="\d+;\s*url=([^"]+)"', page)
        if not moved:
            break
        url = urlsplit(html.unescape(moved.group(1))).path or "/"
    parser = _Links()
    parser.feed(page)
    away = set()
    for target in parser.found:
        parts = urlsplit(target)
        if parts.scheme in ("http", "https") and parts.netloc == host:
            away.add(unquote(parts.path) or "/")
    return away


def html_links(folder: str, pub: Published, site_url: str) -> None:
    """The internal links of the old site's posts: of each post's text where the generator gave it
    (the header, menus and footer of its theme are the site's, not the post's: a link there that
    breaks is an old page that no longer answers, counted there), else of its whole page."""
    for post in sorted(pub.posts):
        parser = _Links()
        if post in pub.bodies:
            parser.feed(pub.bodies[post])
        else:
            rel = post[len(pub.base_path) :]
            path = os.path.join(folder, rel, "index.html") if post.endswith("/") else os.path.join(folder, rel)
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                parser.feed(f.read())
        for target in parser.found:
            url = internal(target, post, site_url)
            if url is not None:
                pub.links.append((post, url))


# ---------------------------------------------------------------------------------------------
# Snapshots


def export(mirror: str, repo: str, dest: str) -> list[str]:
    """Write the newest commit's files to dest; returns the files the snapshot lacks (large files,
    submodules, symlinks), which are skipped."""
    git_dir = os.path.join(mirror, repo.replace("/", "+"), "repo")
    listing = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "HEAD"], capture_output=True, check=True).stdout.decode(
        "utf-8", "surrogateescape"
    )
    entries = []
    links: list[tuple[str, str]] = []
    skipped = []
    for item in listing.split("\0"):
        if not item:
            continue
        meta, path = item.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind != "blob":
            skipped.append(f"{path} (submodule)")
            continue
        if mode == "120000":
            links.append((sha, path))
            continue
        entries.append((sha, path))
    proc = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    stdin = proc.stdin

    def feed() -> None:
        for sha, _ in entries:
            stdin.write(sha.encode() + b"\n")
        stdin.close()

    threading.Thread(target=feed, daemon=True).start()
    for _sha, path in entries:
        header = proc.stdout.readline().split()
        if len(header) < 3:  # '<sha> missing'
            skipped.append(f"{path} (not in the snapshot)")
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)
        target = os.path.join(dest, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)
    proc.wait()
    for sha, path in links:  # symlinks that stay inside the tree
        target = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "blob", sha], capture_output=True, check=True).stdout.decode()
        place = os.path.join(dest, path)
        resolved = os.path.normpath(os.path.join(os.path.dirname(place), target))
        if os.path.isabs(target) or not resolved.startswith(os.path.abspath(dest) + os.sep):
            skipped.append(f"{path} (symlink out of the tree)")
            continue
        os.makedirs(os.path.dirname(place), exist_ok=True)
        os.symlink(target, place)
    return skipped


def snapshot_commit(mirror: str, repo: str) -> str:
    git_dir = os.path.join(mirror, repo.replace("/", "+"), "repo")
    out = subprocess.run(["git", "--git-dir", git_dir, "log", "-1", "--format=%H %cs"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None, timeout: int = TIMEOUT) -> tuple[int, str, str]:
    """Run a command; on timeout its whole process group is ended (a wrapper's child keeps the pipes)."""
    with subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env=env,
        cwd=cwd,
        start_new_session=True,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return 124, "", f"timed out after {timeout} s (waiting for the network?)"
    return proc.returncode, out, err


def first_lines(text: str, n: int = 3) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    lines = [line.strip(" -") for line in text.splitlines() if line.strip(" -") and "Running Hugo" not in line]
    return " | ".join(lines[:n])[:600]


# ---------------------------------------------------------------------------------------------
# Hugo: built with hugo itself; a missing theme or module is replaced by stub templates

HUGO_BUILTIN_SHORTCODES = {
    "comment",
    "details",
    "figure",
    "gist",
    "highlight",
    "instagram",
    "param",
    "qr",
    "ref",
    "relref",
    "tweet",
    "vimeo",
    "x",
    "youtube",
}
STUB_PAGE = (
    "<!doctype html><html><head><title>{{ .Title }}</title></head><body><main>{{ .Content }}</main>"
    '{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>\n'
)


def hugo_env(work: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HUGO_ENVIRONMENT="production",
        HUGO_ENABLEGITINFO="false",
        HUGO_CACHEDIR=os.path.join(work, "hugo-cache"),
        HUGO_MODULE_PROXY="off",
        HUGO_SECURITY_HTTP_URLS="^offline$",  # resources.GetRemote fails at once instead of waiting
        GOFLAGS="-mod=mod",
    )
    return env


def hugo_old(hugo: str, src: str, old: str, blog: Blog, work: str) -> tuple[Published, str]:
    env = hugo_env(work)
    notes = []
    code, out, err = run([hugo, "--source", src, "--destination", old, "--logLevel", "error"], env=env, timeout=OLD_TIMEOUT)
    if code != 0:
        notes.append(f"hugo failed with the site's own templates: {first_lines(out + err)}")
        stubbed = src + "-stub"
        shutil.rmtree(stubbed, ignore_errors=True)
        shutil.copytree(src, stubbed, symlinks=True)
        shutil.rmtree(os.path.join(stubbed, "layouts"), ignore_errors=True)
        shutil.rmtree(os.path.join(stubbed, "themes"), ignore_errors=True)
        names = stub_theme(stubbed)
        env["HUGO_THEME"] = "bench-stub"
        shutil.rmtree(old, ignore_errors=True)
        code, out, err = run([hugo, "--source", stubbed, "--destination", old, "--logLevel", "error"], env=env)
        notes.append(
            "built again with stub templates instead of the site's layouts and theme "
            f"({len(names)} shortcodes stubbed: {', '.join(sorted(names)[:8])}); theme-made pages "
            "(pagination, archives) are missing from the old URL set"
        )
        src = stubbed
        if code != 0:
            notes.append(f"hugo failed with stub templates too: {first_lines(out + err)}")
    if code != 0 and os.path.isfile(os.path.join(old, "index.html")):
        notes.append("hugo logged errors but wrote the site; that output is measured")
    config = run([hugo, "config", "--source", src], env=env)[1]
    found = re.search(r"^baseurl\s*=\s*['\"]([^'\"]*)['\"]", config, re.M)
    site_url = found.group(1) if found else "https://example.invalid/"
    base_path = urlsplit(site_url).path or "/"
    base_path = base_path if base_path.endswith("/") else base_path + "/"
    pub = scan_output(old, base_path) if os.path.isdir(old) else Published(base_path=base_path)
    pub.notes.extend(notes)
    pub.posts = hugo_posts(hugo, src, env, pub, blog)
    html_links(old, pub, site_url)
    return pub, site_url


def stub_theme(src: str) -> set[str]:
    layouts = os.path.join(src, "themes", "bench-stub", "layouts")
    os.makedirs(layouts)
    for name in ("single.html", "list.html", "home.html"):
        with open(os.path.join(layouts, name), "w") as f:
            f.write(STUB_PAGE)
    used: set[str] = set()
    closed: set[str] = set()
    for dirpath, _dirs, files in os.walk(os.path.join(src, "content")):
        for name in files:
            if name.endswith((".md", ".markdown", ".html")):
                with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                    text = f.read()
                used.update(re.findall(r"\{\{[<%]\s*([\w.-][\w./-]*)", text))
                closed.update(re.findall(r"\{\{[<%]\s*/\s*([\w./-]+)", text))
    used -= HUGO_BUILTIN_SHORTCODES
    for name in used:
        path = os.path.join(layouts, "_shortcodes", name + ".html")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("{{ .Inner }}" if name in closed else "")
    return used


def hugo_posts(hugo: str, src: str, env: dict[str, str], pub: Published, blog: Blog) -> set[str]:
    """Hugo's own list of published pages (`hugo list published`): the dated regular pages of the
    blog's sections."""
    listing = run([hugo, "list", "published", "--source", src], env=env)[1]
    lines = [line for line in listing.splitlines() if "," in line and "Running Hugo" not in line]
    posts = set()
    for row in csv.DictReader(lines):
        if row.get("kind") != "page" or not row.get("date") or row["date"].startswith("0001-"):
            continue
        if blog.post_sections and row.get("section") not in blog.post_sections:
            continue
        posts.add(unquote(urlsplit(row["permalink"]).path))
    if not posts:  # `hugo list` fails where the build logged errors: the leaf pages of the sections
        pub.notes.append("`hugo list` gave no posts: posts are the leaf pages under the blog's sections")
        base = pub.base_path.rstrip("/")
        for url in pub.urls:
            inside = [s for s in blog.post_sections or ("",) if url.startswith(f"{base}/{s}/".replace("//", "/"))]
            leaf = url.endswith("/") and url + "index.xml" not in pub.urls and not re.search(r"/page/\d+/$", url)
            if inside and leaf and url.rstrip("/").count("/") > f"{base}/{inside[0]}".rstrip("/").count("/"):
                posts.add(url)
    return posts


# ---------------------------------------------------------------------------------------------
# Jekyll: built with jekyll itself, without the plugins that are not installed here

PROBE = """require "json"
BENCH_SASS_FAILED = []
# A stylesheet this Sass refuses (the site was built with an older one) is written empty, so the
# build goes on and the stylesheet's URL is still published; each is counted.
module BenchSassFallback
  def convert(content)
    super
  rescue StandardError => e
    BENCH_SASS_FAILED << e.message.lines.first.to_s.strip
    "/* not converted by this Sass */\\n"
  end
end
Jekyll::Converters::Scss.prepend(BenchSassFallback)
Jekyll::Hooks.register :site, :post_write do |site|
  posts = site.posts.docs.map { |d| {"url" => d.url, "id" => d.id, "path" => d.relative_path, "content" => d.content.to_s} }
  File.write(ENV.fetch("BENCH_PROBE_OUT"), JSON.dump({"baseurl" => site.config["baseurl"].to_s,
    "url" => site.config["url"].to_s, "posts" => posts, "sass_failed" => BENCH_SASS_FAILED}))
end
"""


def ruby_has(feature: str) -> bool:
    """Whether a plugin is installed here: loaded after Jekyll, as Jekyll loads it (most plugins need it first)."""
    return run(["ruby", "-e", f"require 'jekyll'; require {json.dumps(feature)}"])[0] == 0


def jekyll_old(jekyll: str, src: str, old: str, work: str, blog: Blog) -> tuple[Published, str]:
    notes = []
    load = "puts JSON.dump(YAML.load_file(ARGV[0], aliases: true) || {})"
    code, out, err = run(["ruby", "-ryaml", "-rjson", "-e", load, os.path.join(src, "_config.yml")])
    config = json.loads(out) if code == 0 else {}
    plain = os.path.join(work, "jekyll-config.yml")  # the site's config as JSON: Jekyll's loader refuses
    with open(plain, "w") as f:  # Ruby symbols (`style: :expanded`) that older Jekylls took
        json.dump(config, f)
    wanted = list(config.get("plugins") or []) + list(config.get("gems") or [])
    kept = [p for p in wanted if ruby_has(p)]
    dropped = [p for p in wanted if p not in kept]
    if dropped:
        notes.append(f"plugins not installed here, dropped: {', '.join(dropped)}")
    locked = re.search(r"^    jekyll \(([\d.]+)\)", _read(os.path.join(src, "Gemfile.lock")), re.M)
    here = run([jekyll, "--version"])[1].split()
    if locked and here and not here[-1].startswith(locked.group(1).split(".")[0] + "."):
        notes.append(f"the site locks Jekyll {locked.group(1)} (Gemfile.lock); built here with Jekyll {here[-1]}")
    probe_dir = os.path.join(work, "jekyll-probe")
    os.makedirs(probe_dir, exist_ok=True)
    with open(os.path.join(probe_dir, "bench_probe.rb"), "w") as f:
        f.write(PROBE)
    own = os.path.join(src, config.get("plugins_dir") or "_plugins")
    probe_out = os.path.join(work, "jekyll-posts.json")
    env = dict(os.environ, JEKYLL_ENV="production", JEKYLL_NO_BUNDLER_REQUIRE="true", BENCH_PROBE_OUT=probe_out)
    env.update(blog.old_env)
    if blog.old_env:
        notes.append(f"built with {' '.join(f'{k}={v}' for k, v in blog.old_env)}, as the site's own deploy built it")
    attempts = [[own, probe_dir], [probe_dir]] if os.path.isdir(own) else [[probe_dir]]
    for dirs in attempts:
        extra = os.path.join(work, "jekyll-extra.yml")
        with open(extra, "w") as f:  # JSON is YAML; no cache folder is left in the source the import reads
            json.dump({"plugins": kept, "plugins_dir": dirs, "gems": [], "disable_disk_cache": True}, f)
        shutil.rmtree(old, ignore_errors=True)
        cmd = [jekyll, "build", "-s", src, "-d", old, "--config", plain + "," + extra]
        code, _out, err = run(cmd, env=env, cwd=src)  # from the site's folder: its plugins read files by relative paths
        if code == 0:
            break
        notes.append(f"jekyll failed with plugin folders {[os.path.relpath(d, work) for d in dirs]}: {first_lines(err)}")
    else:
        notes.append("jekyll could not build the old site: only the importer's side is measured")
    if len(attempts) == 2 and code == 0 and dirs == [probe_dir]:
        notes.append("the site's own _plugins were left out (they failed here)")
    info = {"baseurl": config.get("baseurl") or "", "url": config.get("url") or "", "posts": []}
    if code == 0 and os.path.isfile(probe_out):
        with open(probe_out) as f:
            info = json.load(f)
    if info.get("sass_failed"):
        notes.append(
            f"{len(info['sass_failed'])} stylesheet(s) this Sass refused were written empty (their URLs are kept): "
            + first_lines(info["sass_failed"][0], 1)
        )
    base_path = "/" + str(info["baseurl"] or "").strip("/") + "/"
    base_path = base_path.replace("//", "/")
    site_url = (str(info["url"] or "https://example.invalid").rstrip("/")) + base_path
    pub = scan_output(old, base_path) if code == 0 else Published(base_path=base_path)
    pub.notes.extend(notes)
    pub.posts = {base_path.rstrip("/") + unquote(p["url"]) for p in info["posts"]}
    pub.bodies = {base_path.rstrip("/") + unquote(p["url"]): p["content"] for p in info["posts"] if "content" in p}
    html_links(old, pub, site_url)
    return pub, site_url


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# Zola: not installed here; what it publishes, derived from its documented rules

PATH_DATE = re.compile(r"/\d{4}/\d{2}/\d{2}/")
DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?)?)[_-](.+)$")


def zola_slugify(text: str, mode: str) -> str:
    if mode == "off":
        return text
    if mode == "safe":
        return re.sub(r'[<>:/|?*#\\"]', "", text).strip()
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def read_toml_front(path: str) -> tuple[dict, str]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found = re.match(r"\A\s*\+\+\+\s*\n(.*?)\n\+\+\+\s*(?:\n|\Z)(.*)", text, re.S)
    if not found:
        return {}, text
    return tomllib.loads(found.group(1)), found.group(2)


def zola_id_rule(src: str, feed_name: str) -> str:
    """How the feed template makes an entry id: 'permalink', 'path' or the expression itself."""
    template = os.path.join(src, "templates", feed_name)
    if not os.path.isfile(template):
        return "permalink"
    with open(template, encoding="utf-8") as f:
        text = f.read()
    found = re.search(r"<(?:id|guid)[^>]*>([^<]*page\.[^<]*)</|\"id\"\s*:\s*([^,\n]*page\.[^,\n]*)", text)
    if not found:
        return "permalink"
    expr = found.group(1) or found.group(2)
    if "page.permalink" in expr:
        return "permalink"
    if "page.path" in expr:
        return "path"
    return expr.strip()


def zola_old(src: str) -> tuple[Published, str]:
    with open(os.path.join(src, "config.toml"), "rb") as f:
        config = tomllib.load(f)
    site_url = str(config["base_url"]).rstrip("/")
    base_path = (urlsplit(site_url).path.rstrip("/") or "") + "/"
    slug_mode = config.get("slugify", {}).get("paths", "on")
    tax_mode = config.get("slugify", {}).get("taxonomies", "on")
    feeds_on = config.get("generate_feeds", config.get("generate_feed", False))
    feed_names = config.get("feed_filenames") or [config.get("feed_filename", "atom.xml")]
    feed_limit = config.get("feed_limit")
    pub = Published(base_path=base_path)
    pub.notes.append(
        "Zola is not installed here: URLs and feed ids are derived from Zola's documented rules "
        "(section folders, `path`, `slug`, `slugify.paths`, date prefixes of file names, aliases, "
        "`paginate_by`, taxonomies, `generate_feeds`/`feed_filenames`), not from a build"
    )
    rules = {name: zola_id_rule(src, name) for name in feed_names}
    for name, rule in rules.items():
        if rule not in ("permalink", "path"):
            pub.notes.append(f"the feed template {name} makes ids with `{rule}`: taken as the permalink")
        elif rule == "path" or os.path.isfile(os.path.join(src, "templates", name)):
            pub.notes.append(f"the feed template {name} is the site's own: its entry id is the page's {rule}")
    content = os.path.join(src, "content")
    sections: dict[str, dict] = {}  # folder (relative, '' for content/) -> front matter
    pages: list[dict] = []
    by_file: dict[str, str] = {}
    for dirpath, dirs, files in os.walk(content):
        dirs.sort()
        rel_dir = os.path.relpath(dirpath, content).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        if "_index.md" in files:
            front, _ = read_toml_front(os.path.join(dirpath, "_index.md"))
            sections[rel_dir] = front
            by_file[(rel_dir + "/_index.md").lstrip("/")] = "/" + (rel_dir + "/" if rel_dir else "")
        bundle = "index.md" in files and "_index.md" not in files
        for name in sorted(files):
            if not name.endswith(".md") or name == "_index.md" or (bundle and name != "index.md"):
                continue
            if re.search(r"\.[a-z]{2}(?:-[A-Za-z]{2})?\.md$", name):
                continue  # another language's version
            front, body = read_toml_front(os.path.join(dirpath, name))
            parent = rel_dir.rsplit("/", 1)[0] if bundle and "/" in rel_dir else ("" if bundle else rel_dir)
            stem = rel_dir.rsplit("/", 1)[-1] if bundle else name[:-3]
            date = front.get("date")
            prefixed = DATE_PREFIX.match(stem)
            if prefixed:
                date = date or prefixed.group(1)
                stem = prefixed.group(2)
            if front.get("path"):
                url = "/" + str(front["path"]).strip("/") + "/"
            else:
                slug = zola_slugify(str(front.get("slug") or stem), slug_mode)
                url = "/" + (parent + "/" if parent else "") + slug + "/"
            url = url.replace("//", "/")
            rel_file = (rel_dir + "/" + name).lstrip("/")
            page = {"file": rel_file, "url": url, "date": date, "front": front, "body": body, "section": parent}
            if front.get("draft") or front.get("render") is False:
                continue
            pages.append(page)
            by_file[rel_file] = url
            if bundle:
                for asset in files:
                    if not asset.endswith(".md"):
                        pub.urls.add(base_path.rstrip("/") + url + asset)
    full = base_path.rstrip("/")
    for page in pages:
        pub.urls.add(full + page["url"])
        if page["date"] or PATH_DATE.search(page["url"]):
            page["date"] = page["date"] or PATH_DATE.search(page["url"]).group(0)
            pub.posts.add(full + page["url"])
        for alias in page["front"].get("aliases", []):
            alias = "/" + str(alias).strip("/")
            pub.urls.add(full + (alias if re.search(r"\.\w+$", alias) else alias + "/"))
    for folder, front in sections.items():
        url = "/" + (folder + "/" if folder else "")
        if front.get("render", True):
            pub.urls.add(full + url)
        own = [p for p in pages if p["section"] == folder or (folder == "" and p["section"] not in sections)]
        per = int(front.get("paginate_by") or 0)
        if per and own:
            for n in range(1, -(-len(own) // per) + 1):
                pub.urls.add(f"{full}{url}{front.get('paginate_path', 'page')}/{n}/")
        for alias in front.get("aliases", []):
            pub.urls.add(full + "/" + str(alias).strip("/") + "/")
        if front.get("generate_feeds", front.get("generate_feed")):  # the root section's too
            for name in feed_names:
                pub.feeds[f"{full}{url}{name}"] = zola_entries(own, rules[name], site_url, feed_limit)
    if feeds_on:
        for name in feed_names:
            pub.feeds.setdefault(f"{full}/{name}", [])
            pub.feeds[f"{full}/{name}"] = pub.feeds[f"{full}/{name}"] or zola_entries(pages, rules[name], site_url, feed_limit)
    for taxonomy in config.get("taxonomies", []):
        terms: dict[str, list[dict]] = {}
        for page in pages:
            for term in page["front"].get("taxonomies", {}).get(taxonomy["name"], []):
                terms.setdefault(zola_slugify(str(term), tax_mode), []).append(page)
        if taxonomy.get("render", True):
            pub.urls.add(f"{full}/{taxonomy['name']}/")
            for term, tagged in terms.items():
                pub.urls.add(f"{full}/{taxonomy['name']}/{term}/")
                if taxonomy.get("feed"):
                    for name in feed_names:
                        pub.feeds[f"{full}/{taxonomy['name']}/{term}/{name}"] = zola_entries(tagged, rules[name], site_url, feed_limit)
    pub.urls.update(pub.feeds)
    for extra in ("404.html", "sitemap.xml", "robots.txt"):
        pub.urls.add(f"{full}/{extra}")
    for folder in ("static",):
        for dirpath, _dirs, files in os.walk(os.path.join(src, folder)):
            for name in files:
                rel = os.path.relpath(os.path.join(dirpath, name), os.path.join(src, folder))
                pub.urls.add(url_of(rel, base_path))
    for page in pages:
        if page["date"]:
            for target in markdown_links(page["body"]):
                url = zola_target(target, page["url"], by_file, site_url)
                if url is not None:
                    pub.links.append((full + page["url"], url))
    return pub, site_url


def zola_entries(pages: list[dict], rule: str, site_url: str, limit: object) -> list[str]:
    dated = sorted((p for p in pages if p["date"]), key=lambda p: str(p["date"]), reverse=True)
    if isinstance(limit, int) and limit > 0:
        dated = dated[:limit]
    host = f"{urlsplit(site_url).scheme}://{urlsplit(site_url).netloc}"
    return [(host if rule == "path" else site_url) + p["url"] for p in dated]


def markdown_links(body: str) -> list[str]:
    found = re.findall(r"\]\(\s*<?([^)\s>]+)", body)
    found += re.findall(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", body, re.M)
    found += re.findall(r"(?:href|src)=[\"']([^\"']+)", body)
    return found


def zola_target(target: str, page_url: str, by_file: dict[str, str], site_url: str) -> str | None:
    base = urlsplit(site_url).path.rstrip("/")
    if target.startswith("@/"):
        path = target[2:].split("#", 1)[0]
        url = by_file.get(path)
        return None if url is None else base + url
    return internal(target, base + page_url, site_url)


# ---------------------------------------------------------------------------------------------
# The comparison


def blogkit(args: list[str], python: str) -> tuple[int, list[dict], str]:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code, out, err = run([python, "-m", "blogkit", *args], env=env)
    problems = []
    for line in out.splitlines():
        try:
            problems.append(json.loads(line))
        except ValueError:
            continue
    lines = [line.strip() for line in err.splitlines() if line.strip()]
    said = [line for line in lines if "error:" in line or line.startswith("hint:")]  # a refusal (exit 1, 2)
    return code, problems, " ".join(said[:2]) if said and code else (lines[-1] if lines else "")


def kind_of(message: str) -> str:
    return re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`|\d+", "…", message)[:110]


def new_site_facts(new: str) -> dict:
    facts: dict = {"posts": 0, "drafts": 0, "authors": 0, "named_authors": 0, "base_url": "/", "ids": []}
    for dirpath, _dirs, files in os.walk(os.path.join(new, "posts")):
        for name in files:
            if not name.endswith(".md"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                head = f.read(4000)
            facts["posts"] += 1
            facts["drafts"] += bool(re.search(r"^draft:\s*true\s*$", head, re.M))
            declared = re.search(r"^id:\s*['\"]?(\S+?)['\"]?\s*$", head, re.M)
            if declared:
                facts["ids"].append(declared.group(1))
    folder = os.path.join(new, "authors")
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.endswith(".yaml"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                found = re.search(r"^name:\s*['\"]?(.+?)['\"]?\s*$", f.read(), re.M)
            facts["authors"] += 1
            facts["named_authors"] += bool(found and found.group(1) != name[:-5])
    config = os.path.join(new, "blogkit.yaml")
    if os.path.isfile(config):
        with open(config, encoding="utf-8") as f:
            found = re.search(r"^base_url:\s*['\"]?(\S+?)['\"]?\s*$", f.read(), re.M)
        if found:
            facts["base_url"] = found.group(1)
    return facts


def share(part: int, whole: int) -> str:
    return f"{part}/{whole}" + (f" ({100 * part // whole}%)" if whole else "")


def judge(blog: Blog, args: argparse.Namespace) -> dict:
    work = os.path.join(args.work, blog.name)
    shutil.rmtree(work, ignore_errors=True)
    src, old, new, newout = (os.path.join(work, n) for n in ("src", "old", "new", "new-out"))
    os.makedirs(src)
    result: dict = {"blog": blog.name, "repo": blog.repo, "generator": blog.generator, "shape": blog.shape}
    result["snapshot"] = snapshot_commit(args.mirror, blog.repo)
    skipped = export(args.mirror, blog.repo, src)
    result["skipped_files"] = skipped
    progress(f"{blog.name}: exported {blog.repo} ({len(skipped)} files not in the snapshot); building the old site")
    if blog.generator == "hugo":
        pub, site_url = hugo_old(args.hugo, src, old, blog, work)
    elif blog.generator == "jekyll":
        pub, site_url = jekyll_old(args.jekyll, src, old, work, blog)
    else:
        pub, site_url = zola_old(src)
    if skipped:
        pub.notes.append(f"{len(skipped)} files of the repository are not in the snapshot (large files, submodules)")
    progress(f"{blog.name}: importing")
    code, problems, summary = blogkit(["import", blog.generator, src, new, *blog.options, "--format", "json"], args.python)
    result["import"] = {
        "exit": code,
        "summary": summary,
        "problems": len(problems),
        "kinds": Counter(kind_of(p.get("message", "")) for p in problems).most_common(),
        "examples": [f"{p.get('path')}:{p.get('line')}: {p.get('message')}" for p in problems[:EXAMPLES]],
    }
    facts = new_site_facts(new) if os.path.isdir(new) else {}
    result["new"] = facts
    built = {"exit": None, "problems": 0, "examples": []}
    newpub = Published()
    if code == 0:
        progress(f"{blog.name}: building the import with --strict")
        bcode, bproblems, bsummary = blogkit(["build", new, "--strict", "-o", newout, "--format", "json"], args.python)
        built = {
            "exit": bcode,
            "summary": bsummary,
            "problems": len(bproblems),
            "kinds": Counter(kind_of(p.get("message", "")) for p in bproblems).most_common(),
            "examples": [f"{p.get('path')}:{p.get('line')}: {p.get('message')}" for p in bproblems[:EXAMPLES]],
        }
        if bcode != 0 and not os.path.isdir(newout):
            progress(f"{blog.name}: the strict build failed; building without --strict to measure what would be served")
            blogkit(["build", new, "-o", newout, "--format", "json"], args.python)
    result["build"] = built
    if os.path.isdir(newout):
        new_base = urlsplit(facts.get("base_url", "/")).path or "/"
        newpub = scan_output(newout, new_base if new_base.endswith("/") else new_base + "/")
    result["old"] = {"site_url": site_url, "notes": pub.notes}
    result.update(compare(pub, newpub, set(facts.pop("ids", ())), lambda url: links_away(newout, newpub, url, site_url)))
    return result


def same_page(a: str, b: str) -> bool:
    """Whether two paths of one site name the same page: '/x', '/x/', '/x/index.html'."""

    def bare(path: str) -> str:
        path = unquote(path.split("#", 1)[0].split("?", 1)[0])
        return path.removesuffix("index.html").rstrip("/") or "/"

    return bare(a) == bare(b)


def compare(old: Published, new: Published, declared: set[str], away: Callable[[str], set[str]] = lambda _url: set()) -> dict:
    posts = sorted(old.posts)
    others = sorted(old.urls - old.posts)
    pages = [u for u in others if u.endswith(("/", ".html"))]
    files = [u for u in others if not u.endswith(("/", ".html"))]
    lost_posts = [u for u in posts if not new.answers(u)]
    lost_pages = [u for u in pages if not new.answers(u)]
    lost_files = [u for u in files if not new.answers(u)]
    all_new_ids = {i for ids in new.feeds.values() for i in ids}
    feeds = {}
    for url, ids in sorted(old.feeds.items()):
        here = set(new.feeds.get(url, ()))
        feeds[url] = {
            "answers": url in new.urls,
            "entries": len(ids),
            "kept_here": sum(i in here for i in ids),
            "kept_anywhere": sum(i in all_new_ids for i in ids),
            "kept_declared": sum(i in all_new_ids or i in declared for i in ids),
            "lost_ids": [i for i in ids if i not in all_new_ids and i not in declared][:EXAMPLES],
        }
    worked = [(src, dst) for src, dst in old.links if old.answers(dst)]
    gone = [(src, dst) for src, dst in worked if not new.answers(dst)]
    sent_away = [(src, dst) for src, dst in gone if any(same_page(dst, there) for there in away(src))]
    broke = [link for link in gone if link not in sent_away]
    return {
        "posts_old": len(posts),
        "old_post_urls_answering": len(posts) - len(lost_posts),
        "lost_post_urls": lost_posts[:EXAMPLES],
        "old_pages": len(pages),
        "old_pages_answering": len(pages) - len(lost_pages),
        "lost_pages": lost_pages[:EXAMPLES],
        "old_files": len(files),
        "old_files_answering": len(files) - len(lost_files),
        "lost_files": lost_files[:EXAMPLES],
        "feeds": feeds,
        "links_worked": len(worked),
        "links_broken": len(broke),
        "broken_targets": len({dst for _, dst in broke}),
        "links_to_old_site": len(sent_away),
        "to_old_site_examples": [f"{src} -> {dst}" for src, dst in sent_away[:EXAMPLES]],
        "broken_examples": [f"{src} -> {dst}" for src, dst in broke[:EXAMPLES]],
    }


# ---------------------------------------------------------------------------------------------
# Report


def table(results: list[dict]) -> str:
    head = (
        "| blog | generator | posts old / imported | authors (with names) | old post URLs answering "
        "| other old pages answering | old files answering | old feeds answering | old feed ids kept "
        "(same URL / any feed / feed or post `id`) | old links broken (targets) | import: exit, problems | build --strict |"
    )
    rows = [head, "|" + "---|" * 12]
    for r in results:
        if "missing" in r:
            continue
        feeds = r["feeds"].values()
        entries = sum(f["entries"] for f in feeds)
        new = r["new"]
        away = f", {r['links_to_old_site']} to the old site" if r.get("links_to_old_site") else ""
        rows.append(
            f"| [{r['blog']}](https://github.com/{r['repo']}) | {r['generator']} "
            f"| {r['posts_old']} / {new.get('posts', 0) - new.get('drafts', 0)} "
            f"| {new.get('authors', 0)} ({new.get('named_authors', 0)}) "
            f"| {share(r['old_post_urls_answering'], r['posts_old'])} "
            f"| {share(r['old_pages_answering'], r['old_pages'])} "
            f"| {share(r['old_files_answering'], r['old_files'])} "
            f"| {share(sum(f['answers'] for f in feeds), len(r['feeds']))} "
            f"| {share(sum(f['kept_here'] for f in feeds), entries)} / "
            f"{share(sum(f['kept_anywhere'] for f in feeds), entries)} / "
            f"{share(sum(f['kept_declared'] for f in feeds), entries)} "
            f"| {r['links_broken']} of {r['links_worked']} ({r['broken_targets']}){away} "
            f"| {r['import']['exit']}, {r['import']['problems']} "
            f"| {'ok' if r['build']['exit'] == 0 else 'failed' if r['build']['exit'] is not None else 'not run'}"
            f"{'' if r['build']['exit'] in (0, None) else ' (' + str(r['build']['problems']) + ')'} |"
        )
    return "\n".join(rows)


def details(r: dict) -> str:
    lines = [f"### {r['blog']} ({r['repo']}, {r['generator']}, snapshot {r['snapshot']})", "", r["shape"], ""]
    for note in r["old"]["notes"]:
        lines.append(f"- old site: {note}")
    lines.append(f"- import: exit {r['import']['exit']}; {r['import']['summary']}")
    for kind, n in r["import"]["kinds"][:8]:
        lines.append(f"  - {n} × {kind}")
    lines.append(f"- build --strict: exit {r['build']['exit']}; {r['build'].get('summary', '')}")
    for example in r["build"]["examples"][:5]:
        lines.append(f"  - {example}")

    def listing(title: str, items: list[str], total: int) -> None:
        if total:
            lines.append(f"- {title} ({total}):")
            lines.extend(f"  - `{item}`" for item in items)

    listing("old post URLs not answering", r["lost_post_urls"], r["posts_old"] - r["old_post_urls_answering"])
    listing("other old pages not answering", r["lost_pages"], r["old_pages"] - r["old_pages_answering"])
    listing("old files not answering", r["lost_files"], r["old_files"] - r["old_files_answering"])
    for url, feed in r["feeds"].items():
        lost = feed["entries"] - feed["kept_declared"]
        if not feed["answers"] or lost or feed["kept_here"] < feed["entries"]:
            lines.append(
                f"- feed `{url}`: {'answers' if feed['answers'] else 'gone'}; ids kept "
                f"{feed['kept_here']}/{feed['entries']} at this URL, {feed['kept_anywhere']} in any new feed, "
                f"{feed['kept_declared']} in a feed or a post's `id`" + (f"; lost e.g. `{feed['lost_ids'][0]}`" if feed["lost_ids"] else "")
            )
    listing("links that worked on the old site and are broken", r["broken_examples"], r["links_broken"])
    listing(
        "links to pages the import left behind, now absolute links to the old site",
        r.get("to_old_site_examples", []),
        r.get("links_to_old_site", 0),
    )
    return "\n".join(lines)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mirror",
        default=os.environ.get("BLOGKIT_MIRROR", "/work/.mirror"),
        help="the folder of the snapshots: OWNER+NAME/repo, each a bare git folder (default: $BLOGKIT_MIRROR or /work/.mirror)",
    )
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "blogkit-real-blogs"))
    parser.add_argument("--only", action="append", help="run this blog only (repeatable)")
    parser.add_argument("--hugo", default=shutil.which("hugo") or "hugo")
    parser.add_argument("--jekyll", default=shutil.which("jekyll") or "jekyll")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs blogkit")
    args = parser.parse_args(argv)
    names = {b.name for b in BLOGS}
    for name in args.only or ():
        if name not in names:
            parser.error(f"no blog '{name}'; the blogs are {', '.join(sorted(names))}")
    os.makedirs(args.work, exist_ok=True)
    commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])[1].strip() or "unknown"
    results: list[dict] = []
    for blog in BLOGS:
        if args.only and blog.name not in args.only:
            continue
        if not os.path.isdir(os.path.join(args.mirror, blog.repo.replace("/", "+"), "repo")):
            print(
                f"{blog.name}: no snapshot of {blog.repo}: put a bare git folder of it at "
                f"{args.mirror}/{blog.repo.replace('/', '+')}/repo (git clone --bare https://github.com/{blog.repo})"
            )
            results.append({"blog": blog.name, "repo": blog.repo, "missing": True})
            continue
        tool = {"hugo": args.hugo, "jekyll": args.jekyll}.get(blog.generator)
        if tool and not shutil.which(tool):
            print(f"{blog.name}: {blog.generator} is not installed (pass --{blog.generator} PATH); skipped")
            results.append({"blog": blog.name, "repo": blog.repo, "missing": True})
            continue
        results.append(judge(blog, args))
    today = datetime.date.today().isoformat()
    print(f"\nblogkit {commit}, {today}\n")
    print(table(results))
    for r in results:
        if "missing" not in r:
            print("\n" + details(r))
    report = os.path.join(args.work, "results.json")
    with open(report, "w", encoding="utf-8") as f:
        json.dump({"blogkit": commit, "date": today, "blogs": results}, f, indent=1, ensure_ascii=False)
    progress(f"results: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
