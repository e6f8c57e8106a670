#!/usr/bin/env python3
"""A documentation tree shaped like a real one, for the document-scanning benchmark.

    python3 bench/docs_corpus.py DIR PAGES

PAGES Markdown pages under DIR/docs/, shaped like a large product's public docs (measured on
real trees such as MDN's content and Kubernetes' website):

- sizes are log-normal: most pages 1-8 KB, a long tail of reference pages past 100 KB;
- directories nest 1-7 deep with uneven fan-out (a few huge sections, many small ones), and
  translated copies under docs/<lang>/ hold a third of the pages;
- every page opens with YAML front matter of 3-20 keys (title, slug, tags, browser data);
- paragraphs are unwrapped, so many lines are 300-3,000 characters long; tables are wide;
- translated pages are non-ASCII (accents, Cyrillic, CJK), and English pages carry some
  (typographic quotes, dashes, arrows, emoji);
- code blocks, HTML fragments, admonitions and links; one page in 500 has a task list naming a
  promise.

Deterministic: the same arguments give the same files.
"""
import os
import random
import subprocess
import sys

WORDS = ("the a to of and in is for on with that by this be are as it or from can you your an "
         "request response server client configure option value file path default setting token "
         "repository branch commit deploy build release version install update api endpoint "
         "returns error status field type string number list object key user account access "
         "permission policy cache timeout retry limit page section example note warning element "
         "attribute property method interface event handler browser document node style").split()
# Words of the translations: accents, Cyrillic, CJK (no spaces between CJK words).
LANGS = {
    "fr": "le la les un une des et est pour avec dans sur élément propriété méthode été où "
          "déjà très préférence clé à ça réponse requête serveur paramètre".split(),
    "de": "der die das und ist für mit auf Schlüssel Größe Übersicht Änderung können müssen "
          "Straße Anfrage Antwort Zugriff Einstellung".split(),
    "ru": "и в не на что это как по для элемент свойство метод запрос ответ сервер ключ "
          "значение файл путь настройка доступ".split(),
    "ja": "要素 属性 メソッド の を に は が で リクエスト レスポンス サーバー 設定 ファイル "
          "パス 値 キー アクセス 例 注意".split(),
    "zh-cn": "元素 属性 方法 的 是 在 和 请求 响应 服务器 设置 文件 路径 值 键 访问 示例 注意 "
             "版本 更新".split(),
}
PUNCT = ["—", "–", "→", "“", "”", "’", "…", "✅", "⚠️", "©", "×", "≥"]


def sentence(rng, words, cjk=False):
    n = rng.randint(6, 22)
    ws = [rng.choice(words) for _ in range(n)]
    if not cjk and rng.random() < 0.15:
        ws.insert(rng.randrange(n), rng.choice(PUNCT))
    text = ("" if cjk else " ").join(ws)
    return (text + "。") if cjk else (text[0].upper() + text[1:] + ".")


def paragraph(rng, words, cjk, sentences):
    # Unwrapped: one paragraph, one line.
    return ("" if cjk else " ").join(sentence(rng, words, cjk) for _ in range(sentences))


def front_matter(rng, words, depth):
    keys = [f"title: {sentence(rng, words)[:-1][:80]}", f"slug: {'/'.join(rng.choice(WORDS) for _ in range(depth))}"]
    if rng.random() < 0.7:
        keys.append("page-type: " + rng.choice(["guide", "reference", "landing-page", "tutorial"]))
    if rng.random() < 0.6:
        keys.append("tags:\n" + "\n".join(f"  - {rng.choice(WORDS)}" for _ in range(rng.randint(1, 6))))
    if rng.random() < 0.4:
        keys.append("browser-compat:\n" + "\n".join(
            f"  - api.{rng.choice(WORDS).capitalize()}.{rng.choice(WORDS)}" for _ in range(rng.randint(1, 4))))
    if rng.random() < 0.3:
        keys.append(f"weight: {rng.randint(1, 200)}")
    if rng.random() < 0.2:
        keys.append("status:\n  - experimental")
    return "---\n" + "\n".join(keys) + "\n---\n"


def block(rng, words, cjk):
    kind = rng.randrange(9)
    if kind == 0:
        lang = rng.choice(["js", "html", "css", "sh", "json", "yaml"])
        lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 12))) for _ in range(rng.randint(3, 30))]
        return f"```{lang}\n" + "\n".join(lines) + "\n```\n"
    if kind == 1:
        return "\n".join(f"- {sentence(rng, words, cjk)}" for _ in range(rng.randint(2, 8))) + "\n"
    if kind == 2:
        cols = rng.randint(3, 8)
        head = "| " + " | ".join(rng.choice(WORDS) for _ in range(cols)) + " |\n|" + "---|" * cols + "\n"
        rows = "\n".join("| " + " | ".join(sentence(rng, words, cjk)[: rng.randint(5, 120)] for _ in range(cols)) + " |"
                         for _ in range(rng.randint(2, 20)))
        return head + rows + "\n"
    if kind == 3:
        return f"> [!NOTE]\n> {paragraph(rng, words, cjk, rng.randint(1, 3))}\n"
    if kind == 4:
        return (f'<div class="{rng.choice(WORDS)}">\n  <p>{sentence(rng, words, cjk)}</p>\n'
                f'  <img src="/{rng.choice(WORDS)}.png" alt="{rng.choice(WORDS)}">\n</div>\n')
    if kind == 5:
        return "\n".join(f"{i}. {sentence(rng, words, cjk)} See [{rng.choice(WORDS)}](/docs/{rng.choice(WORDS)}/{rng.choice(WORDS)})."
                         for i in range(1, rng.randint(3, 8))) + "\n"
    return paragraph(rng, words, cjk, rng.randint(2, 14)) + "\n"


def page(rng, words, cjk, size, depth, with_tasks):
    out = [front_matter(rng, words, depth), f"{sentence(rng, words, cjk)[:-1]}\n"]
    total = sum(map(len, out))
    while total < size:
        part = f"## {sentence(rng, words, cjk)[:-1][:70]}\n" if rng.random() < 0.25 else block(rng, words, cjk)
        out.append(part)
        total += len(part.encode())
    if with_tasks:
        out.append("## Follow-ups\n\n- [ ] Document the retry limit (Promise: docs-answer)\n"
                   "- [x] Link the status page (Promise: docs-answer)\n")
    return "\n".join(out)


def main():
    root, pages = sys.argv[1], int(sys.argv[2])
    rng = random.Random(pages)
    os.makedirs(os.path.join(root, "docs"), exist_ok=True)
    with open(os.path.join(root, "promises.toml"), "w") as f:
        f.write('[promises.docs-answer]\nstatement = "A reader finds the answer in the docs."\n'
                'status = "in-play"\noutcomes = [{ metric = "searches ending on a page", '
                'baseline = "40%", target = "60%" }]\n\n[plans]\ninclude = ["docs/**/*.md"]\n')
    # Sections of uneven size: a few hold most pages (Zipf-like weights).
    sections = [f"{rng.choice(WORDS)}-{i:02d}" for i in range(60)]
    weights = [1 / (i + 1) for i in range(len(sections))]
    for i in range(pages):
        lang = "en-us" if rng.random() < 0.67 else rng.choice(list(LANGS))
        words = WORDS if lang == "en-us" else LANGS[lang]
        cjk = lang in ("ja", "zh-cn")
        depth = min(7, max(1, int(rng.lognormvariate(0.9, 0.5))))
        parts = [rng.choices(sections, weights)[0]]
        parts += [f"{rng.choice(WORDS)}{rng.randint(0, 3 + 40 // (d + 1))}" for d in range(depth - 1)]
        d = os.path.join(root, "docs", lang, *parts, f"page-{i:05d}")
        os.makedirs(d, exist_ok=True)
        # Log-normal sizes: median about 4 KB, a long tail past 100 KB, capped at 400 KB.
        size = min(400_000, int(rng.lognormvariate(8.3, 1.1)))
        with open(os.path.join(d, "index.md"), "w", encoding="utf-8") as f:
            f.write(page(rng, words, cjk, size, depth, i % 500 == 7))
    subprocess.run(["git", "init", "-q", root], check=True)


if __name__ == "__main__":
    main()
